"""``list``: the PodCliqueSets of a namespace, each with a one-line state."""

from __future__ import annotations

from ..reports.common import summarize_items
from ..reports.listing import WorkloadLine, WorkloadList
from ..snapshot import Snapshot
from .common import header
from .status import build_status


def build_list(snapshot: Snapshot) -> WorkloadList:
    lines, verdicts = [], []
    for name in snapshot.workload_names():
        status = build_status(snapshot, name)
        verdicts.append(status.summary)
        bad = [g for g in status.gangs if g.state != "Healthy"]
        state = f"{status.summary.gangs_healthy}/{status.summary.gangs_total} gangs healthy"
        if bad:
            state += "; " + "; ".join(f"{g.name} {g.state.value} ({g.reason})" for g in bad)
        lines.append(
            WorkloadLine(
                name=name,
                created_at=status.overview.created_at,
                replicas=status.overview.replicas,
                available_replicas=status.overview.available_replicas,
                gangs_healthy=status.summary.gangs_healthy,
                gangs_total=status.summary.gangs_total,
                pods_ready=status.summary.pods_ready,
                pods_desired=status.summary.pods_desired,
                ok=status.summary.ok,
                state=state,
            )
        )
    return WorkloadList(
        **header(snapshot), items=lines, summary=summarize_items(verdicts, "PodCliqueSet(s)")
    )
