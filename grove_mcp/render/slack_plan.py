"""Slack layouts of ``plan show`` and ``plan diff``. Pure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..reports.plan_reports import PlanDiffReport, PlanShowReport
from . import plan_lines as lines
from . import rows
from .markdown_plan import stored_plan_lines
from .slack_generic import file_name
from .slack_mrkdwn import from_markdown
from .slack_parts import Layout, Noun, Part, Table, lines_units

PARAMETERS: Noun = ("parameter", "parameters")


def plan_show(report: PlanShowReport) -> Layout:
    s = report.stored
    body: list[Part] = [*lines_units(from_markdown("\n".join(stored_plan_lines(s))))]
    return Layout(
        title=f"{report.name} — stored plan",
        summary=report.summary,
        report=report,
        file_name=file_name(report.name, "plan-show"),
        facts=[
            ("Stored", lines.stored_line(s, report.config_map_created_at)),
            ("ConfigMap", f"{report.config_map} ({report.label})"),
            ("Digest", lines.short_digest(s.digest)),
            ("History", f"{report.history_entries} plan(s)"),
        ],
        body=body,
    )


def plan_diff(report: PlanDiffReport) -> Layout:
    table = Table(
        *rows.plan_diff(report),
        PARAMETERS,
    )
    return Layout(
        title=f"{report.name} — plan vs deployed",
        summary=report.summary,
        report=report,
        file_name=file_name(report.name, "plan-diff"),
        facts=[
            ("Plan", report.config_map),
            ("Stored at", lines.when(report.plan_stored_at)),
            ("Workers", "per PodCliqueSet replica"),
        ],
        body=[table],
    )


RENDERERS: dict[type, Callable[[Any], Layout]] = {
    PlanShowReport: plan_show,
    PlanDiffReport: plan_diff,
}
