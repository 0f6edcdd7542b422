"""Small helpers shared by the capability modules."""

from __future__ import annotations

from typing import Any

from ..grove import TopologyConstraint, UpdateProgress
from ..reports.common import GangState, Severity, UpdateProgressReport
from ..snapshot import Snapshot
from .workload import Workload

_CRITICAL_STATES = (GangState.breached, GangState.unschedulable, GangState.terminating)


def gang_severity(state: GangState) -> Severity:
    """How bad a gang state is: breached, unschedulable or terminating gangs are critical."""
    if state == GangState.healthy:
        return Severity.info
    return Severity.critical if state in _CRITICAL_STATES else Severity.warning


def header(snapshot: Snapshot, workload: Workload | None = None) -> dict[str, Any]:
    """The ReportHeader fields: source, time, namespace and the notes on what was unreadable."""
    notes = list(snapshot.notes)
    if workload is not None and workload.topology.note:
        notes.append(workload.topology.note)
    return {
        "source": snapshot.source,
        "as_of": snapshot.now,
        "namespace": snapshot.namespace,
        "notes": notes,
    }


def update_report(progress: UpdateProgress | None) -> UpdateProgressReport | None:
    if progress is None:
        return None
    return UpdateProgressReport(
        in_progress=progress.in_progress,
        started_at=progress.update_started_at,
        ended_at=progress.update_ended_at,
        updated_cliques=progress.updated_pod_cliques_count,
        total_cliques=progress.total_pod_cliques_count,
        updated_scaling_groups=progress.updated_pod_clique_scaling_groups_count,
        total_scaling_groups=progress.total_pod_clique_scaling_groups_count,
        replicas_updating=sorted(
            c.replica_index
            for c in progress.currently_updating
            if c.replica_index is not None and c.update_ended_at is None
        ),
        legacy_field=progress.legacy,
    )


def describe_constraint(constraint: TopologyConstraint | None) -> str | None:
    """``required=rack, preferred=host`` (``packDomain`` shown as required, marked legacy)."""
    if constraint is None:
        return None
    parts = []
    if constraint.required:
        parts.append(
            f"required={constraint.required}"
            + (" (legacy packDomain)" if constraint.is_legacy else "")
        )
    if constraint.preferred:
        parts.append(f"preferred={constraint.preferred}")
    return ", ".join(parts) or None


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole > 0 else 0
