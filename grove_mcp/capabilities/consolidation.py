"""Consolidation advice: which pods to move into which domain, with room for them shown to exist.

For a gang whose derived score is below 1, try each level where the gang could fit in one
domain but spans several — narrowest first, since one host implies one rack. Candidate targets
are the domains the gang already occupies, most of its GPUs first. The gang's GPU pods outside
the target are placed best-fit onto the target's ready, schedulable nodes whose free GPUs, CPU
and memory hold them and whose taints they tolerate (nodes already hosting the gang first). The
first plan where every move fits is recommended, with the score after the moves; otherwise the
report says what is missing. The scheduler makes the final choice: nodeSelector and affinity are
not evaluated here.
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
    failures: list[_Plan] = []
    for level in levels:
        for target in _candidates(workload, level, pods):
            plan = _plan(workload, level, target, pods, rooms)
            if plan.shortfall is None:
                return _feasible(workload, evaluation, plan, rooms)
            failures.append(plan)
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


def _takes(room: Room, node: Node, pod: Pod, gpus: int) -> bool:
    return (
        room.gpus >= gpus
        and room.cpu >= pod.spec.request("cpu")
        and room.memory >= pod.spec.request("memory")
        and node.admits(pod)
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
        left = room[chosen]
        room[chosen] = replace(
            left,
            gpus=left.gpus - need,
            cpu=left.cpu - pod.spec.request("cpu"),
            memory=left.memory - pod.spec.request("memory"),
        )
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
        chosen = min(fits, key=lambda n: room[n].gpus)
        room[chosen] = replace(room[chosen], gpus=room[chosen].gpus - need)
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
    workload: Workload, evaluation: GangEvaluation, plan: _Plan, rooms: Mapping[str, Room]
) -> Recommendation:
    gang = evaluation.gang
    assert evaluation.placement is not None
    moved = {m.pod: m.to_node for m in plan.moves}
    after = [
        PlacedPod(p.name, moved.get(p.name, p.node), p.gpus)
        for p in placed_pods(workload, gang.pods)
    ]
    placement_after = score_placement(after, workload.nodes, workload.topology.levels)
    score_after = placement_after.score if placement_after else None
    pending = [p for p in gang.pods if not p.spec.node_name and not p.is_terminated]
    pending_fit = _pending_fit(workload, pending, plan)
    level = plan.level.domain
    moved_gpus = sum(m.gpus for m in plan.moves)
    after_text = f"{score_after:.2f}" if score_after is not None else "n/a"
    parts = [
        f"Gang {gang.name} spans {plan.level.span} {level}s but fits in one. Moving "
        f"{len(plan.moves)} pod(s) ({moved_gpus} GPUs) into {level} {plan.target} raises the "
        f"derived score from {evaluation.placement.score:.2f} to {after_text}."
    ]
    if pending_fit is False:
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
    elif pending_fit:
        parts.append("Its unscheduled pods would fit there too.")
    at_min = _at_minimum(workload, evaluation, plan.moves)
    if at_min:
        parts.append(
            f"Deleting a pod takes {', '.join(at_min)} below minAvailable until its replacement "
            "is ready, which starts Grove's termination countdown: move one pod at a time and "
            "wait for it to be Ready."
        )
    parts.append(
        "The scheduler picks the replacement's node: cordoning the old node only keeps it off "
        "that node (nodeSelector and affinity are not checked here)."
    )
    if plan.level.key != HOSTNAME_KEY:
        parts.append(
            f"To keep the gang there, set topologyConstraint.pack.required: {level} "
            "(constraints are immutable: recreate the PodCliqueSet)."
        )
    sources = sorted({m.from_node for m in plan.moves})
    namespace = workload.pcs.metadata.namespace or ""
    commands = [
        f"kubectl cordon {' '.join(sources)}",
        f"kubectl delete pod -n {namespace} {' '.join(m.pod for m in plan.moves)}",
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
