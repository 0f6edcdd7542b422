"""Slack layouts of ``metrics``, ``compare`` and ``diagnose``: figures as fields, the main table
native, the rest (plan rows, pods, causes) as the Markdown words them. Pure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..reports.compare import CompareReport
from ..reports.diagnose import DiagnoseReport
from ..reports.metrics import MetricsReport
from ..timefmt import format_seconds
from . import metrics_lines as fmt
from . import rows
from .markdown_diagnose import finding_lines
from .markdown_metrics import metrics as metrics_markdown
from .slack_generic import file_name, sections
from .slack_mrkdwn import MARKS, esc, from_markdown
from .slack_parts import FINDINGS, Layout, Noun, Part, Table, Unit, lines_units, marked, section

ROLES: Noun = ("role", "roles")
ROWS: Noun = ("row", "rows")
ACTIONS: Noun = ("recommendation", "recommendations")
PLAN_ROWS: Noun = ("plan row", "plan rows")
PODS: Noun = ("pod line", "pod lines")


def metrics(report: MetricsReport) -> Layout:
    t = report.throughput
    facts = [
        ("Window", f"{fmt.window(report)}, {fmt.via(report.read_via)}"),
        ("Throughput", " · ".join(fmt.throughput(t))),
        *((name, " · ".join(fmt.quantiles(lat))) for name, lat in fmt.latencies(report)),
        ("Queue", f"waiting {fmt.gauge(report.waiting)} · running {fmt.gauge(report.running)}"),
    ]
    body: list[Part] = [
        Table(
            *rows.roles(report),
            ROLES,
            numeric=frozenset(range(3, 12)),
            title="Roles",
        )
    ]
    parts = sections(metrics_markdown(report))
    for title, noun in (("Against the plan", PLAN_ROWS), ("Pods", PODS)):
        if title in parts:
            body += lines_units(from_markdown(parts[title]), noun, f"*{title}*")
    if report.thresholds:
        body += lines_units(
            [(f"• {esc(t)}", False) for t in report.thresholds],
            ("threshold", "thresholds"),
            "*Thresholds*",
        )
    return Layout(
        title=f"{report.name} — metrics",
        summary=report.summary,
        report=report,
        file_name=file_name(report.name, "metrics"),
        facts=facts,
        body=body,
    )


def compare(report: CompareReport) -> Layout:
    facts = [
        ("Plan", f"{report.plan} ({report.plan_source})"),
        (
            "Metrics",
            f"window {format_seconds(round(report.window_seconds))}, {fmt.via(report.read_via)}",
        ),
    ]
    body: list[Part] = [
        Table(
            *rows.compare_rows(report),
            ROWS,
            numeric=frozenset({1, 2, 3}),
        )
    ]
    body += [
        marked(d.severity, d.code, esc(d.text), *(f"> evidence: {esc(e)}" for e in d.evidence))
        for d in report.diagnosis
    ]
    for a in sorted(report.recommendations, key=lambda a: a.priority):
        lines = [
            f"{a.priority}. {esc(a.action)} ({esc(a.code)}) — expected: {esc(a.expected_effect)}"
        ]
        lines += [f"    `{esc(c)}`" for c in a.commands]
        unit = section("\n".join(lines))
        body.append(Unit(unit.blocks, ((ACTIONS, 1),), unit.clipped))
    return Layout(
        title=f"{report.name} — plan vs actual",
        summary=report.summary,
        report=report,
        file_name=file_name(report.name, "compare"),
        facts=facts,
        body=body,
    )


def diagnose(report: DiagnoseReport) -> Layout:
    body: list[Part] = [section(esc(report.answer))]
    for f in report.findings:
        unit = lines_units(from_markdown("\n".join(finding_lines(f))))[0]
        text = MARKS[f.severity] + " " + unit.blocks[0]["text"]["text"]
        shown = section(text)
        body.append(Unit(shown.blocks, ((FINDINGS, 1),), shown.clipped or unit.clipped))
    if report.not_checked:
        body.append(section("Not checked: " + esc("; ".join(report.not_checked)) + "."))
    urgent = sum(1 for f in report.findings if f.urgent)
    return Layout(
        title=f"{report.name} — diagnosis",
        summary=report.summary,
        report=report,
        file_name=file_name(report.name, "diagnose"),
        facts=[
            ("Findings", f"{len(report.findings)} ({urgent} urgent)"),
            ("Metrics", report.metrics),
            ("Checked", ", ".join(report.checked)),
        ],
        body=body,
    )


RENDERERS: dict[type, Callable[[Any], Layout]] = {
    MetricsReport: metrics,
    CompareReport: compare,
    DiagnoseReport: diagnose,
}
