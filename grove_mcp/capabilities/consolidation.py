"""Consolidation advice: which pods to move into which domain, feasible with the free GPUs shown.

For a gang whose derived score is below 1, try each level where the gang could fit in one
domain but spans several — narrowest first, since one host implies one rack. Candidate targets
are the domains the gang already occupies, most of its GPUs first. Pods outside the target are
placed best-fit onto the target's ready, schedulable nodes (nodes already hosting the gang
first). The first plan where every move fits is recommended, with the score after the move;
otherwise the report says what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..grove import HOSTNAME_KEY, Node, Pod
from ..reports.topology import Move, Recommendation
from .gangs import GangEvaluation, placed_pods
from .gpu_usage import NodeGpus, pod_gpus, usable
from .placement import LevelPlacement, PlacedPod, domain_of, score_placement
from .workload import Workload


@dataclass(frozen=True)
class _Plan:
    level: LevelPlacement
    target: str
    moves: list[Move]
    shortfall: str | None
    free_after: dict[str, int]


def recommend(
    workload: Workload,
    evaluation: GangEvaluation,
    usage: Mapping[str, NodeGpus],
    dra: Mapping[str, int],
) -> Recommendation | None:
    placement = evaluation.placement
    if placement is None or placement.score >= 1.0:
        return None
    gang = evaluation.gang
    levels = [lv for lv in reversed(placement.levels) if lv.minimum == 1 and lv.span > 1]
    if not levels:
        return None
    if any(u.free is None for u in usage.values()):
        return Recommendation(
            gang=gang.name,
            level=levels[-1].domain,
            target_domain=None,
            feasible=False,
            moves=[],
            score_before=placement.score,
            score_after=None,
            pending_pods_fit=None,
            explanation="Free GPUs are unknown (pods of other workloads could not be listed "
            "cluster-wide), so no move can be shown to fit. Grant 'list pods' cluster-wide.",
            commands=[],
        )
    scheduled = [p for p in gang.pods if p.spec.node_name and not p.is_terminated]
    failures: list[_Plan] = []
    for level in levels:
        for target in _candidates(level, scheduled, workload.nodes, dra):
            plan = _plan(workload, level, target, scheduled, usage, dra)
            if plan.shortfall is None:
                return _feasible(workload, evaluation, plan, dra)
            failures.append(plan)
    # Explain with the broadest level's best candidate: the least demanding ask.
    best = next(plan for plan in failures if plan.level is levels[-1])
    return Recommendation(
        gang=gang.name,
        level=best.level.domain,
        target_domain=best.target,
        feasible=False,
        moves=[],
        score_before=placement.score,
        score_after=None,
        pending_pods_fit=None,
        explanation=f"No feasible consolidation with today's free GPUs: {best.shortfall}",
        commands=[],
    )


def _candidates(
    level: LevelPlacement, pods: list[Pod], nodes: Mapping[str, Node], dra: Mapping[str, int]
) -> list[str]:
    weight: dict[str, tuple[int, int]] = {}
    for pod in pods:
        domain = domain_of(pod.spec.node_name or "", nodes.get(pod.spec.node_name or ""), level.key)
        gpus, count = weight.get(domain, (0, 0))
        weight[domain] = (gpus + pod_gpus(pod, dra), count + 1)
    return sorted(weight, key=lambda d: (-weight[d][0], -weight[d][1], d))


def _plan(
    workload: Workload,
    level: LevelPlacement,
    target: str,
    pods: list[Pod],
    usage: Mapping[str, NodeGpus],
    dra: Mapping[str, int],
) -> _Plan:
    nodes = [n for n in workload.nodes.values() if domain_of(n.name, n, level.key) == target]
    hosting = {p.spec.node_name for p in pods}
    free = {n.name: usage[n.name].free or 0 for n in nodes if usable(n) and n.name in usage}
    moving = sorted(
        (p for p in pods if p.spec.node_name not in {n.name for n in nodes}),
        key=lambda p: (-pod_gpus(p, dra), p.name),
    )
    moves: list[Move] = []
    for pod in moving:
        need = pod_gpus(pod, dra)
        fits = [n for n in free if free[n] >= need]
        if not fits:
            biggest = max(free.values(), default=0)
            where = f"{level.domain} {target}"
            return _Plan(
                level,
                target,
                moves,
                f"moving {pod.name} ({need} GPU{'s' if need != 1 else ''}) into {where} "
                f"needs a node with {need} free GPUs; the most free on one schedulable "
                f"node there is {biggest} ({sum(free.values())} free in all).",
                free,
            )
        chosen = min(fits, key=lambda n: (n not in hosting, free[n], n))
        free[chosen] -= need
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
    return _Plan(level, target, moves, None, free)


def _feasible(
    workload: Workload, evaluation: GangEvaluation, plan: _Plan, dra: Mapping[str, int]
) -> Recommendation:
    gang = evaluation.gang
    assert evaluation.placement is not None
    moved = {m.pod: m.to_node for m in plan.moves}
    after = [PlacedPod(p.name, moved.get(p.name, p.node), p.gpus) for p in placed_pods(gang.pods)]
    placement_after = score_placement(after, workload.nodes, workload.topology.levels)
    score_after = placement_after.score if placement_after else None
    pending = [p for p in gang.pods if not p.spec.node_name and not p.is_terminated]
    free = dict(plan.free_after)
    pending_fit: bool | None = None
    if pending:
        pending_fit = True
        for pod in sorted(pending, key=lambda p: -pod_gpus(p, dra)):
            fits = [n for n in free if free[n] >= pod_gpus(pod, dra)]
            if not fits:
                pending_fit = False
                break
            free[min(fits, key=lambda n: free[n])] -= pod_gpus(pod, dra)
    level = plan.level.domain
    moved_gpus = sum(m.gpus for m in plan.moves)
    explanation = (
        f"Gang {gang.name} spans {plan.level.span} {level}s but fits in one. Moving "
        f"{len(plan.moves)} pod(s) ({moved_gpus} GPUs) into {level} {plan.target} "
        f"raises the derived score from {evaluation.placement.score:.2f} to "
        f"{score_after:.2f}."
    )
    if pending_fit is False:
        biggest = max(pod_gpus(p, dra) for p in pending)
        explanation += (
            f" Its unscheduled pods would still not fit there ({biggest} GPUs needed "
            f"on one node, at most {max(free.values(), default=0)} free after the "
            "moves): free GPUs on one node of that domain."
        )
    elif pending_fit:
        explanation += " Its unscheduled pods would fit there too."
    if plan.level.key != HOSTNAME_KEY:
        explanation += (
            f" To keep it there, set topologyConstraint.pack.required: {level} "
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
        explanation=explanation,
        commands=commands,
    )
