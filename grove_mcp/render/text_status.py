"""``status`` and ``list`` as terminal text: overview, clique table, gang table, summary."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from ..reports.listing import WorkloadList
from ..reports.status import Overview, StatusList, StatusReport
from ..timefmt import format_seconds
from .widgets import (
    FitTable,
    bar,
    note_lines,
    ratio_style,
    score_text,
    state_text,
    verdict_line,
)


def heading(title: str, emoji: str, fancy: bool) -> Text:
    return Text(f"{emoji} {title}" if fancy else title, style="bold")


def _topology(o: Overview) -> str:
    constraint = o.topology_constraint or "no pack constraint"
    if o.topology_enforced is False:
        return f"{constraint} (NOT ENFORCED: {o.topology_not_enforced_why})"
    return constraint


def _update_line(report: StatusReport) -> str:
    update = report.overview.update
    if update is None:
        return "no update recorded"
    counts = []
    if update.updated_cliques is not None:
        total = f"/{update.total_cliques}" if update.total_cliques is not None else ""
        counts.append(f"{update.updated_cliques}{total} cliques")
    if update.total_scaling_groups:
        counts.append(
            f"{update.updated_scaling_groups}/{update.total_scaling_groups} scaling groups"
        )
    detail = f" ({', '.join(counts)})" if counts else ""
    legacy = " [rollingUpdateProgress]" if update.legacy_field else ""
    if update.in_progress:
        replicas = ", ".join(str(r) for r in update.replicas_updating) or "?"
        return f"in progress on replica {replicas}{detail}{legacy}"
    return f"complete{detail}{legacy}"


def render_status(report: StatusReport, fancy: bool = True) -> RenderableType:
    o = report.overview
    overview = Text()
    age = format_seconds(o.age_seconds) if o.age_seconds is not None else "?"
    for label, value in [
        ("Namespace", report.namespace),
        ("Name", o.name),
        ("Age", age),
        (
            "Replicas",
            f"{o.available_replicas}/{o.replicas} available, {o.updated_replicas} updated",
        ),
        ("Update", _update_line(report)),
        ("Topology", _topology(o)),
        ("Term. delay", format_seconds(o.termination_delay_seconds)),
    ]:
        overview.append(f"  {label + ':':<13}{value}\n")
    cliques = FitTable(
        "REPLICA",
        "CLIQUE",
        "READY",
        "MIN",
        "SCHED",
        "GATED",
        "UPDATED",
        "PROGRESS",
        wrap=("READY", "PROGRESS"),
    )
    for c in report.cliques:
        style = ratio_style(c.ready, c.replicas, c.min_available)
        progress = bar(c.ready_percent / 100, width=10, style=style)
        progress.append(f" {c.ready_percent}%")
        name = c.name.removeprefix(f"{o.name}-{c.replica_index}-")
        ready = Text(f"{c.ready}/{c.replicas}", style=style)
        if c.breached:
            ready.append(" breached", style="red")
        cliques.add_row(
            str(c.replica_index if c.replica_index is not None else "-"),
            name,
            ready,
            str(c.min_available),
            str(c.scheduled),
            str(c.gated),
            str(c.updated),
            progress,
        )
    gangs = FitTable(
        "GANG", "STATE", "REASON", "PLACEMENT (derived)", "REPORTED", "PODS", wrap=("REASON",)
    )
    for g in report.gangs:
        derived = g.derived_placement.score if g.derived_placement else None
        gangs.add_row(
            g.name,
            state_text(g.state),
            g.reason,
            score_text(derived),
            score_text(g.reported_placement_score),
            f"{g.pods_ready}/{g.pods_total}",
        )
    parts: list[RenderableType] = [
        heading("Resource Overview", "📊", fancy),
        overview,
        heading("Clique Statuses", "📦", fancy),
        cliques,
        Text(),
        heading("PodGang Status", "🎯", fancy),
        gangs,
        Text(),
        verdict_line(report.summary, fancy),
    ]
    parts += note_lines(report.notes)
    return Group(*parts)


def render_status_list(report: StatusList, fancy: bool = True) -> RenderableType:
    if not report.items:
        return Text(f"No PodCliqueSets in namespace {report.namespace}.")
    parts: list[RenderableType] = []
    for item in report.items:
        parts += [render_status(item, fancy), Text()]
    return Group(*parts, verdict_line(report.summary, fancy, "All"))


def render_list(report: WorkloadList, fancy: bool = True) -> RenderableType:
    if not report.items:
        return Text(f"No PodCliqueSets in namespace {report.namespace}.")
    table = FitTable("NAME", "AVAILABLE", "GANGS", "PODS", "STATE", wrap=("STATE",))
    for item in report.items:
        style = "green" if item.ok else "yellow"
        table.add_row(
            item.name,
            f"{item.available_replicas}/{item.replicas}",
            f"{item.gangs_healthy}/{item.gangs_total}",
            f"{item.pods_ready}/{item.pods_desired}",
            Text(item.state, style=style),
        )
    return Group(table, verdict_line(report.summary, fancy), *note_lines(report.notes))


RENDERERS = {  # by report model; registry.py collects them
    StatusReport: render_status,
    StatusList: render_status_list,
    WorkloadList: render_list,
}
