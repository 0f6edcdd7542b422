"""Grove's gang-termination rules, child by child (grove-facts §2.7; Grove's ``gangterminate.go``,
``component/utils/podclique.go`` and the scaling-group ``components/podclique/sync.go``).

Two levels act on a breach (``MinAvailableBreached=True``), each after ``terminationDelay``:

- **PCS replica.** Grove looks at the replica's standalone PodCliques and its scaling groups'
  own conditions. A child *counts* when the rules of the operator's version say so; the
  earliest deadline among those that count decides, and then Grove deletes every PodClique of
  the replica. A replica whose standalone PodCliques do not all exist is skipped, as is one at
  or above ``spec.replicas``.
- **Scaling-group replica.** For each replica of a scaling group, Grove looks at its member
  PodCliques with the same per-clique rule. If the group would be left with fewer healthy
  replicas than its ``minAvailable``, it leaves the group to the PCS level; otherwise it
  recreates each replica whose deadline passed. Not while the group's rolling update runs, nor
  while alpha.12 final migrates PodGangs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..grove import Condition, PodClique, PodCliqueScalingGroup
from .grove_version import BREACHED, HEALTHY_OBSERVED, TERMINATING, Rules
from .workload import REPLICA_INDEX, SCALING_GROUP_LABEL, Gang, Workload, replica_index

SCHEDULED = "PodCliqueScheduled"
MIGRATING = "PodGangMigrationInProgress"  # alpha.12 final (#778)
GROUP_REPLICA = "grove.io/podcliquescalinggroup-replica-index"
GRACE = timedelta(seconds=5)  # Grove's InitialScheduleGrace
UNGATED = "Grove up to v0.1.0-alpha.11 counts every breach"

Verdict = tuple[bool, str]  # counts, and why


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
    groups = {
        c.labels[SCALING_GROUP_LABEL] for c in gang.cliques if SCALING_GROUP_LABEL in c.labels
    }
    for group in sorted(groups):
        judged += _group_replicas(workload, group, {c.name for c in gang.cliques})
    return sorted(judged, key=lambda j: (j.since, j.subject))


def outcome(workload: Workload, gang: Gang, judged: list[Judged], rules: Rules) -> Outcome:
    skipped = skipped_replica(workload, gang.replica_index)
    counting = [j for j in judged if j.counts[rules] and not (skipped and j.pcs_level)]
    deciding = min(counting, key=lambda j: (j.since, j.subject), default=None)
    return Outcome(rules, deciding, skipped)


def skipped_replica(workload: Workload, index: int | None) -> str | None:
    """Why Grove does not evaluate this PCS replica, if it does not."""
    if index is None:
        return None
    if index >= workload.pcs.spec.replicas:
        return f"replica {index} is being scaled in (spec.replicas is {workload.pcs.spec.replicas})"
    expected = [f"{workload.name}-{index}-{name}" for name in _standalone_names(workload)]
    present = {c.name for c in workload.cliques}
    missing = [name for name in expected if name not in present]
    if not missing:
        return None
    return (
        f"PodClique(s) {', '.join(missing)} of replica {index} do not exist (yet): Grove skips "
        "the replica until they do"
    )


def _standalone_names(workload: Workload) -> list[str]:
    """The template's cliques outside every scaling group (Grove's own test, by template)."""
    template = workload.pcs.spec.template
    grouped = {n for g in template.pod_clique_scaling_groups for n in g.clique_names}
    return [t.name for t in template.cliques if t.name not in grouped]


# --- the PCS replica ------------------------------------------------------------------------


def _replica_children(workload: Workload, index: int | None) -> list[Judged]:
    if index is None:
        return []
    action = f"Grove deletes and recreates every PodClique of PCS replica {index}"
    judged = []
    for clique in workload.cliques:
        if replica_index(clique.labels) != index or SCALING_GROUP_LABEL in clique.labels:
            continue
        cond = _breach(clique.status.condition(BREACHED))
        if cond is not None:
            gates = _clique_gates(clique)
            judged.append(
                Judged(
                    f"podclique/{clique.name}",
                    action,
                    _since(cond),
                    {r: v[0] for r, v in gates.items()},
                    {r: v[1] for r, v in gates.items()},
                    pcs_level=True,
                )
            )
    for group in workload.scaling_groups:
        if group.labels.get(REPLICA_INDEX) == str(index):
            cond = _breach(group.status.condition(BREACHED))
            if cond is not None:
                judged.append(_group(group, cond, action))
    return judged


def _group(group: PodCliqueScalingGroup, cond: Condition, action: str) -> Judged:
    recycled = group.status.condition(TERMINATING)
    gates = _group_gates(group, cond)
    if recycled is not None and recycled.is_true:
        when = recycled.last_transition_time
        at = f" at {when:%Y-%m-%d %H:%M:%SZ}" if when else ""
        why = (
            f"recycled{at}: Grove already deleted and recreated the replica's PodCliques for "
            "this breach (GangTerminationInProgress=True) and does not count it again until the "
            "group has recovered"
        )
        gates = {r: (False, why) for r in gates}
    return Judged(
        f"podcliquescalinggroup/{group.name}",
        action,
        _since(cond),
        {r: v[0] for r, v in gates.items()},
        {r: v[1] for r, v in gates.items()},
        pcs_level=True,
        recycling=recycled is not None and recycled.is_true,
    )


# --- the scaling-group replicas -------------------------------------------------------------


@dataclass(frozen=True)
class _GroupShape:
    name: str
    replicas: int
    min_available: int
    updating: bool


def _group_shape(workload: Workload, name: str) -> _GroupShape:
    """The group's replicas and minAvailable from its object, else from the template."""
    group = next((g for g in workload.scaling_groups if g.name == name), None)
    if group is not None:
        progress = group.status.update_progress
        updating = progress is not None and progress.update_ended_at is None
        return _GroupShape(name, group.spec.replicas, group.min_available, updating)
    config = next(
        (
            g
            for g in workload.pcs.spec.template.pod_clique_scaling_groups
            if name.endswith(f"-{g.name}")
        ),
        None,
    )
    replicas = config.replicas if config and config.replicas is not None else 1
    minimum = config.min_available if config and config.min_available is not None else 1
    return _GroupShape(name, replicas, minimum, False)


def _group_replicas(workload: Workload, group_name: str, in_gang: set[str]) -> list[Judged]:
    """The breached member PodCliques of ``group_name`` in this gang, judged as Grove's
    scaling-group reconciler does: over all of the group's replicas."""
    shape = _group_shape(workload, group_name)
    members = [c for c in workload.cliques if c.labels.get(SCALING_GROUP_LABEL) == group_name]
    breached = [(c, cond) for c in members if (cond := _breach(c.status.condition(BREACHED)))]
    by_rules: dict[Rules, set[str]] = {}  # the group replicas breached under each rule set
    for rules in Rules:
        by_rules[rules] = {
            c.labels.get(GROUP_REPLICA, "?") for c, _ in breached if _clique_gates(c)[rules][0]
        }
    migrating = workload.pcs.status.condition(MIGRATING)
    judged = []
    for clique, cond in breached:
        if clique.name not in in_gang:
            continue
        index = clique.labels.get(GROUP_REPLICA, "?")
        gates = dict(_clique_gates(clique))
        for rules, (counts, _why) in gates.items():
            if not counts:
                continue
            if shape.updating:
                gates[rules] = (
                    False,
                    "a rolling update of the group runs: Grove does not "
                    "recycle its replicas meanwhile",
                )
            elif migrating is not None and migrating.is_true:
                gates[rules] = (
                    False,
                    "PodGangs are being migrated (PodGangMigrationInProgress):"
                    " Grove pauses the group's reconcile meanwhile",
                )
            elif shape.replicas - len(by_rules[rules]) < shape.min_available:
                gates[rules] = (
                    False,
                    f"{len(by_rules[rules])} of the group's {shape.replicas} replicas are breached,"
                    f" leaving fewer than its minAvailable {shape.min_available}: Grove leaves it "
                    "to the PCS replica's rule (the group's own MinAvailableBreached)",
                )
        judged.append(
            Judged(
                f"podclique/{clique.name}",
                f"Grove deletes and recreates replica {index} of scaling group {group_name}",
                _since(cond),
                {r: v[0] for r, v in gates.items()},
                {r: v[1] for r, v in gates.items()},
                pcs_level=False,
            )
        )
    return judged


# --- the per-child gates --------------------------------------------------------------------


def _clique_gates(clique: PodClique) -> Mapping[Rules, Verdict]:
    """Whether a breached PodClique counts, per rule set (Grove's WasPCLQEverScheduled)."""
    return {
        Rules.durable: _observed(clique.status.condition(HEALTHY_OBSERVED)),
        Rules.gated: _ever_scheduled(clique),
        Rules.ungated: (True, UNGATED),
    }


def _group_gates(group: PodCliqueScalingGroup, cond: Condition) -> Mapping[Rules, Verdict]:
    """Whether a breached scaling group counts, per rule set (Grove's WasPCSGEverHealthy)."""
    return {
        Rules.durable: _observed(group.status.condition(HEALTHY_OBSERVED)),
        Rules.gated: _ever_healthy(group, cond),
        Rules.ungated: (True, UNGATED),
    }


def _ever_scheduled(clique: PodClique) -> Verdict:
    sched = clique.status.condition(SCHEDULED)
    if sched is None:
        return False, f"never scheduled: it has no {SCHEDULED} condition, so Grove leaves it alone"
    if sched.is_true:
        return True, f"{SCHEDULED}=True: it is scheduled, so the breach counts"
    after = _after_creation(sched, clique.metadata.creation_timestamp)
    if after is not None and after > GRACE:
        return True, (
            f"treated as once scheduled: {SCHEDULED} last changed more than 5 s after creation, "
            "so Grove infers it had been True"
        )
    return False, (
        f"never scheduled: {SCHEDULED} has been False since creation (the clique never had "
        "minAvailable pods scheduled), so Grove leaves the breach alone"
    )


def _ever_healthy(group: PodCliqueScalingGroup, cond: Condition) -> Verdict:
    after = _after_creation(cond, group.metadata.creation_timestamp)
    if after is not None and after > GRACE:
        return True, (
            f"treated as once healthy: {BREACHED} last changed more than 5 s after creation, so "
            "Grove infers it had been False"
        )
    return False, (
        f"never healthy: {BREACHED} has been True since creation (initial startup), so Grove "
        "leaves it alone"
    )


def _observed(cond: Condition | None) -> Verdict:
    if cond is not None and cond.is_true:
        return True, f"{HEALTHY_OBSERVED}=True: Grove saw it healthy, so the breach counts"
    state = "absent" if cond is None else f"{cond.status}"
    return False, (
        f"never seen healthy: {HEALTHY_OBSERVED} is {state}, so Grove leaves the breach alone"
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
