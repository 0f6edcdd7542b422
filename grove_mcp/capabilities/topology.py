"""``topology``: where the pods landed, GPU use around them, verdicts, and how to consolidate."""

from __future__ import annotations

from collections.abc import Mapping

from ..grove import HOSTNAME_KEY, Node, Pod, TopologyConstraint
from ..reports.common import Finding, Severity, Summary, summarize_items, worst
from ..reports.topology import (
    ConstraintInfo,
    DomainPlacement,
    GangPlacement,
    NodePlacement,
    PodPlacement,
    TopologyInfo,
    TopologyLevelInfo,
    TopologyList,
    TopologyReport,
)
from ..snapshot import Snapshot
from .common import header
from .consolidation import recommend
from .enforcement import constraint_enforcement
from .gangs import GangEvaluation, evaluate_gangs, placement_report
from .gpu_usage import NodeGpus, node_rooms, node_usage, sum_usage
from .placement import domain_of
from .workload import PODCLIQUE_LABEL, Workload, build_workload

_ORDER = {Severity.critical: 0, Severity.warning: 1, Severity.info: 2}


def build_topology(snapshot: Snapshot, name: str) -> TopologyReport:
    """The topology report of one PodCliqueSet (raises NotFound listing what exists)."""
    workload = build_workload(snapshot, name)
    evaluations = evaluate_gangs(workload)
    usage = node_usage(snapshot, workload)
    pod_view = _pod_views(workload)
    levels = workload.topology.levels
    gangs = [_gang_placement(e, pod_view) for e in evaluations]
    derived = [g.derived_placement.score for g in gangs if g.derived_placement]
    reported = [
        e.gang.podgang.status.placement_score
        for e in evaluations
        if e.gang.podgang
        and e.gang.podgang.status.placement_score is not None
        and 0.0 <= e.gang.podgang.status.placement_score <= 1.0
    ]
    rooms = node_rooms(snapshot, workload)
    constraints = _constraints(workload)
    recommendations = [r for e in evaluations if (r := recommend(workload, e, rooms))]
    warnings = _warnings(snapshot, workload, evaluations, constraints)
    score = min(derived) if derived else None
    return TopologyReport(
        **header(snapshot, workload),
        name=name,
        topology=TopologyInfo(
            name=workload.topology.name,
            kind=workload.topology.kind,
            levels=[TopologyLevelInfo(domain=lv.domain, key=lv.key) for lv in levels],
        ),
        constraints=constraints,
        constraint_enforced=constraint_enforcement(workload.pcs).enforced,
        placement_score=score,
        reported_placement_score=min(reported) if reported else None,
        gangs=gangs,
        tree=_tree(workload, evaluations, usage, pod_view),
        warnings=warnings,
        recommendations=recommendations,
        summary=_summary(score, warnings, workload.nodes_available),
    )


def build_topology_all(snapshot: Snapshot) -> TopologyList:
    items = [build_topology(snapshot, n) for n in snapshot.workload_names()]
    return TopologyList(
        **header(snapshot),
        items=items,
        summary=summarize_items((i.summary for i in items), "PodCliqueSet(s)"),
    )


def _summary(score: float | None, warnings: list[Finding], nodes_read: bool = True) -> Summary:
    """Not ok when a warning is worse than info (split gang, unscheduled pod …)."""
    problems = [w for w in warnings if w.severity != Severity.info]
    unknown = "none (nothing placed)" if nodes_read else "unknown (nodes not readable)"
    shown = unknown if score is None else f"{score:.2f}"
    text = f"placement score {shown} (derived, lowest gang)"
    if problems:
        codes = sorted({w.code for w in problems})
        text += f" | {len(problems)} problem(s): {', '.join(codes)}"
    return Summary(ok=not problems, severity=worst(w.severity for w in problems), text=text)


def _pod_views(workload: Workload) -> dict[str, PodPlacement]:
    gang_of = {p.name: g.name for g in workload.gangs for p in g.pods}
    short = {c.name: workload.clique_short_name(c) for c in workload.cliques}
    return {
        p.name: PodPlacement(
            name=p.name,
            clique=short.get(p.labels.get(PODCLIQUE_LABEL, ""), "?"),
            gang=gang_of.get(p.name),
            phase=p.status.phase,
            ready=p.is_ready,
            gpus=workload.gpus_of(p),
        )
        for p in workload.pods
    }


def _gang_placement(evaluation: GangEvaluation, pods: Mapping[str, PodPlacement]) -> GangPlacement:
    placement = evaluation.placement
    verdict = (
        "unscored" if placement is None else ("optimal" if placement.score >= 1.0 else "fragmented")
    )
    podgang = evaluation.gang.podgang
    return GangPlacement(
        name=evaluation.gang.name,
        replica_index=evaluation.gang.replica_index,
        reported_placement_score=podgang.status.placement_score if podgang else None,
        derived_placement=placement_report(placement),
        verdict=verdict,  # type: ignore[arg-type]
        unscheduled_pods=[
            pods[p.name]
            for p in evaluation.gang.pods
            if not p.spec.node_name and not p.is_terminated
        ],
    )


def _constraints(workload: Workload) -> list[ConstraintInfo]:
    template = workload.pcs.spec.template
    scoped: list[tuple[str, TopologyConstraint | None]] = [
        ("podcliqueset", template.topology_constraint),
        *(
            (f"scalinggroup/{g.name}", g.topology_constraint)
            for g in template.pod_clique_scaling_groups
        ),
        *((f"clique/{c.name}", c.topology_constraint) for c in template.cliques),
    ]
    return [
        ConstraintInfo(
            scope=scope,
            required=c.required,
            preferred=c.preferred,
            topology_name=c.topology_name,
            legacy_pack_domain=c.is_legacy,
        )
        for scope, c in scoped
        if c is not None
    ]


def _tree_levels(workload: Workload) -> list[tuple[str, str]]:
    """Levels drawn as domains: those above the host level (nodes are the leaves)."""
    levels = [(lv.domain, lv.key) for lv in workload.topology.levels]
    keys = [key for _, key in levels]
    return levels[: keys.index(HOSTNAME_KEY)] if HOSTNAME_KEY in keys else levels


def _tree(
    workload: Workload,
    evaluations: list[GangEvaluation],
    usage: Mapping[str, NodeGpus],
    pods: Mapping[str, PodPlacement],
) -> list[DomainPlacement]:
    levels = _tree_levels(workload) if workload.nodes_available else []
    placed = [p for p in workload.pods if p.spec.node_name and not p.is_terminated]
    if not levels:  # hosts only, or nodes unreadable (their domains are unknown)
        nodes = sorted({p.spec.node_name or "" for p in placed})
        split = any(
            lv.span > lv.minimum
            for e in evaluations
            if e.placement is not None
            for lv in e.placement.levels
        )
        return [
            DomainPlacement(
                level="cluster",
                name="all nodes",
                verdict="fragmented" if split else "optimal",
                gpus=sum_usage(usage[n] for n in nodes if n in usage).report(),
                domains=[],
                nodes=[_node(workload, n, usage, pods, placed) for n in nodes],
            )
        ]
    all_nodes = list(workload.nodes.values())

    def path(node_name: str) -> tuple[str, ...]:
        node = workload.nodes.get(node_name)
        return tuple(domain_of(node_name, node, key) for _, key in levels)

    node_paths = {n.name: path(n.name) for n in all_nodes}  # once: the tree asks per level
    occupied = {
        node_paths.get(p.spec.node_name or "") or path(p.spec.node_name or "") for p in placed
    }
    fragmented = _fragmented_domains(evaluations, workload, levels)

    def build(depth: int, prefix: tuple[str, ...]) -> list[DomainPlacement]:
        paths = [*occupied, *node_paths.values()]
        names = sorted({p[depth] for p in paths if p[:depth] == prefix})
        result = []
        for name in names:
            here = (*prefix, name)
            members = [n for n in all_nodes if node_paths[n.name][: depth + 1] == here]
            if not any(p[: depth + 1] == here for p in occupied):
                result.append(_collapsed(levels[depth][0], name, members, usage))
                continue
            leaf = depth == len(levels) - 1
            result.append(
                DomainPlacement(
                    level=levels[depth][0],
                    name=name,
                    verdict="fragmented" if (depth, name) in fragmented else "optimal",
                    gpus=sum_usage(usage[n.name] for n in members if n.name in usage).report(),
                    domains=[] if leaf else build(depth + 1, here),
                    nodes=[
                        _node(workload, n.name, usage, pods, placed)
                        for n in sorted(members, key=lambda n: n.name)
                    ]
                    if leaf
                    else [],
                )
            )
        return result

    return build(0, ())


def _collapsed(
    level: str, name: str, members: list[Node], usage: Mapping[str, NodeGpus]
) -> DomainPlacement:
    """One line for a domain without this workload's pods: its nodes and their GPUs."""
    return DomainPlacement(
        level=level,
        name=name,
        verdict="unoccupied",
        gpus=sum_usage(usage[n.name] for n in members if n.name in usage).report(),
        domains=[],
        nodes=[],
        node_names=sorted(n.name for n in members),
    )


def _fragmented_domains(
    evaluations: list[GangEvaluation], workload: Workload, levels: list[tuple[str, str]]
) -> set[tuple[int, str]]:
    result: set[tuple[int, str]] = set()
    for evaluation in evaluations:
        if evaluation.placement is None:
            continue
        for depth, (domain, _) in enumerate(levels):
            level = evaluation.placement.level(domain)
            if level is not None and level.span > level.minimum:
                result.update((depth, d) for d in level.domains)
    return result


def _node(
    workload: Workload,
    name: str,
    usage: Mapping[str, NodeGpus],
    pods: Mapping[str, PodPlacement],
    placed: list[Pod],
) -> NodePlacement:
    node: Node | None = workload.nodes.get(name)
    gpus = usage.get(name, NodeGpus(0, 0, None))
    return NodePlacement(
        name=name,
        ready=node.is_ready if node else None,
        schedulable=not node.spec.unschedulable if node else None,
        gpus=gpus.report(),
        pods=[pods[p.name] for p in placed if p.spec.node_name == name],
    )


def _unscheduled(workload: Workload, evaluation: GangEvaluation) -> list[Finding]:
    unscheduled = [p for p in evaluation.gang.pods if not p.spec.node_name and not p.is_terminated]
    if not unscheduled:
        return []
    return [
        Finding(
            code="PODS_UNSCHEDULED",
            severity=Severity.critical,
            subject=f"podgang/{evaluation.gang.name}",
            message=f"{len(unscheduled)} pod(s) of gang {evaluation.gang.name} have no node.",
            evidence=[p.name for p in unscheduled],
            remediation=f"kubectl grove health {workload.name} -n "
            f"{workload.pcs.metadata.namespace} shows why.",
        )
    ]


def _warnings(
    snapshot: Snapshot,
    workload: Workload,
    evaluations: list[GangEvaluation],
    constraints: list[ConstraintInfo],
) -> list[Finding]:
    warnings: list[Finding] = []
    constraint = workload.pcs.spec.template.topology_constraint
    enforcement = constraint_enforcement(workload.pcs)
    if enforcement.enforced is False:
        warnings.append(
            Finding(
                code="CONSTRAINT_NOT_ENFORCED",
                severity=Severity.warning,
                subject=f"podcliqueset/{workload.name}",
                message=f"The topology constraint is not enforced: {enforcement.why}. The "
                "scheduler places the gangs without it.",
                evidence=[enforcement.evidence or ""],
                remediation=enforcement.remediation or "",
            )
        )
    for evaluation in evaluations:
        warnings += _unscheduled(workload, evaluation)  # known without nodes too
        placement = evaluation.placement
        if placement is None:
            continue
        split = [lv for lv in placement.levels if lv.span > lv.minimum]
        if split:
            broadest = split[0]
            warnings.append(
                Finding(
                    code="GANG_SPLIT",
                    severity=Severity.warning,
                    subject=f"podgang/{evaluation.gang.name}",
                    message=f"Gang {evaluation.gang.name} spans {broadest.span} {broadest.domain}s "
                    f"({', '.join(broadest.domains)}) but fits in {broadest.minimum}; derived "
                    f"placement score {placement.score:.2f}.",
                    evidence=[
                        f"{lv.domain}: {lv.span} spanned, {lv.minimum} needed" for lv in split
                    ],
                    remediation="See the recommendation below; a pack.required constraint at that "
                    "level keeps the scheduler from splitting it.",
                )
            )
    if not any(c.required for c in constraints):
        warnings.append(
            Finding(
                code="NO_PACK_CONSTRAINT",
                severity=Severity.info,
                subject=f"podcliqueset/{workload.name}",
                message="No required pack constraint at any level (PodCliqueSet, scaling group or "
                "clique): the scheduler may spread a gang across racks.",
                remediation="Set spec.template.topologyConstraint.pack.required (e.g. rack) when you "
                "create the PodCliqueSet.",
            )
        )
    elif constraint is not None and constraint.is_legacy:
        warnings.append(
            Finding(
                code="LEGACY_PACK_DOMAIN",
                severity=Severity.info,
                subject=f"podcliqueset/{workload.name}",
                message=f"Uses the deprecated packDomain={constraint.pack_domain}.",
                remediation="Use topologyConstraint.pack.required on new PodCliqueSets.",
            )
        )
    for node_name in sorted({p.spec.node_name for p in workload.pods if p.spec.node_name}):
        node = workload.nodes.get(node_name)
        missing = [
            lv.key
            for lv in workload.topology.levels
            if node is not None and lv.key not in node.labels
        ]
        if node is None and workload.nodes_available:
            warnings.append(
                Finding(
                    code="NODE_MISSING",
                    severity=Severity.warning,
                    subject=f"node/{node_name}",
                    message=f"Pods run on node {node_name}, which is not in the node list.",
                    remediation="The node was deleted; its pods will be replaced.",
                )
            )
        elif missing:
            warnings.append(
                Finding(
                    code="TOPOLOGY_LABEL_MISSING",
                    severity=Severity.warning,
                    subject=f"node/{node_name}",
                    message=f"Node {node_name} lacks topology label(s) {', '.join(missing)}.",
                    remediation="Label the node, or fix the ClusterTopologyBinding's keys.",
                )
            )
    if snapshot.cluster_pods is None:
        warnings.append(
            Finding(
                code="GPU_USAGE_UNKNOWN",
                severity=Severity.info,
                subject="pods/all-namespaces",
                message="Pods of other workloads could not be listed: their GPUs and the free GPUs "
                "are unknown.",
                remediation="Grant 'list pods' across all namespaces to see free GPUs.",
            )
        )
    if not workload.nodes_available:
        warnings.append(
            Finding(
                code="NODES_UNREADABLE",
                severity=Severity.warning,
                subject="nodes",
                message="Nodes could not be listed: domains and scores are unknown.",
                remediation="Grant 'list nodes' (cluster-scoped).",
            )
        )
    return sorted(warnings, key=lambda f: (_ORDER[f.severity], f.subject, f.code))
