"""``topology`` as terminal text: hierarchy, constraint, domain tree with GPU bars, advice."""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text
from rich.tree import Tree

from ..reports.topology import (
    DomainPlacement,
    GpuUsage,
    NodePlacement,
    PodPlacement,
    Recommendation,
    TopologyList,
    TopologyReport,
)
from .widgets import (
    Hanging,
    Parts,
    ShellCommand,
    finding_lines,
    gpu_bar,
    note_lines,
    score_text,
    verdict_line,
)


def _usage(gpus: GpuUsage) -> str:
    other = "?" if gpus.other_workloads is None else str(gpus.other_workloads)
    free = "?" if gpus.free is None else str(gpus.free)
    allocatable = "?" if gpus.allocatable is None else gpus.allocatable
    return f"{gpus.this_workload} this, {other} other, {free} free of {allocatable}"


_VERDICT_STYLE = {"optimal": "green", "fragmented": "yellow", "unoccupied": "dim"}


def _domain_label(domain: DomainPlacement) -> Text:
    style = _VERDICT_STYLE[domain.verdict]
    text = Text(f"{domain.level} ", style="dim")
    text.append(domain.name, style="bold" if domain.verdict != "unoccupied" else "")
    text.append(f" [{domain.verdict}]", style=style)
    if domain.verdict == "fragmented":
        text.append(" ⚠", style=style)
    text.append(f"  {_usage(domain.gpus)} GPUs", style="dim")
    if domain.node_names:  # collapsed: none of this workload's pods here
        text.append(f"  nodes: {', '.join(domain.node_names)}", style="dim")
    return text


def _node_label(node: NodePlacement) -> Text:
    text = Text(node.name, style="bold")
    text.append(": ")
    text.append_text(
        gpu_bar(node.gpus.this_workload, node.gpus.other_workloads, node.gpus.allocatable)
    )
    text.append(f" {_usage(node.gpus)}", style="dim")
    if not node.ready:
        text.append(" NotReady", style="red")
    if not node.schedulable:
        text.append(" cordoned", style="yellow")
    return text


def _add_domain(tree: Tree, domain: DomainPlacement, clique_width: int) -> None:
    branch = tree.add(Hanging(_domain_label(domain)))
    for child in domain.domains:
        _add_domain(branch, child, clique_width)
    for node in domain.nodes:
        leaf = branch.add(Hanging(_node_label(node)))
        for pod in node.pods:
            style = "green" if pod.ready else "yellow"
            line = Text(f"{pod.clique:<{clique_width}} ", style="cyan")
            line.append(pod.name)
            line.append(f"  {pod.phase or '?'}", style=style)
            line.append(f"  {pod.gpus} GPU{'s' if pod.gpus != 1 else ''}", style="dim")
            leaf.add(Hanging(line, 0, clique_width + 1))


def _pods(domains: list[DomainPlacement]) -> Iterator[PodPlacement]:
    for domain in domains:
        yield from _pods(domain.domains)
        for node in domain.nodes:
            yield from node.pods


def _recommendation(rec: Recommendation) -> list[RenderableType]:
    if not rec.feasible:
        text = Text(f"Gang {rec.gang}: ", style="bold")
        text.append(rec.explanation)
        return [Hanging(text, 2), Text()]
    head = Text(f"Consolidate {rec.gang} into {rec.level} {rec.target_domain}: ", style="bold")
    head.append(f"score {rec.score_before:.2f} → {rec.score_after:.2f}", style="green")
    lines: list[RenderableType] = [Hanging(head, 2)]
    lines += [
        Hanging(
            f"move {move.pod} ({move.gpus} GPUs): {move.from_node} "
            f"({move.from_domain}) → {move.to_node}",
            4,
        )
        for move in rec.moves
    ]
    lines += [Hanging(Text(rec.explanation, style="dim"), 2), Text()]
    # Whole at any width: a command too long for it continues on the next line (`` \``).
    return lines + [ShellCommand(c, 4) for c in rec.commands]


def render_topology(report: TopologyReport, fancy: bool = True) -> RenderableType:
    t = report.topology
    hierarchy = " → ".join(lv.domain for lv in t.levels)
    title = f"{t.kind}: {t.name}" if t.name else "No topology (hosts only)"
    header = Panel(Text(f"Hierarchy: {hierarchy}"), title=title, title_align="left", expand=False)
    derived = Text("Placement score (derived): ")
    derived.append_text(score_text(report.placement_score))
    reported = Text("reported: ")
    reported.append_text(score_text(report.reported_placement_score))
    score_line = Parts(
        Text(f"PodCliqueSet: {report.name}", style="bold"), derived, reported, sep=("    ", "   ")
    )
    constraints = Text("TopologyConstraint: ")
    if report.constraints:
        constraints.append(
            "; ".join(
                f"{c.scope} "
                + ", ".join(
                    p
                    for p in [
                        f"pack.required={c.required}"
                        + (" (legacy packDomain)" if c.legacy_pack_domain else "")
                        if c.required
                        else "",
                        f"pack.preferred={c.preferred}" if c.preferred else "",
                    ]
                    if p
                )
                for c in report.constraints
            )
        )
    else:
        constraints.append("none", style="yellow")
    tree = Tree(Text("placement", style="dim"), guide_style="dim", hide_root=True)
    unscheduled = [p for g in report.gangs for p in g.unscheduled_pods]
    # One clique column for every pod line, as wide as the longest clique name.
    cliques = [p.clique for p in [*_pods(report.tree), *unscheduled]]
    clique_width = max([10, *map(len, cliques)])
    for domain in report.tree:
        _add_domain(tree, domain, clique_width)
    legend = Text("GPU cells: ", style="dim")
    legend.append("█", style="green")
    legend.append(" this workload  ", style="dim")
    legend.append("▒", style="yellow")
    legend.append(" other workloads  ░ free", style="dim")
    parts: list[RenderableType] = [
        header,
        score_line,
        Hanging(constraints),
        Text(),
        tree,
        Hanging(legend),
    ]
    if unscheduled:
        parts.append(Text("Unscheduled:", style="bold yellow"))
        parts += [
            Hanging(
                f"{pod.clique:<{clique_width}} {pod.name}  {pod.phase}  {pod.gpus} GPUs",
                2,
                2 + clique_width + 1,
            )
            for pod in unscheduled
        ]
        parts.append(Text())
    if report.warnings:
        parts += [Text("Warnings:", style="bold"), *finding_lines(report.warnings, 2), Text()]
    if report.recommendations:
        parts.append(Text("Recommendations:", style="bold"))
        for rec in report.recommendations:
            parts += _recommendation(rec)
    parts.append(verdict_line(report.summary, fancy))
    parts += note_lines(report.notes)
    return Group(*parts)


def render_topology_list(report: TopologyList, fancy: bool = True) -> RenderableType:
    if not report.items:
        return Text(f"No PodCliqueSets in namespace {report.namespace}.")
    items = [render_topology(item, fancy) for item in report.items]
    return Group(*items, verdict_line(report.summary, fancy, "All"))


RENDERERS = {  # by report model; registry.py collects them
    TopologyReport: render_topology,
    TopologyList: render_topology_list,
}
