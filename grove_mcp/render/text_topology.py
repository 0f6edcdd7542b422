"""``topology`` as terminal text: hierarchy, constraint, domain tree with GPU bars, advice."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text
from rich.tree import Tree

from ..reports.common import Finding
from ..reports.topology import (
    DomainPlacement,
    GpuUsage,
    NodePlacement,
    Recommendation,
    TopologyList,
    TopologyReport,
)
from .widgets import SEVERITY_STYLE, gpu_bar, score_text


def _usage(gpus: GpuUsage) -> str:
    other = "?" if gpus.other_workloads is None else str(gpus.other_workloads)
    free = "?" if gpus.free is None else str(gpus.free)
    allocatable = "?" if gpus.allocatable is None else gpus.allocatable
    return f"{gpus.this_workload} this, {other} other, {free} free of {allocatable}"


def _domain_label(domain: DomainPlacement) -> Text:
    style = "green" if domain.verdict == "optimal" else "yellow"
    text = Text(f"{domain.level} ", style="dim")
    text.append(domain.name, style="bold")
    text.append(f" [{domain.verdict}]", style=style)
    if domain.verdict == "fragmented":
        text.append(" ⚠", style=style)
    text.append(f"  {_usage(domain.gpus)} GPUs", style="dim")
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


def _add_domain(tree: Tree, domain: DomainPlacement) -> None:
    branch = tree.add(_domain_label(domain))
    for child in domain.domains:
        _add_domain(branch, child)
    for node in domain.nodes:
        leaf = branch.add(_node_label(node))
        for pod in node.pods:
            style = "green" if pod.ready else "yellow"
            line = Text(f"{pod.clique:<10} ", style="cyan")
            line.append(pod.name)
            line.append(f"  {pod.phase or '?'}", style=style)
            line.append(f"  {pod.gpus} GPU{'s' if pod.gpus != 1 else ''}", style="dim")
            leaf.add(line)


def finding_lines(findings: list[Finding], indent: str = "") -> Text:
    text = Text()
    for f in findings:
        mark, style = SEVERITY_STYLE[f.severity]
        text.append(f"{indent}{mark} ", style=style)
        text.append(f"{f.message}\n")
        for item in f.evidence:
            text.append(f"{indent}    {item}\n", style="dim")
        text.append(f"{indent}    → {f.remediation}\n", style="italic")
    return text


def _recommendation(rec: Recommendation) -> Text:
    text = Text()
    if not rec.feasible:
        text.append(f"  Gang {rec.gang}: ", style="bold")
        text.append(f"{rec.explanation}\n")
        return text
    text.append(f"  Consolidate {rec.gang} into {rec.level} {rec.target_domain}: ", style="bold")
    text.append(f"score {rec.score_before:.2f} → {rec.score_after:.2f}\n", style="green")
    for move in rec.moves:
        text.append(
            f"    move {move.pod} ({move.gpus} GPUs): {move.from_node} "
            f"({move.from_domain}) → {move.to_node}\n"
        )
    text.append(f"  {rec.explanation}\n", style="dim")
    return text


def _commands(rec: Recommendation) -> list[Text]:
    """One unwrapped line per command, so that copying a line copies the whole command."""
    return [Text(f"    $ {c}", style="cyan", no_wrap=True, overflow="ignore") for c in rec.commands]


def render_topology(report: TopologyReport, fancy: bool = True) -> RenderableType:
    t = report.topology
    hierarchy = " → ".join(lv.domain for lv in t.levels)
    title = f"{t.kind}: {t.name}" if t.name else "No topology (hosts only)"
    header = Panel(Text(f"Hierarchy: {hierarchy}"), title=title, title_align="left", expand=False)
    score_line = Text(f"PodCliqueSet: {report.name}    ", style="bold")
    score_line.append("Placement score (derived): ")
    score_line.append_text(score_text(report.placement_score))
    score_line.append("   reported: ")
    score_line.append_text(score_text(report.reported_placement_score))
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
    for domain in report.tree:
        _add_domain(tree, domain)
    legend = Text("GPU cells: ", style="dim")
    legend.append("█", style="green")
    legend.append(" this workload  ", style="dim")
    legend.append("▒", style="yellow")
    legend.append(" other workloads  ░ free", style="dim")
    parts: list[RenderableType] = [header, score_line, constraints, Text(), tree, legend]
    unscheduled = [p for g in report.gangs for p in g.unscheduled_pods]
    if unscheduled:
        text = Text("Unscheduled:\n", style="bold yellow")
        for pod in unscheduled:
            text.append(f"  {pod.clique:<10} {pod.name}  {pod.phase}  {pod.gpus} GPUs\n")
        parts.append(text)
    if report.warnings:
        parts += [Text("Warnings:", style="bold"), finding_lines(report.warnings, "  ")]
    if report.recommendations:
        parts.append(Text("Recommendations:", style="bold"))
        for rec in report.recommendations:
            parts += [_recommendation(rec), *_commands(rec)]
    parts += [Text(f"note: {n}", style="dim") for n in report.notes]
    return Group(*parts)


def render_topology_list(report: TopologyList, fancy: bool = True) -> RenderableType:
    if not report.items:
        return Text(f"No PodCliqueSets in namespace {report.namespace}.")
    return Group(*[render_topology(item, fancy) for item in report.items])


RENDERERS = {  # by report model; registry.py collects them
    TopologyReport: render_topology,
    TopologyList: render_topology_list,
}
