"""``plan show`` and ``plan history``: the plans stored beside a PodCliqueSet. Pure."""

from __future__ import annotations

from typing import Any

from ..capabilities.common import header
from ..errors import NotFound
from ..grove.kinds import PLAN_LABELS, ConfigMap
from ..planfile import DEFAULT_GPUS_PER_NODE, Plan, RoleConfig, nodes_per_worker
from ..reports.common import Severity, Summary
from ..reports.plan_reports import (
    HISTORY_LIMIT,
    PlanHistoryReport,
    PlanRole,
    PlanShowReport,
    RenderedDeployment,
    StoredPlanSummary,
)
from ..snapshot import Snapshot
from .configmap import StoredEntry, StoredPlans, config_map_name, read_stored

MAX_CHANGES = 12


def find_stored(snapshot: Snapshot, name: str) -> tuple[StoredPlans, list[str]]:
    """The plans stored for ``name`` and notes; raises NotFound saying how to store one."""
    snapshot.podcliqueset(name)  # the PodCliqueSet must exist (NotFound lists what does)
    mine = [cm for cm in snapshot.config_maps if any(cm.labels.get(k) == name for k in PLAN_LABELS)]
    if not mine:
        labels = " or ".join(f"{k}={name}" for k in PLAN_LABELS)
        raise NotFound(
            f"No plan stored for PodCliqueSet '{name}' in namespace '{snapshot.namespace}' (no "
            f"ConfigMap labelled {labels}). Store one with: kubectl grove plan store {name} "
            f"-n {snapshot.namespace} -f plan.json (or the generated YAML)."
        )
    chosen = _preferred(mine, name)
    stored = read_stored(chosen, name)
    notes = list(stored.notes)
    if len(mine) > 1:
        others = ", ".join(cm.name for cm in mine if cm is not chosen)
        notes.append(
            f"Several ConfigMaps hold plans of '{name}'; {chosen.name} is used, not {others}."
        )
    return stored, notes


def _preferred(candidates: list[ConfigMap], name: str) -> ConfigMap:
    """``<pcs>-aic-plan`` (what plan store writes), else the newest."""
    own = next((cm for cm in candidates if cm.name == config_map_name(name)), None)
    if own is not None:
        return own
    return max(
        candidates,
        key=lambda cm: (
            cm.metadata.creation_timestamp.isoformat() if cm.metadata.creation_timestamp else "",
            cm.name,
        ),
    )


def build_plan_show(snapshot: Snapshot, name: str) -> PlanShowReport:
    stored, notes = find_stored(snapshot, name)
    base = header(snapshot)
    current = summarize(stored.current, 1, True, _older(stored, 0))
    return PlanShowReport(
        **{**base, "notes": base["notes"] + notes + name_note(stored.current.plan, name)},
        name=name,
        config_map=stored.config_map,
        label=stored.label,
        config_map_created_at=stored.created_at,
        stored=current,
        history_entries=len(stored.history),
        plan=stored.current.plan,
        summary=Summary(ok=True, severity=Severity.info, text=one_line(current)),
    )


def build_plan_history(snapshot: Snapshot, name: str) -> PlanHistoryReport:
    stored, notes = find_stored(snapshot, name)
    base = header(snapshot)
    entries = [
        summarize(entry, index + 1, index == 0, _older(stored, index))
        for index, entry in enumerate(stored.history)
    ]
    return PlanHistoryReport(
        **{**base, "notes": base["notes"] + notes},
        name=name,
        config_map=stored.config_map,
        limit=HISTORY_LIMIT,
        entries=entries,
        summary=Summary(
            ok=True,
            severity=Severity.info,
            text=f"{len(entries)} stored plan(s); current: {one_line(entries[0])}",
        ),
    )


def one_line(plan: StoredPlanSummary) -> str:
    """e.g. 'Qwen/Qwen3-32B on h200_sxm, sglang disagg, 12 GPUs, stored 2026-11-30 10:00Z'."""
    when = f"{plan.stored_at:%Y-%m-%d %H:%MZ}" if plan.stored_at else "time not recorded"
    return (
        f"{plan.model} on {plan.system}, {plan.backend} {plan.serving_mode}, "
        f"{plan.total_gpus} GPUs, stored {when}"
    )


def name_note(plan: Plan, name: str) -> list[str]:
    if plan.name and plan.name != name:
        return [f"The plan was rendered for a PodCliqueSet named '{plan.name}', not '{name}'."]
    return []


def _older(stored: StoredPlans, index: int) -> StoredEntry | None:
    return stored.history[index + 1] if index + 1 < len(stored.history) else None


# --- summaries ------------------------------------------------------------------------------


def parallel(role: RoleConfig) -> str:
    parts = [f"tp{role.tp}"]
    parts += [
        f"{k}{v}" for k, v in (("pp", role.pp), ("dp", role.dp), ("ep", role.moe_ep)) if v > 1
    ]
    return " ".join(parts)


def plan_roles(plan: Plan) -> list[PlanRole]:
    return [
        PlanRole(
            role=role_name,  # type: ignore[arg-type]
            workers=role.workers,
            tp=role.tp,
            pp=role.pp,
            dp=role.dp,
            gpus_per_worker=role.gpus_per_worker,
            parallel=parallel(role),
        )
        for role_name, role in plan.config.roles().items()
    ]


def summarize(
    entry: StoredEntry, revision: int, current: bool, older: StoredEntry | None
) -> StoredPlanSummary:
    plan = entry.plan
    return StoredPlanSummary(
        revision=revision,
        current=current,
        stored_at=entry.stored_at,
        digest=entry.digest,
        origin=entry.origin,
        model=plan.model,
        system=plan.system,
        backend=plan.backend,
        backend_version=plan.backend_version,
        serving_mode=plan.serving_mode,
        replicas=plan.config.replicas,
        roles=plan_roles(plan),
        total_gpus=plan.config.total_gpus,
        throughput_per_gpu=plan.expected.tokens_per_second_per_gpu,
        ttft_ms=plan.expected.ttft_ms,
        tpot_ms=plan.expected.tpot_ms,
        sla_ttft_ms=plan.sla.ttft_ms,
        sla_tpot_ms=plan.sla.tpot_ms,
        rendered=entry.rendered,
        changes=changes(older, entry) if older is not None else [],
    )


def changes(older: StoredEntry, newer: StoredEntry) -> list[str]:
    """Leaf fields that differ, as 'path: old → new' (createdAt left out), at most 12."""
    before = _flat(older.plan.to_json_dict()) | _flat(_rendered(older.rendered), "rendered")
    after = _flat(newer.plan.to_json_dict()) | _flat(_rendered(newer.rendered), "rendered")
    found = [
        f"{path}: {_show(before.get(path))} → {_show(after.get(path))}"
        for path in sorted(set(before) | set(after), key=_order)
        if path != "createdAt" and before.get(path) != after.get(path)
    ]
    if len(found) > MAX_CHANGES:
        found = [*found[: MAX_CHANGES - 1], f"… and {len(found) - MAX_CHANGES + 1} more"]
    return found


def _rendered(rendered: RenderedDeployment | None) -> dict[str, Any]:
    return rendered.model_dump(exclude_none=True) if rendered else {}


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out |= _flat(item, f"{prefix}.{key}" if prefix else key)
        return out
    return {prefix: value} if prefix else {}


_SECTIONS = ("config", "backend", "model", "system", "servingMode", "sla", "expected")


def _order(path: str) -> tuple[int, str]:
    head = path.split(".")[0]
    return (_SECTIONS.index(head) if head in _SECTIONS else len(_SECTIONS), path)


def _show(value: Any) -> str:
    return "absent" if value is None else str(value)


def planned_nodes(plan: Plan, role: RoleConfig) -> int:
    return nodes_per_worker(
        role.gpus_per_worker, plan.config.gpus_per_node or DEFAULT_GPUS_PER_NODE
    )
