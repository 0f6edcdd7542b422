"""Consolidation advice: which pods to move into which domain, with room for them shown to exist.

For a gang whose derived score is below 1, try each level where the gang could fit in one
domain but spans several — narrowest first, since one host implies one rack. Candidate targets
are the domains the gang already occupies, most of its GPUs first, and — for a gang with pods
still pending — the other domains, most free GPUs first. The gang's GPU pods outside the target
are placed best-fit onto the target's ready, schedulable nodes whose free GPUs, CPU and memory
hold them, whose taints they tolerate and whose labels satisfy their nodeSelector and required
node affinity (nodes already hosting the gang first).

The target is chosen for the whole gang's GPU demand, placed and pending: the first plan where
every move fits *and* the pending pods fit in what is left is recommended; an unoccupied domain
qualifies only that way. When no target can hold everything, the first plan where the moves fit
is recommended and the explanation says the pending pods fit nowhere; when no move fits at all,
the report says what is missing. The scheduler makes the final choice: preferred affinity and
pod (anti-)affinity are not evaluated here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from ..grove import HOSTNAME_KEY, Node, Pod
from ..reports.topology import Move, Recommendation
from .gangs import GangEvaluation, placed_pods
from .gpu_usage import Room, usable
from .placement import LevelPlacement, PlacedPod, domain_of, score_placement
from .workload import PODCLIQUE_LABEL, Workload


@dataclass(frozen=True)
class _Plan:
    level: LevelPlacement
    target: str
    moves: list[Move]
    shortfall: str | None
    rooms_after: dict[str, Room]


def recommend(
    workload: Workload, evaluation: GangEvaluation, rooms: Mapping[str, Room] | None
) -> Recommendation | None:
    """Advice for one gang: a feasible plan, or why there is none; None when nothing to do."""
    placement = evaluation.placement
    if placement is None or placement.score >= 1.0:
        return None
    levels = [lv for lv in reversed(placement.levels) if lv.minimum == 1 and lv.span > 1]
    if not levels:
        return None
    if rooms is None:
        return _infeasible(
            evaluation,
            levels[-1].domain,
            None,
            "Free GPUs are unknown (pods of other workloads could not be listed cluster-wide), "
            "so no move can be shown to fit. Grant 'list pods' across all namespaces.",
        )
    pods = [
        p
        for p in evaluation.gang.pods
        if p.spec.node_name and not p.is_terminated and workload.gpus_of(p) > 0
    ]
    pending = [p for p in evaluation.gang.pods if _waiting(p)]
    feasible: list[_Plan] = []
    whole: _Plan | None = None
    failures: list[_Plan] = []
    for level in levels:
        occupied = _candidates(workload, level, pods)
        others = _unoccupied(workload, level, occupied, rooms) if pending else []
        for target in [*occupied, *others]:
            plan = _plan(workload, level, target, pods, rooms)
            if plan.shortfall is not None:
                failures.append(plan)
            elif target in occupied or _pending_fit(workload, pending, plan):
                feasible.append(plan)
                if whole is None and _pending_fit(workload, pending, plan) is not False:
                    whole = plan
    if feasible:
        return _feasible(workload, evaluation, whole or feasible[0], rooms, feasible[0])
    # Explain with the broadest level's best candidate: the least demanding ask.
    best = next(plan for plan in failures if plan.level is levels[-1])
    return _infeasible(
        evaluation,
        best.level.domain,
        best.target,
        f"No feasible consolidation with today's free capacity: {best.shortfall}",
    )


def _infeasible(
    evaluation: GangEvaluation, level: str, target: str | None, why: str
) -> Recommendation:
    assert evaluation.placement is not None
    return Recommendation(
        gang=evaluation.gang.name,
        level=level,
        target_domain=target,
        feasible=False,
        moves=[],
        score_before=evaluation.placement.score,
        score_after=None,
        pending_pods_fit=None,
        explanation=why,
        commands=[],
    )


def _candidates(workload: Workload, level: LevelPlacement, pods: list[Pod]) -> list[str]:
    weight: dict[str, tuple[int, int]] = {}
    for pod in pods:
        node = pod.spec.node_name or ""
        domain = domain_of(node, workload.nodes.get(node), level.key)
        gpus, count = weight.get(domain, (0, 0))
        weight[domain] = (gpus + workload.gpus_of(pod), count + 1)
    return sorted(weight, key=lambda d: (-weight[d][0], -weight[d][1], d))


def _waiting(pod: Pod) -> bool:
    """A pod of the gang still without a node."""
    return not pod.spec.node_name and not pod.is_terminated


def _unoccupied(
    workload: Workload, level: LevelPlacement, occupied: list[str], rooms: Mapping[str, Room]
) -> list[str]:
    """The level's other domains with schedulable nodes, most free GPUs first."""
    free: dict[str, int] = {}
    for name, node in workload.nodes.items():
        domain = domain_of(name, node, level.key)
        if domain not in occupied and name in rooms and usable(node):
            free[domain] = free.get(domain, 0) + rooms[name].gpus
    return sorted(free, key=lambda d: (-free[d], d))


def _takes(room: Room, node: Node, pod: Pod, gpus: int) -> bool:
    return (
        room.gpus >= gpus
        and room.cpu >= pod.spec.request("cpu")
        and room.memory >= pod.spec.request("memory")
        and node.admits(pod)
        and pod.spec.allows(node.labels, node.name)
    )


def _taken(room: Room, pod: Pod, gpus: int) -> Room:
    return replace(
        room,
        gpus=room.gpus - gpus,
        cpu=room.cpu - pod.spec.request("cpu"),
        memory=room.memory - pod.spec.request("memory"),
    )


def _plan(
    workload: Workload,
    level: LevelPlacement,
    target: str,
    pods: list[Pod],
    rooms: Mapping[str, Room],
) -> _Plan:
    nodes = {
        n.name: n
        for n in workload.nodes.values()
        if domain_of(n.name, n, level.key) == target and usable(n) and n.name in rooms
    }
    inside = {n.name for n in workload.nodes.values() if domain_of(n.name, n, level.key) == target}
    hosting = {p.spec.node_name for p in pods}
    room = {name: rooms[name] for name in nodes}
    moving = sorted(
        (p for p in pods if p.spec.node_name not in inside),
        key=lambda p: (-workload.gpus_of(p), p.name),
    )
    moves: list[Move] = []
    for pod in moving:
        need = workload.gpus_of(pod)
        fits = [n for n in room if _takes(room[n], nodes[n], pod, need)]
        if not fits:
            most = max((r.gpus for r in room.values()), default=0)
            return _Plan(
                level,
                target,
                moves,
                f"moving {pod.name} ({need} GPU{'s' if need != 1 else ''}) into "
                f"{level.domain} {target} needs a schedulable node with {need} free GPUs and "
                f"room for its CPU and memory requests that tolerates its taints; the most free "
                f"GPUs on one schedulable node there is {most} "
                f"({sum(r.gpus for r in room.values())} free in all).",
                room,
            )
        chosen = min(fits, key=lambda n: (n not in hosting, room[n].gpus, n))
        room[chosen] = _taken(room[chosen], pod, need)
        source = pod.spec.node_name or ""
        moves.append(
            Move(
                pod=pod.name,
                gpus=need,
                from_node=source,
                from_domain=domain_of(source, workload.nodes.get(source), level.key),
                to_node=chosen,
            )
        )
    return _Plan(level, target, moves, None, room)


def _pending_fit(workload: Workload, pending: list[Pod], plan: _Plan) -> bool | None:
    if not pending:
        return None
    room = dict(plan.rooms_after)
    for pod in sorted(pending, key=lambda p: -workload.gpus_of(p)):
        need = workload.gpus_of(pod)
        fits = [n for n in room if _takes(room[n], workload.nodes[n], pod, need)]
        if not fits:
            return False
        chosen = min(fits, key=lambda n: (room[n].gpus, n))
        room[chosen] = _taken(room[chosen], pod, need)
    return True


def _at_minimum(workload: Workload, evaluation: GangEvaluation, moves: list[Move]) -> list[str]:
    """Cliques that a move would take below minAvailable while its replacement starts."""
    names = {m.pod for m in moves}
    at_min = []
    for clique in evaluation.gang.cliques:
        moved = [
            p
            for p in evaluation.gang.pods
            if p.name in names and p.labels.get(PODCLIQUE_LABEL) == clique.name
        ]
        if moved and clique.status.ready_replicas - 1 < evaluation.gang.min_replicas(clique):
            at_min.append(workload.clique_short_name(clique))
    return at_min


def _elsewhere(
    workload: Workload, pending: list[Pod], plan: _Plan, rooms: Mapping[str, Room]
) -> list[str]:
    """Nodes outside the target where an unscheduled pod would fit once the moves free room."""
    freed = dict(rooms)
    for move in plan.moves:
        if move.from_node not in freed:  # a node the snapshot does not hold (deleted): no room
            continue
        pod = next(p for p in workload.pods if p.name == move.pod)
        left = freed[move.from_node]
        freed[move.from_node] = replace(
            left,
            gpus=left.gpus + move.gpus,
            cpu=left.cpu + pod.spec.request("cpu"),
            memory=left.memory + pod.spec.request("memory"),
        )
    outside = [
        n
        for n, node in workload.nodes.items()
        if n in freed and n not in plan.rooms_after and usable(node)
    ]
    return sorted(
        n
        for n in outside
        if any(_takes(freed[n], workload.nodes[n], p, workload.gpus_of(p)) for p in pending)
    )


def _feasible(
    workload: Workload,
    evaluation: GangEvaluation,
    plan: _Plan,
    rooms: Mapping[str, Room],
    first: _Plan,
) -> Recommendation:
    """The recommendation of ``plan``; ``first`` is the plan chosen for the placed pods alone."""
    gang = evaluation.gang
    assert evaluation.placement is not None
    moved = {m.pod: m.to_node for m in plan.moves}
    after = [
        PlacedPod(p.name, moved.get(p.name, p.node), p.gpus)
        for p in placed_pods(workload, gang.pods)
    ]
    placement_after = score_placement(after, workload.nodes, workload.topology.levels)
    score_after = placement_after.score if placement_after else None
    pending = [p for p in gang.pods if _waiting(p)]
    pending_fit = _pending_fit(workload, pending, plan)
    level = plan.level.domain
    moved_gpus = sum(m.gpus for m in plan.moves)
    after_text = f"{score_after:.2f}" if score_after is not None else "n/a"
    parts = [
        f"Gang {gang.name} spans {plan.level.span} {level}s but fits in one. Moving "
        f"{len(plan.moves)} pod(s) ({moved_gpus} GPUs) into {level} {plan.target} raises the "
        f"derived score from {evaluation.placement.score:.2f} to {after_text}."
    ]
    if pending_fit and plan is not first:
        parts.append(
            f"{level.capitalize()} {plan.target} is chosen for the whole gang: its unscheduled "
            f"pods fit there too, so the gang can complete, while {first.level.domain} "
            f"{first.target}, which needs fewer moves, would have no room left for them."
        )
    elif pending_fit:
        parts.append("Its unscheduled pods would fit there too, so the gang can complete.")
    if pending_fit is False:
        placed = sum(p.gpus for p in placed_pods(workload, gang.pods))
        waiting = sum(workload.gpus_of(p) for p in pending)
        parts.append(
            f"No candidate domain can hold the whole gang ({placed} GPUs placed + {waiting} "
            "pending) with today's free GPUs: this plan consolidates the placed pods only."
        )
        biggest = max(workload.gpus_of(p) for p in pending)
        most = max((r.gpus for r in plan.rooms_after.values()), default=0)
        parts.append(
            f"Its unscheduled pods would still not fit there ({biggest} GPUs needed on one node, "
            f"at most {most} free after the moves); that domain needs more free GPUs on one node."
        )
        elsewhere = _elsewhere(workload, pending, plan, rooms)
        if elsewhere:
            parts.append(
                f"Beware: the moves free room on {', '.join(elsewhere)}, outside {level} "
                f"{plan.target}, where an unscheduled pod would then fit and split the gang "
                f"again unless pack.required: {level} is set."
            )
    at_min = _at_minimum(workload, evaluation, plan.moves)
    if at_min:
        parts.append(
            f"Deleting a pod takes {', '.join(at_min)} below minAvailable until its replacement "
            "is ready, which starts Grove's termination countdown: move one pod at a time and "
            "wait for it to be Ready."
        )
    parts.append(
        "The scheduler picks the replacement's node: cordoning the old node only keeps it off "
        "that node (preferred and pod affinity are not checked here)."
    )
    if plan.level.key != HOSTNAME_KEY:
        parts.append(
            f"To keep the gang there, set topologyConstraint.pack.required: {level} "
            "(constraints are immutable: recreate the PodCliqueSet)."
        )
    sources = sorted({m.from_node for m in plan.moves})
    namespace = workload.pcs.metadata.namespace or ""
    deletes = (  # one at a time, as the text says, when a deletion breaches a clique
        [
            f"kubectl delete pod -n {namespace} {m.pod}   # then wait until its replacement is Ready"
            for m in plan.moves
        ]
        if at_min
        else [f"kubectl delete pod -n {namespace} {' '.join(m.pod for m in plan.moves)}"]
    )
    commands = [
        f"kubectl cordon {' '.join(sources)}",
        *deletes,
        f"kubectl uncordon {' '.join(sources)}   # once the new pods run in {plan.target}",
    ]
    return Recommendation(
        gang=gang.name,
        level=level,
        target_domain=plan.target,
        feasible=True,
        moves=plan.moves,
        score_before=evaluation.placement.score,
        score_after=score_after,
        pending_pods_fit=pending_fit,
        explanation=" ".join(parts),
        commands=commands,
    )
