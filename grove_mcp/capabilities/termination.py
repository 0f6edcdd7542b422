"""Grove's gang-termination rules, child by child (grove-facts §2.7; Grove's ``gangterminate.go``
and ``component/utils/podclique.go``).

Per PCS replica, Grove looks at its standalone PodCliques and its scaling groups whose
``MinAvailableBreached`` is True. A child *counts* when the rules of the operator's version say so;
the replica's deadline is the earliest ``lastTransitionTime + terminationDelay`` among the children
that count, and then Grove deletes every PodClique of the replica. A replica whose standalone
PodCliques do not all exist is skipped. A PodClique inside a scaling group whose group is not
breached is recycled on its own: Grove recreates that scaling-group replica.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..grove import Condition, PodClique, PodCliqueScalingGroup
from .grove_version import BREACHED, HEALTHY_OBSERVED, TERMINATING, Rules
from .workload import REPLICA_INDEX, Gang, Workload, replica_index

SCHEDULED = "PodCliqueScheduled"
GRACE = timedelta(seconds=5)  # Grove's InitialScheduleGrace
UNGATED = "Grove up to v0.1.0-alpha.11 counts every breach"


@dataclass(frozen=True)
class Judged:
    """One breached child and whether each rule set lets it arm a termination."""

    subject: str
    action: str
    since: datetime
    counts: Mapping[Rules, bool]
    why: Mapping[Rules, str]
    pcs_level: bool  # True: the whole PCS replica goes; False: one scaling-group replica
    recycling: bool = False

    def deadline(self, delay: timedelta) -> datetime:
        return self.since + delay


@dataclass(frozen=True)
class Outcome:
    """What Grove does to one gang's replica under one rule set: the child that decides (the
    earliest deadline among those that count), if any."""

    rules: Rules
    deciding: Judged | None
    skipped: str | None  # why Grove skips the whole PCS replica


def judge_gang(workload: Workload, gang: Gang) -> list[Judged]:
    """Every breached child whose termination would take this gang's pods: the PCS replica's
    standalone PodCliques and scaling groups, and the gang's own scaling-group PodCliques."""
    judged = _replica_children(workload, gang.replica_index)
    for clique in gang.cliques:
        group = workload.scaling_group_of(clique)
        if group is None or _breach(group.status.condition(BREACHED)) is not None:
            continue
        cond = _breach(clique.status.condition(BREACHED))
        if cond is not None:
            judged.append(_group_member(clique, group, cond))
    return sorted(judged, key=lambda j: (j.since, j.subject))


def outcome(workload: Workload, gang: Gang, judged: list[Judged], rules: Rules) -> Outcome:
    skipped = missing_cliques(workload, gang.replica_index)
    counting = [j for j in judged if j.counts[rules] and not (skipped is not None and j.pcs_level)]
    deciding = min(counting, key=lambda j: (j.since, j.subject), default=None)
    return Outcome(rules, deciding, skipped)


def missing_cliques(workload: Workload, index: int | None) -> str | None:
    """Why Grove skips this PCS replica (a standalone PodClique it expects does not exist)."""
    if index is None:
        return None
    grouped = {
        n for g in workload.pcs.spec.template.pod_clique_scaling_groups for n in g.clique_names
    }
    expected = [
        f"{workload.name}-{index}-{t.name}"
        for t in workload.pcs.spec.template.cliques
        if t.name not in grouped
    ]
    present = {c.name for c in workload.cliques}
    missing = [name for name in expected if name not in present]
    if not missing:
        return None
    return (
        f"PodClique(s) {', '.join(missing)} of replica {index} do not exist (yet): Grove skips "
        "the replica until they do"
    )


def _replica_children(workload: Workload, index: int | None) -> list[Judged]:
    if index is None:
        return []
    replica = f"replica {index}"
    judged = []
    for clique in workload.cliques:
        if replica_index(clique.labels) != index or workload.scaling_group_of(clique):
            continue
        cond = _breach(clique.status.condition(BREACHED))
        if cond is not None:
            counts, why = _clique_gate(clique)
            judged.append(
                Judged(
                    f"podclique/{clique.name}",
                    f"Grove deletes and recreates every PodClique of PCS {replica}",
                    _since(cond),
                    {Rules.gated: counts, Rules.ungated: True},
                    {Rules.gated: why, Rules.ungated: UNGATED},
                    pcs_level=True,
                )
            )
    for group in workload.scaling_groups:
        if group.labels.get(REPLICA_INDEX) != str(index):
            continue
        cond = _breach(group.status.condition(BREACHED))
        if cond is not None:
            judged.append(_group(group, cond, replica))
    return judged


def _group(group: PodCliqueScalingGroup, cond: Condition, replica: str) -> Judged:
    recycling = group.status.condition(TERMINATING)
    if recycling is not None and recycling.is_true:
        when = recycling.last_transition_time
        fired = f" at {when:%Y-%m-%d %H:%M:%SZ}" if when else ""
        counts, why = (
            False,
            f"being recycled: Grove already fired the termination{fired} "
            "(GangTerminationInProgress=True) and starts no new countdown until the group "
            "recovers",
        )
    else:
        counts, why = _group_gate(group, cond)
    return Judged(
        f"podcliquescalinggroup/{group.name}",
        f"Grove deletes and recreates every PodClique of PCS {replica}",
        _since(cond),
        {Rules.gated: counts, Rules.ungated: True},
        {Rules.gated: why, Rules.ungated: UNGATED},
        pcs_level=True,
        recycling=recycling is not None and recycling.is_true,
    )


def _group_member(clique: PodClique, group: PodCliqueScalingGroup, cond: Condition) -> Judged:
    counts, why = _clique_gate(clique)
    return Judged(
        f"podclique/{clique.name}",
        f"Grove recreates this scaling-group replica of {group.name} (if the group still meets "
        "its minAvailable and no update runs)",
        _since(cond),
        {Rules.gated: counts, Rules.ungated: True},
        {Rules.gated: why, Rules.ungated: UNGATED},
        pcs_level=False,
    )


def _clique_gate(clique: PodClique) -> tuple[bool, str]:
    """Grove's WasPCLQEverScheduled, or HealthyStateObserved where the operator writes it."""
    observed = _observed(clique.status.condition(HEALTHY_OBSERVED))
    if observed is not None:
        return observed
    sched = clique.status.condition(SCHEDULED)
    if sched is None:
        return False, (
            f"never scheduled: it has no {SCHEDULED} condition, so Grove does not act on the breach"
        )
    if sched.is_true:
        return True, f"{SCHEDULED}=True: it is scheduled, so the breach counts"
    after = _after_creation(sched, clique.metadata.creation_timestamp)
    if after is not None and after > GRACE:
        return True, (
            f"was scheduled: {SCHEDULED} turned False later than 5 s after creation, so it had "
            "been True"
        )
    return False, (
        f"never scheduled: {SCHEDULED} has been False since creation (initial startup), so "
        "Grove does not act on the breach"
    )


def _group_gate(group: PodCliqueScalingGroup, cond: Condition) -> tuple[bool, str]:
    """Grove's WasPCSGEverHealthy, or HealthyStateObserved where the operator writes it."""
    observed = _observed(group.status.condition(HEALTHY_OBSERVED))
    if observed is not None:
        return observed
    after = _after_creation(cond, group.metadata.creation_timestamp)
    if after is not None and after > GRACE:
        return True, (
            f"was healthy: {BREACHED} turned True later than 5 s after creation, so it had been "
            "False"
        )
    return False, (
        f"never healthy: {BREACHED} has been True since creation (initial startup), so Grove "
        "does not act on it"
    )


def _observed(cond: Condition | None) -> tuple[bool, str] | None:
    if cond is None:
        return None
    if cond.is_true:
        return True, f"{HEALTHY_OBSERVED}=True: Grove saw it healthy, so the breach counts"
    return False, (
        f"{HEALTHY_OBSERVED}={cond.status}: Grove never saw it healthy, so it does not act on "
        "the breach"
    )


def _after_creation(cond: Condition, created: datetime | None) -> timedelta | None:
    if cond.last_transition_time is None or created is None:
        return None
    return cond.last_transition_time - created


def _breach(cond: Condition | None) -> Condition | None:
    """The condition when it is a running breach with a start time."""
    if cond is None or not cond.is_true or cond.last_transition_time is None:
        return None
    return cond


def _since(cond: Condition) -> datetime:
    assert cond.last_transition_time is not None
    return cond.last_transition_time
