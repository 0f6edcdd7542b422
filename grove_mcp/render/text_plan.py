"""The ``plan`` reports as terminal text: show, history, diff (a boxed table), store."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..reports.plan_reports import (
    PlanDiffReport,
    PlanHistoryReport,
    PlanShowReport,
    PlanStoreReport,
    StoredPlanSummary,
    Verdict,
)
from . import plan_lines as lines
from .widgets import FitTable, Hanging, note_lines, verdict_line

_STYLE = {Verdict.match: "green", Verdict.drift: "red", Verdict.cannot_tell: "yellow"}


def _plan_lines(stored: StoredPlanSummary) -> list[str]:
    version = f" {stored.backend_version}" if stored.backend_version else ""
    out = [
        f"Model: {stored.model}  System: {stored.system}  Mode: {stored.serving_mode}",
        f"Backend: {stored.backend}{version}  Replicas: {stored.replicas}  "
        f"Total GPUs: {stored.total_gpus}",
        f"Configuration: {lines.configuration(stored)}",
        f"Expected Performance: {lines.performance(stored)}",
        f"SLA Targets: {lines.sla(stored)}",
    ]
    if (rendered := lines.rendered(stored.rendered)) is not None:
        out.append(f"Rendered with: {rendered}")
    return out


def render_plan_show(report: PlanShowReport, fancy: bool = True) -> RenderableType:
    s = report.stored
    body = [
        f"Stored: {lines.stored_line(s, report.config_map_created_at)}",
        *_plan_lines(s),
        f"ConfigMap: {report.namespace}/{report.config_map} ({report.label}) · digest "
        f"{lines.short_digest(s.digest)} · {report.history_entries} plan(s) in the history",
    ]
    return Group(
        Text(f"AIConfigurator Plan for: {report.name}", style="bold"),
        *(Hanging(line) for line in body),
        verdict_line(report.summary, fancy),
        *note_lines(report.notes),
    )


def render_plan_history(report: PlanHistoryReport, fancy: bool = True) -> RenderableType:
    table = FitTable(
        "REV", "STORED", "DIGEST", "FROM", "CONFIGURATION", "TOK/S/GPU", wrap=("CONFIGURATION",)
    )
    for e in report.entries:
        table.add_row(
            f"{e.revision}{' *' if e.current else ''}",
            lines.when(e.stored_at),
            lines.short_digest(e.digest),
            e.origin or "?",
            lines.short_configuration(e),
            f"{e.throughput_per_gpu:.2f}",
        )
    parts: list[RenderableType] = [
        Hanging(
            Text(
                f"Plan history for: {report.name} ({len(report.entries)} of at most "
                f"{report.limit}, newest first; * = current)",
                style="bold",
            )
        ),
        table,
    ]
    for e in report.entries:
        if e.changes:
            parts.append(Text(f"rev {e.revision} vs rev {e.revision + 1}:", style="bold"))
            parts += [Hanging(Text(c), 2) for c in e.changes]
    return Group(*parts, verdict_line(report.summary, fancy), *note_lines(report.notes))


def render_plan_diff(report: PlanDiffReport, fancy: bool = True) -> RenderableType:
    table = Table(box=box.SQUARE, show_lines=False, header_style="bold")
    table.add_column("Parameter", no_wrap=True, overflow="fold")
    table.add_column("Planned", overflow="fold")
    table.add_column("Deployed", overflow="fold")
    table.add_column("Match", no_wrap=True)
    for row in report.rows:
        table.add_row(
            row.label,
            row.planned,
            row.deployed,
            Text(lines.VERDICT_MARK[row.verdict], style=_STYLE[row.verdict]),
        )
    why = [
        Hanging(
            Text(
                f"{lines.VERDICT_MARK[r.verdict].split()[0]} {r.label}: {r.reason}",
                style=_STYLE[r.verdict],
            ),
            2,
        )
        for r in report.rows
        if r.verdict is not Verdict.match
    ]
    stored = lines.when(report.plan_stored_at)
    parts: list[RenderableType] = [
        Text(f"Plan vs Deployed Comparison: {report.name}", style="bold"),
        Hanging(
            Text(
                f"Plan: {report.namespace}/{report.config_map}, stored at: {stored}, digest "
                f"{lines.short_digest(report.plan_digest)}; workers are per PodCliqueSet replica",
                style="dim",
            )
        ),
        table,
    ]
    if why:
        parts += [Text("Why:", style="bold"), *why]
    parts += note_lines(report.notes)
    mark = "✓" if report.summary.ok else "✗"
    parts.append(
        Hanging(
            Text(f"{mark} {report.summary.text}", style="green" if report.summary.ok else "red")
        )
    )
    return Group(*parts)


def render_plan_store(report: PlanStoreReport, fancy: bool = True) -> RenderableType:
    s = report.stored
    if report.action == "unchanged":
        head = (
            f"Plan for {report.name} unchanged: the same plan (digest "
            f"{lines.short_digest(s.digest)}) is already current; nothing written."
        )
    else:
        head = (
            f"Stored the plan for {report.name} ({report.action}; {report.history_entries} "
            f"plan(s) in the history, {report.bytes_used} bytes)."
        )
    where = f"ConfigMap: {report.namespace}/{report.config_map}"
    parts: list[RenderableType] = [
        Hanging(Text(head, style="bold")),
        Text(where, no_wrap=True, overflow="ignore"),
        *(Hanging(line) for line in _plan_lines(s)),
    ]
    if s.changes and report.action != "unchanged":
        parts.append(Text("Changes from the plan stored before:", style="bold"))
        parts += [Hanging(c, 2) for c in s.changes]
    return Group(*parts, *note_lines(report.notes))


RENDERERS = {  # by report model; registry.py collects them
    PlanShowReport: render_plan_show,
    PlanHistoryReport: render_plan_history,
    PlanDiffReport: render_plan_diff,
    PlanStoreReport: render_plan_store,
}
