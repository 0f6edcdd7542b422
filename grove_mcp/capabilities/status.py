"""``status``: how a PodCliqueSet is doing — its cliques, its gangs, and a one-line summary."""

from __future__ import annotations

from ..reports.common import GangState, Severity, summarize_items, worst
from ..reports.status import CliqueRow, GangRow, Overview, StatusList, StatusReport, StatusSummary
from ..snapshot import Snapshot
from .common import describe_constraint, gang_severity, header, percent, update_report
from .enforcement import constraint_enforcement
from .gangs import breach_status, evaluate_gangs, placement_report
from .workload import Workload, build_workload, replica_index


def build_status(snapshot: Snapshot, name: str) -> StatusReport:
    """The status report of one PodCliqueSet (raises NotFound listing what exists)."""
    return _status(snapshot, build_workload(snapshot, name))


def build_status_all(snapshot: Snapshot) -> StatusList:
    """Status reports of every PodCliqueSet in the snapshot's namespace, by name."""
    items = [build_status(snapshot, n) for n in snapshot.workload_names()]
    return StatusList(
        **header(snapshot),
        items=items,
        summary=summarize_items((i.summary for i in items), "PodCliqueSet(s)"),
    )


def _status(snapshot: Snapshot, workload: Workload) -> StatusReport:
    pcs = workload.pcs
    gang_of = {c.name: g.name for g in workload.gangs for c in g.cliques}
    cliques = [
        CliqueRow(
            name=c.name,
            clique=workload.clique_short_name(c),
            role=c.spec.role_name,
            replica_index=replica_index(c.labels),
            scaling_group=(sg.name if (sg := workload.scaling_group_of(c)) else None),
            gang=gang_of.get(c.name),
            replicas=c.spec.replicas,
            ready=c.status.ready_replicas,
            min_available=c.min_available,
            scheduled=c.status.scheduled_replicas,
            gated=c.status.schedule_gated_replicas,
            updated=c.status.updated_replicas,
            ready_percent=percent(c.status.ready_replicas, c.spec.replicas),
            breached=breach_status(c),
            breach_reason=(
                cond.reason if (cond := c.status.condition("MinAvailableBreached")) else None
            ),
        )
        for c in workload.cliques
    ]
    evaluations = evaluate_gangs(workload)
    gangs = [
        GangRow(
            name=e.gang.name,
            replica_index=e.gang.replica_index,
            base_gang=e.gang.base_gang,
            state=e.state,
            reason=e.reason,
            phase=e.gang.podgang.status.phase if e.gang.podgang else None,
            reported_placement_score=(
                e.gang.podgang.status.placement_score if e.gang.podgang else None
            ),
            derived_placement=placement_report(e.placement),
            pods_ready=e.pods_ready,
            pods_total=len(e.gang.pods),
        )
        for e in evaluations
    ]
    created = pcs.metadata.creation_timestamp
    delay, _ = pcs.termination_delay
    enforcement = constraint_enforcement(pcs)
    overview = Overview(
        name=pcs.name,
        created_at=created,
        age_seconds=int((snapshot.now - created).total_seconds()) if created else None,
        replicas=pcs.spec.replicas,
        available_replicas=pcs.status.available_replicas,
        updated_replicas=pcs.status.updated_replicas,
        update=update_report(pcs.status.update_progress),
        topology_constraint=describe_constraint(pcs.spec.template.topology_constraint),
        termination_delay_seconds=int(delay.total_seconds()),
        topology_enforced=enforcement.enforced,
        topology_not_enforced_why=enforcement.why,
    )
    return StatusReport(
        **header(snapshot, workload),
        overview=overview,
        cliques=cliques,
        gangs=gangs,
        summary=_summary(overview, cliques, gangs),
    )


def _summary(overview: Overview, cliques: list[CliqueRow], gangs: list[GangRow]) -> StatusSummary:
    ready = sum(c.ready for c in cliques)
    desired = sum(c.replicas for c in cliques)
    healthy = sum(1 for g in gangs if g.state == GangState.healthy)
    enforced = overview.topology_enforced is not False
    ok = overview.available_replicas >= overview.replicas and healthy == len(gangs) and enforced
    text = (
        f"{len(cliques)} cliques | {ready}/{desired} pods ready | {healthy}/{len(gangs)} gangs "
        f"healthy | {overview.available_replicas}/{overview.replicas} replicas available"
    )
    if not enforced:  # as topology says it: the scheduler ignores the placement asked for
        text += " | topology constraint NOT ENFORCED"
    return StatusSummary(
        cliques=len(cliques),
        pods_ready=ready,
        pods_desired=desired,
        gangs_healthy=healthy,
        gangs_total=len(gangs),
        ok=ok,
        severity=Severity.info
        if ok
        else worst((gang_severity(g.state) for g in gangs), floor=Severity.warning),
        text=text,
    )
