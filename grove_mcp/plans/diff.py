"""``plan diff``: the stored plan against the deployed PodCliqueSet, parameter by parameter. Pure.

Each row has a verdict — match, drift, or cannot tell (and why) — and says where the deployed
value comes from. Workers are compared per PodCliqueSet replica from the live PodCliques and
scaling groups (``plans.deployed``); TP from the engine arguments (``--tp``, ``--tp-size``,
``--tensor-parallel-size``, TensorRT-LLM's ``tensor_parallel_size``), else derived from the GPU
requests when that is unambiguous; the image against the image the plan was rendered with, else
against the engine version the plan was modelled for; the topology constraint against the one
rendered with the plan (recorded only when the plan was stored from the generated YAML).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..capabilities.common import describe_constraint, header
from ..capabilities.workload import Workload, build_workload
from ..grove import GPU_RESOURCE, TopologyConstraint
from ..planfile import Plan, RoleConfig
from ..reports.common import Severity
from ..reports.plan_reports import (
    DiffRow,
    DiffSummary,
    PlanDiffReport,
    RenderedDeployment,
    RoleMatch,
    Verdict,
)
from ..snapshot import Snapshot
from .deployed import DeployedRole, RoleCliques, deployed_role, match_roles
from .show import find_stored, name_note, parallel, planned_nodes

TITLES = {"prefill": "Prefill", "decode": "Decode", "agg": "Worker"}
_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)")
_FOLDS_DP_INTO_TP = ("sglang", "trtllm")  # attention DP is passed as part of --tp for these


def build_plan_diff(snapshot: Snapshot, name: str) -> PlanDiffReport:
    """The stored plan of ``name`` against what is deployed (raises NotFound if either is
    missing)."""
    stored, notes = find_stored(snapshot, name)
    workload = build_workload(snapshot, name)
    rows, roles, more = diff_rows(workload, stored.current.plan, stored.current.rendered)
    base = header(snapshot, workload)
    return PlanDiffReport(
        **{**base, "notes": base["notes"] + notes + more},
        name=name,
        config_map=stored.config_map,
        plan_stored_at=stored.current.stored_at,
        plan_digest=stored.current.digest,
        rows=rows,
        roles=roles,
        summary=_summary(rows),
    )


def diff_rows(
    workload: Workload, plan: Plan, rendered: RenderedDeployment | None = None
) -> tuple[list[DiffRow], list[RoleMatch], list[str]]:
    """Every row of ``plan`` against the deployed ``workload``, the role matches, and notes."""
    name = workload.name
    notes: list[str] = []
    matches, unmatched = match_roles(workload, plan.serving_mode == "agg")
    indices = range(max(workload.pcs.spec.replicas, 1))
    scale = _replicas_per_pcs_replica(plan, workload)
    roles: list[RoleMatch] = []
    deployed: list[DeployedRole] = []
    role_rows: list[DiffRow] = []
    for role_name, role in plan.config.roles().items():
        match = matches.get(role_name)
        if match is None:
            role_rows += _missing_role(role_name, role, plan, workload)
            roles.append(
                RoleMatch(
                    role=role_name,
                    cliques=[],
                    scaling_group=None,
                    matched_by=_none_found(role_name, workload),
                )
            )
            continue
        per_replica = [deployed_role(workload, match, i) for i in indices]
        deployed += per_replica
        roles.append(
            RoleMatch(
                role=role_name,
                cliques=[c.name for c in match.cliques],
                scaling_group=match.group.name if match.group else None,
                matched_by=match.matched_by,
            )
        )
        role_rows += [
            _workers_row(role_name, role, match, per_replica, scale),
            _tp_row(role_name, role, plan, per_replica),
            _gpus_row(role_name, role, plan, per_replica),
        ]
    workers_match = all(
        r.verdict is Verdict.match for r in role_rows if r.parameter.endswith(".workers")
    )
    rows = [_replicas_row(plan, workload, scale, workers_match), *role_rows]
    rows += [
        _total_gpus_row(plan, workload),
        _backend_row(plan, deployed),
        _image_row(plan, rendered, deployed),
        _topology_row(workload, rendered),
    ]
    notes += name_note(plan, name)
    notes += [
        f"Cliques {', '.join(c.name for c in m.cliques)} serve {role}, which the plan "
        f"({plan.serving_mode}) does not have."
        for role, m in matches.items()
        if role not in plan.config.roles()
    ]
    notes += [
        f"Clique '{c.name}' requests GPUs but serves no role of the plan; its GPUs count in the "
        "total."
        for c in unmatched
    ]
    if any(d.from_template for d in deployed):
        notes.append(
            "Some counts come from the PodCliqueSet template: the live PodCliques or scaling "
            "groups do not exist (yet)."
        )
    waiting = sum(max(d.pods - d.ready, 0) for d in deployed if not d.from_template)
    if waiting:
        notes.append(
            f"{waiting} worker pod(s) are not ready. Desired counts are compared here; see "
            f"kubectl grove health {name} for why."
        )
    return rows, roles, notes


# --- rows -----------------------------------------------------------------------------------

_UNKNOWN = "?"


@dataclass(frozen=True)
class _Row:
    """Which parameter a row is about; its methods write the row with a verdict."""

    parameter: str
    label: str
    role: str | None = None

    def compare(
        self, planned: object, deployed: object, *, reason: str, evidence: Iterable[str] = ()
    ) -> DiffRow:
        """Match if the planned value equals the deployed one, else drift."""
        return self.match_if(
            planned == deployed, planned, deployed, reason=reason, evidence=evidence
        )

    def match_if(
        self,
        ok: bool,
        planned: object,
        deployed: object,
        *,
        reason: str,
        evidence: Iterable[str] = (),
    ) -> DiffRow:
        """Match if ``ok``, else drift."""
        verdict = Verdict.match if ok else Verdict.drift
        return self._with(verdict, planned, deployed, reason, evidence)

    def match(
        self, planned: object, deployed: object, *, reason: str, evidence: Iterable[str] = ()
    ) -> DiffRow:
        return self._with(Verdict.match, planned, deployed, reason, evidence)

    def drift(
        self, planned: object, deployed: object, *, reason: str, evidence: Iterable[str] = ()
    ) -> DiffRow:
        return self._with(Verdict.drift, planned, deployed, reason, evidence)

    def cannot_tell(
        self,
        planned: object,
        deployed: object = _UNKNOWN,
        *,
        reason: str,
        evidence: Iterable[str] = (),
    ) -> DiffRow:
        return self._with(Verdict.cannot_tell, planned, deployed, reason, evidence)

    def _with(
        self,
        verdict: Verdict,
        planned: object,
        deployed: object,
        reason: str,
        evidence: Iterable[str],
    ) -> DiffRow:
        return DiffRow(
            parameter=self.parameter,
            label=self.label,
            role=self.role,
            planned=str(planned),
            deployed=str(deployed),
            verdict=verdict,
            reason=reason,
            evidence=list(evidence),
        )


_REPLICAS = _Row("replicas", "Replicas")
_TOTAL_GPUS = _Row("total_gpus", "Total GPUs")
_BACKEND = _Row("backend", "Backend")
_IMAGE = _Row("image", "Image")
_TOPOLOGY = _Row("topology_constraint", "Topology Constraint")
_ROLE_LABELS = {"workers": "Workers", "tp": "TP", "gpus_per_worker": "GPUs/Worker"}


def _role_row(role_name: str, parameter: str) -> _Row:
    """The row of one role's parameter, e.g. ``prefill.tp`` labelled 'Prefill TP'."""
    return _Row(
        f"{role_name}.{parameter}", f"{TITLES[role_name]} {_ROLE_LABELS[parameter]}", role_name
    )


def _replicas_per_pcs_replica(plan: Plan, workload: Workload) -> int:
    """How many plan replicas one PodCliqueSet replica holds: 1 when each plan replica is a PCS
    replica; the plan's replicas when all run in one PCS replica with their workers in the same
    cliques (the shape Dynamo's operator gives a deployment, and generate renders)."""
    pcs_replicas = workload.pcs.spec.replicas
    if pcs_replicas and plan.config.replicas % pcs_replicas == 0:
        return plan.config.replicas // pcs_replicas
    return 1


def _replicas_row(plan: Plan, workload: Workload, scale: int, workers_match: bool) -> DiffRow:
    deployed = workload.pcs.spec.replicas
    evidence = [f"podcliqueset/{workload.name}: spec.replicas {deployed}"]
    if scale > 1 and deployed * scale == plan.config.replicas:
        return _REPLICAS.match_if(
            workers_match,
            plan.config.replicas,
            f"{plan.config.replicas} ({deployed} PodCliqueSet replica, the workers of "
            f"{scale} in its cliques)",
            reason="Dynamo's shape: one PodCliqueSet replica whose cliques hold every plan "
            "replica's workers" + ("" if workers_match else "; the workers rows say what differs"),
            evidence=evidence,
        )
    return _REPLICAS.compare(
        plan.config.replicas,
        deployed,
        reason="spec.replicas of the PodCliqueSet (one gang per replica)",
        evidence=evidence,
    )


def _missing_role(
    role_name: str, role: RoleConfig, plan: Plan, workload: Workload
) -> list[DiffRow]:
    why = _none_found(role_name, workload)
    planned = {
        "workers": role.workers,
        "tp": role.tp,
        "gpus_per_worker": _planned_gpus(plan, role),
    }
    return [
        _role_row(role_name, parameter).drift(value, "none", reason=why)
        for parameter, value in planned.items()
    ]


def _none_found(role_name: str, workload: Workload) -> str:
    cliques = ", ".join(c.name for c in workload.pcs.spec.template.cliques) or "none"
    return f"no clique serves {role_name} (cliques: {cliques})"


def _by_replica(values: Mapping[int, object]) -> str:
    distinct = set(values.values())
    if len(distinct) == 1:
        return str(distinct.pop())
    return ", ".join(f"{v} (replica {i})" for i, v in sorted(values.items()))


def _workers_row(
    role_name: str,
    role: RoleConfig,
    match: RoleCliques,
    per_replica: list[DeployedRole],
    scale: int = 1,
) -> DiffRow:
    values = {d.replica: d.workers for d in per_replica}
    expected = role.workers * scale
    ok = set(values.values()) == {expected}
    source = (
        f"live spec.replicas of scaling group '{match.group.name}' (one replica per worker)"
        if match.group
        else "live spec.replicas of the PodClique"
    )
    if any(d.from_template for d in per_replica):
        source += ", else the PodCliqueSet template"
    planned = f"{expected} ({role.workers} × {scale} replicas)" if scale > 1 else role.workers
    return _role_row(role_name, "workers").match_if(
        ok,
        planned,
        _by_replica(values),
        reason=source + ("" if ok else f"; the plan has {role.workers} per replica"),
        evidence=[e for d in per_replica for e in d.evidence],
    )


def _accepted_tp(role: RoleConfig, plan: Plan) -> set[int]:
    accepted = {role.tp}
    if plan.backend in _FOLDS_DP_INTO_TP and role.dp > 1:
        accepted.add(role.tp * role.dp)
    return accepted


def _tp_row(
    role_name: str, role: RoleConfig, plan: Plan, per_replica: list[DeployedRole]
) -> DiffRow:
    """TP from the engine arguments, else derived from the GPU requests, else cannot tell."""
    row = _role_row(role_name, "tp")
    planned = str(role.tp)
    if plan.backend in _FOLDS_DP_INTO_TP and role.dp > 1:
        planned += f" (flag {role.tp * role.dp} with attention dp{role.dp})"
    flags = _union(d.flags["tp"] for d in per_replica)
    gpus = _union(d.gpus_per_worker for d in per_replica)
    if flags:
        return _tp_from_flags(row, planned, flags, role, plan)
    pp_dp = _union(d.flags["pp"] for d in per_replica) | _union(d.flags["dp"] for d in per_replica)
    if len(gpus) == 1 and (g := next(iter(gpus))) > 0 and role.pp == role.dp == 1 and pp_dp <= {1}:
        return _tp_from_gpus(row, planned, g, role)
    return row.cannot_tell(planned, reason=_tp_unknown(gpus, role))


def _tp_from_flags(
    row: _Row, planned: str, flags: set[int], role: RoleConfig, plan: Plan
) -> DiffRow:
    deployed = ", ".join(str(v) for v in sorted(flags))
    if len(flags) > 1:
        return row.drift(
            planned, deployed, reason="the engine arguments of the role's cliques disagree"
        )
    ok = flags <= _accepted_tp(role, plan)
    reason = "TP flag in the engine arguments"
    if not ok:
        reason += f"; the plan has tp{role.tp}"
    return row.match_if(ok, planned, deployed, reason=reason)


def _tp_from_gpus(row: _Row, planned: str, gpus: int, role: RoleConfig) -> DiffRow:
    ok = gpus == role.tp
    reason = (
        f"derived from GPU requests: no TP flag in the engine arguments, {gpus} GPUs per worker "
        "(tp = GPUs when pp = dp = 1, as planned)"
    )
    if not ok:
        reason += f"; the plan has tp{role.tp}"
    return row.match_if(ok, planned, f"{gpus} (derived)", reason=reason)


def _tp_unknown(gpus: set[int], role: RoleConfig) -> str:
    """Why TP cannot be told when the engine arguments carry no TP flag."""
    if not gpus or gpus == {0}:
        return "no TP flag in the engine arguments and no GPU requests to derive it from"
    if len(gpus) > 1:
        return "no TP flag in the engine arguments, and workers request different GPU counts"
    return (
        f"no TP flag (--tp, --tp-size, --tensor-parallel-size) in the engine arguments, and "
        f"{next(iter(gpus))} GPUs per worker could be tp×pp×dp in several ways (the plan has "
        f"{parallel(role)})"
    )


def _planned_gpus(plan: Plan, role: RoleConfig) -> str:
    nodes = planned_nodes(plan, role)
    if nodes > 1:
        return f"{role.gpus_per_worker} ({nodes} nodes × {role.gpus_per_worker // nodes})"
    return str(role.gpus_per_worker)


def _gpus_row(
    role_name: str, role: RoleConfig, plan: Plan, per_replica: list[DeployedRole]
) -> DiffRow:
    row = _role_row(role_name, "gpus_per_worker")
    planned = _planned_gpus(plan, role)
    gpus = _union(d.gpus_per_worker for d in per_replica)
    pods = _union(d.pods_per_worker for d in per_replica)
    if gpus <= {0} and any(d.dra for d in per_replica):
        return row.cannot_tell(
            planned,
            reason="the workers get GPUs through DRA ResourceClaims; the count is not in the "
            "pod spec",
        )
    deployed = ", ".join(str(g) for g in sorted(gpus)) or _UNKNOWN
    if pods - {1}:
        deployed += f" ({', '.join(str(p) for p in sorted(pods))} pods per worker)"
    nodes = planned_nodes(plan, role)
    source = f"GPU requests ({GPU_RESOURCE}) of the worker's pods"
    if gpus != {role.gpus_per_worker}:
        return row.drift(planned, deployed, reason=f"{source}; the plan has {role.gpus_per_worker}")
    if nodes > 1 and pods != {nodes}:
        split = ", ".join(map(str, sorted(pods)))
        return row.drift(
            planned,
            deployed,
            reason=f"the GPUs are split over {split} pods; the plan spans {nodes} nodes",
        )
    return row.match(planned, deployed, reason=source)


def _total_gpus_row(plan: Plan, workload: Workload) -> DiffRow:
    planned = plan.config.total_gpus
    live = list(workload.cliques)
    if live:
        total = sum(int(c.spec.replicas * c.spec.pod_spec.request(GPU_RESOURCE)) for c in live)
        source = f"GPU requests × spec.replicas of the {len(live)} live PodCliques"
        dra = any(c.spec.pod_spec.resource_claims for c in live)
    else:
        total, dra = _template_gpus(workload)
        source = "GPU requests × replicas of the PodCliqueSet template (no live PodCliques)"
    if total == 0 and dra:
        return _TOTAL_GPUS.cannot_tell(
            planned,
            reason="the pods get GPUs through DRA ResourceClaims; the count is not in their specs",
        )
    ok = total == planned
    return _TOTAL_GPUS.match_if(
        ok, planned, total, reason=source + ("" if ok else f"; the plan uses {planned}")
    )


def _template_gpus(workload: Workload) -> tuple[int, bool]:
    template = workload.pcs.spec.template
    grouped = {n: g for g in template.pod_clique_scaling_groups for n in g.clique_names}
    per_replica = 0.0
    dra = False
    for clique in template.cliques:
        group = grouped.get(clique.name)
        times = (group.replicas if group.replicas is not None else 1) if group else 1
        per_replica += times * clique.spec.replicas * clique.spec.pod_spec.request(GPU_RESOURCE)
        dra = dra or bool(clique.spec.pod_spec.resource_claims)
    return int(per_replica * workload.pcs.spec.replicas), dra


def _backend_row(plan: Plan, deployed: list[DeployedRole]) -> DiffRow:
    backends = _union(d.backends for d in deployed)
    if not backends:
        return _BACKEND.cannot_tell(
            plan.backend,
            reason="neither the workers' images nor their commands name sglang, vllm or "
            "TensorRT-LLM",
        )
    ok = backends == {plan.backend}
    return _BACKEND.match_if(
        ok,
        plan.backend,
        ", ".join(sorted(backends)),
        reason="named by the workers' command or image"
        + ("" if ok else f"; the plan is for {plan.backend}"),
    )


def _image_row(
    plan: Plan, rendered: RenderedDeployment | None, deployed: list[DeployedRole]
) -> DiffRow:
    """The image against the one rendered with the plan, else against the engine version."""
    images = _union(d.images for d in deployed)
    if rendered is not None and rendered.image:
        ok = images == {rendered.image}
        return _IMAGE.match_if(
            ok,
            rendered.image,
            _shown(images),
            reason="the image of the generated YAML the plan was stored from"
            + ("" if ok else "; the workers run another"),
        )
    return _image_against_version(plan, images)


def _shown(images: set[str]) -> str:
    return ", ".join(sorted(images)) or _UNKNOWN


def _image_against_version(plan: Plan, images: set[str]) -> DiffRow:
    version = plan.backend_version
    planned = f"{plan.backend} {version}" if version else "not recorded"
    if not images:
        return _IMAGE.cannot_tell(planned, reason="no worker container image found")
    shown = _shown(images)
    if not version:
        return _IMAGE.cannot_tell(
            planned,
            shown,
            reason="the plan records neither an image nor the engine version it was modelled for",
        )
    verdicts = {image: _tag_verdict(image, version) for image in sorted(images)}
    wrong = [f"{i} ({why})" for i, (v, why) in verdicts.items() if v is Verdict.drift]
    unknown = [f"{i}: {why}" for i, (v, why) in verdicts.items() if v is Verdict.cannot_tell]
    if wrong:
        return _IMAGE.drift(
            planned,
            shown,
            reason=f"the plan was modelled for {plan.backend} {version}; " + "; ".join(wrong),
        )
    if unknown:
        return _IMAGE.cannot_tell(planned, shown, reason="; ".join(unknown))
    return _IMAGE.match(
        planned, shown, reason=f"the image tag carries engine version {version}, as planned"
    )


def _tag_verdict(image: str, version: str) -> tuple[Verdict, str]:
    repository, tag = _split_image(image)
    if "dynamo" in repository:
        return (
            Verdict.cannot_tell,
            "a Dynamo runtime image's tag is the Dynamo release, not the engine version",
        )
    match = _VERSION.match(tag or "")
    if not match:
        return Verdict.cannot_tell, f"tag '{tag or 'none'}' names no version"
    found = match.group(1)
    wanted = version.lstrip("v")
    if found == wanted or found.startswith(wanted + "."):
        return Verdict.match, f"tag {tag}"
    return Verdict.drift, f"tag {tag} is engine version {found}"


def _split_image(image: str) -> tuple[str, str | None]:
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        return name.rsplit(":", 1)[0], name.rsplit(":", 1)[1]
    return name, None


def _constraint_text(required: str | None, preferred: str | None, topology: str | None) -> str:
    parts = [
        p
        for p in (
            f"required={required}" if required else None,
            f"preferred={preferred}" if preferred else None,
        )
        if p
    ]
    text = ", ".join(parts) or "none"
    return f"{text} (topology {topology})" if topology else text


def _topology_row(workload: Workload, rendered: RenderedDeployment | None) -> DiffRow:
    template = workload.pcs.spec.template
    constraint: TopologyConstraint | None = template.topology_constraint
    required = constraint.required if constraint else None
    preferred = constraint.preferred if constraint else None
    topology = constraint.topology_name if constraint else None
    deployed = _constraint_text(required, preferred, topology)
    evidence = [
        f"podcliqueset/{workload.name}: spec.template.topologyConstraint {describe_constraint(constraint) or 'none'}"
    ]
    evidence += [
        f"scaling group {g.name}: {describe_constraint(g.topology_constraint)}"
        for g in template.pod_clique_scaling_groups
        if describe_constraint(g.topology_constraint)
    ]
    if rendered is None:
        return _TOPOLOGY.cannot_tell(
            "not recorded",
            deployed,
            reason="the plan records no topology constraint: it was stored from a plan.json; "
            "store the generated PodCliqueSet YAML to record the one generate rendered",
            evidence=evidence,
        )
    planned = _constraint_text(
        rendered.pack_required, rendered.pack_preferred, rendered.topology_name
    )
    ok = (required, preferred) == (rendered.pack_required, rendered.pack_preferred) and (
        rendered.topology_name is None or rendered.topology_name == topology
    )
    return _TOPOLOGY.match_if(
        ok,
        planned,
        deployed,
        reason="spec.template.topologyConstraint against the one rendered with the plan",
        evidence=evidence,
    )


# --- summary --------------------------------------------------------------------------------


def _summary(rows: list[DiffRow]) -> DiffSummary:
    drift = [r.label for r in rows if r.verdict is Verdict.drift]
    unknown = [r.label for r in rows if r.verdict is Verdict.cannot_tell]
    matches = len(rows) - len(drift) - len(unknown)
    if drift:
        text = f"Deployment drifts from plan: {', '.join(drift)}"
    elif unknown:
        text = "Deployment matches plan where it can be told"
    else:
        text = "Deployment matches plan"
    if unknown:
        text += f" (cannot tell: {', '.join(unknown)})"
    return DiffSummary(
        ok=not drift,
        severity=Severity.warning if drift else Severity.info,
        matches=matches,
        drifts=len(drift),
        cannot_tell=len(unknown),
        text=text,
    )


def _union(sets: Iterable[set]) -> set:
    out: set = set()
    for s in sets:
        out |= s
    return out
