"""Gang evaluation shared by status, health and topology: state, counts, derived placement."""

from __future__ import annotations

from dataclasses import dataclass

from ..grove import Pod, PodClique
from ..reports.common import DerivedPlacement, GangState, LevelPlacementReport
from .placement import PlacedPod, Placement, score_placement
from .workload import Gang, Workload

BREACHED = "MinAvailableBreached"


@dataclass(frozen=True)
class GangEvaluation:
    gang: Gang
    state: GangState
    reason: str
    placement: Placement | None

    @property
    def pods_ready(self) -> int:
        return sum(1 for p in self.gang.pods if p.is_ready)


def breach_status(clique: PodClique) -> bool | None:
    cond = clique.status.condition(BREACHED)
    if cond is None or cond.status == "Unknown":
        return None
    return cond.is_true


def placed_pods(workload: Workload, pods: tuple[Pod, ...]) -> list[PlacedPod]:
    """Scheduled pods with their GPUs (device plugin and DRA)."""
    return [
        PlacedPod(p.name, p.spec.node_name, workload.gpus_of(p))
        for p in pods
        if p.spec.node_name and not p.is_terminated
    ]


def derive_placement(workload: Workload, pods: tuple[Pod, ...]) -> Placement | None:
    if not workload.nodes_available:
        return None
    return score_placement(placed_pods(workload, pods), workload.nodes, workload.topology.levels)


def placement_report(placement: Placement | None) -> DerivedPlacement | None:
    if placement is None:
        return None
    return DerivedPlacement(
        score=placement.score,
        gpus=placement.gpus,
        pods_placed=placement.pods,
        levels=[
            LevelPlacementReport(
                domain=lv.domain,
                key=lv.key,
                weight=lv.weight,
                domains_spanned=lv.span,
                minimum_domains=lv.minimum,
                efficiency=round(lv.efficiency, 4),
                domains=list(lv.domains),
            )
            for lv in placement.levels
        ],
    )


def _gang_terminating(workload: Workload, gang: Gang) -> bool:
    """Grove is deleting the gang's PodCliques. (A scaling group's GangTerminationInProgress
    says a deletion already happened and the recreated cliques are coming up: health explains
    it; the gang's state is that of the new cliques.)"""
    return any(c.metadata.deletion_timestamp for c in gang.cliques)


def gang_state(workload: Workload, gang: Gang) -> tuple[GangState, str]:
    """The gang's state and a short reason, from its cliques' counters and conditions."""
    cliques = gang.cliques
    if not cliques:
        return GangState.unknown, "no PodCliques found for this gang"
    if _gang_terminating(workload, gang):
        return GangState.terminating, "Grove is deleting the gang's PodCliques"
    short = [c for c in cliques if c.status.scheduled_replicas < gang.min_replicas(c)]
    gated = [c for c in short if c.status.schedule_gated_replicas > 0]
    foreign = sorted({gate for pod in gang.pods for gate in pod.foreign_gates})
    if gated and foreign:  # scheduleGatedReplicas counts every gate, not only Grove's
        return GangState.gated, f"pods held by scheduling gate {', '.join(foreign)} (not Grove's)"
    waiting = f"base gang {gang.base_gang}" if gang.base_gang else "PodGang initialisation"
    if gated and gang.base_gang:
        return GangState.gated, f"pods gated, waiting for {waiting}"
    breached = [c for c in cliques if breach_status(c) is True]
    if breached:
        names = ", ".join(workload.clique_short_name(c) for c in breached)
        return GangState.breached, f"MinAvailableBreached on {names}"
    if gated:
        return GangState.gated, f"pods gated, waiting for {waiting}"
    if short:
        names = ", ".join(workload.clique_short_name(c) for c in short)
        return GangState.unschedulable, f"fewer than minAvailable pods scheduled in {names}"
    updating = [
        c
        for c in cliques
        if c.status.update_progress is not None and c.status.update_progress.in_progress
    ]
    unready_min = [c for c in cliques if c.status.ready_replicas < gang.min_replicas(c)]
    if updating and (
        unready_min or any(c.status.updated_replicas < c.spec.replicas for c in cliques)
    ):
        return GangState.updating, "rolling update replacing pods"
    if unready_min:
        names = ", ".join(workload.clique_short_name(c) for c in unready_min)
        return GangState.starting, f"waiting for minAvailable ready pods in {names}"
    not_full = [c for c in cliques if c.status.ready_replicas < c.spec.replicas]
    if not_full:
        names = ", ".join(workload.clique_short_name(c) for c in not_full)
        return GangState.degraded, f"above minAvailable but not all pods ready in {names}"
    return GangState.healthy, "all pods ready"


def evaluate_gangs(workload: Workload) -> list[GangEvaluation]:
    result = []
    for gang in workload.gangs:
        state, reason = gang_state(workload, gang)
        result.append(GangEvaluation(gang, state, reason, derive_placement(workload, gang.pods)))
    return result
