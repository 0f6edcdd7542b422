"""Configurations as the report shows them: the deployed one (read from the PodCliqueSet as
``plan diff`` reads it) and a plan's."""

from __future__ import annotations

from collections.abc import Mapping

from ..capabilities.workload import Workload
from ..planfile import Plan
from ..plans.deployed import DeployedRole, deployed_role, match_roles
from ..reports.replan import RoleShape, Shape

_LETTER = {"prefill": "P", "decode": "D", "agg": "W"}


def parallel(r: RoleShape) -> str:
    """E.g. 'tp4', 'tp2 pp2', 'tp8 dp8 ep8'."""
    dims = [("tp", r.tp), ("pp", r.pp), ("dp", r.dp), ("moe-tp", r.moe_tp), ("ep", r.moe_ep)]
    return " ".join(f"{name}{n}" for name, n in dims if name == "tp" or n > 1)


def shape_text(mode: str, replicas: int, roles: list[RoleShape]) -> str:
    """E.g. '2 x (2P tp4 + 2D tp2), 24 GPUs (disagg)'."""
    parts = " + ".join(f"{r.workers}{_LETTER[r.role]} {parallel(r)}" for r in roles)
    total = replicas * sum(r.workers * r.gpus_per_worker for r in roles)
    return f"{replicas} x ({parts}), {total} GPUs ({mode})"


def make_shape(mode: str, replicas: int, roles: list[RoleShape]) -> Shape:
    total = replicas * sum(r.workers * r.gpus_per_worker for r in roles)
    return Shape(
        mode=mode,  # type: ignore[arg-type]
        replicas=replicas,
        roles=roles,
        total_gpus=total,
        text=shape_text(mode, replicas, roles),
    )


def plan_shape(plan: Plan) -> Shape:
    """A plan's configuration."""
    roles = [
        RoleShape(
            role=name,  # type: ignore[arg-type]
            workers=r.workers,
            tp=r.tp,
            pp=r.pp,
            dp=r.dp,
            moe_tp=r.moe_tp,
            moe_ep=r.moe_ep,
            gpus_per_worker=r.gpus_per_worker,
            batch_size=r.batch_size,
        )
        for name, r in plan.config.roles().items()
    ]
    return make_shape(plan.serving_mode, plan.config.replicas, roles)


def deployed_shape(workload: Workload, batch: Mapping[str, int | None]) -> tuple[Shape | None, str]:
    """The configuration replica 0 deploys, times the PodCliqueSet's replicas; ``batch``: the
    observed concurrency per worker by role. None (and why) when no serving role is found."""
    matches, _ = match_roles(workload, agg_plan=False)
    if "prefill" in matches and "decode" in matches:
        mode, names = "disagg", ["prefill", "decode"]
    else:
        matches, _ = match_roles(workload, agg_plan=True)
        if "agg" not in matches:
            return None, (
                f"no prefill/decode or aggregated worker cliques found in {workload.name} "
                "(by label grove-mcp.io/role, scaling group, clique name or roleName)"
            )
        mode, names = "agg", ["agg"]
    roles = []
    for role in names:
        deployed = deployed_role(workload, matches[role], 0)
        roles.append(_role(role, deployed, batch.get(role)))
    return make_shape(mode, max(workload.pcs.spec.replicas, 1), roles), ""


def _role(role: str, d: DeployedRole, batch: int | None) -> RoleShape:
    """One deployed role: TP, PP and DP from the engine flags when each has one value; TP from
    the GPUs per worker otherwise (MoE parallelism is not read from flags: 1)."""
    gpus = max(d.gpus_per_worker, default=0)

    def flag(name: str, default: int) -> int:
        values = d.flags[name]
        return next(iter(values)) if len(values) == 1 else default

    return RoleShape(
        role=role,  # type: ignore[arg-type]
        workers=d.workers,
        tp=flag("tp", max(gpus, 1)),
        pp=flag("pp", 1),
        dp=flag("dp", 1),
        gpus_per_worker=gpus,
        batch_size=batch,
    )


def same_configuration(a: Shape, b: Shape) -> bool:
    """Same mode, replicas, and per role the same workers and TP."""

    def key(s: Shape) -> tuple[object, ...]:
        roles = [(r.role, r.workers, r.tp, r.pp, r.dp, r.moe_tp, r.moe_ep) for r in s.roles]
        return (s.mode, s.replicas, roles)

    return key(a) == key(b)


def worker_image(workload: Workload) -> str | None:
    """The image of the serving workers when they share one (the proposal keeps it)."""
    for agg in (False, True):
        matches, _ = match_roles(workload, agg_plan=agg)
        images = {i for m in matches.values() for i in deployed_role(workload, m, 0).images}
        if matches:
            return images.pop() if len(images) == 1 else None
    return None
