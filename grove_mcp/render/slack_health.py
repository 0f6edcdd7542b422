"""Slack layout of ``health``: the gangs as the table, the issues as findings, then each
unhealthy gang's details (countdown, cliques, conditions) as the Markdown words them. Pure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..reports.health import HealthList, HealthReport
from ..timefmt import due_in, format_seconds
from .markdown import _gang_health
from .markdown_parts import findings as markdown_findings
from .markdown_parts import reported, score
from .slack_generic import file_name
from .slack_mrkdwn import esc
from .slack_parts import Layout, Noun, Part, Table, Unit, findings, markdown_units, section
from .slack_status import GANGS, each

DETAILS: Noun = ("gang detail", "gang details")


def _countdown(report: HealthReport, name: str) -> str:
    g = next(g for g in report.gangs if g.name == name)
    t = g.termination
    return "–" if t is None else f"{t.action} {due_in(t.remaining_seconds)}"


def health_body(report: HealthReport) -> list[Part]:
    body: list[Part] = [
        Table(
            [
                "gang",
                "replica",
                "state",
                "reason",
                "placement (derived)",
                "reported",
                "termination",
            ],
            [
                [
                    g.name,
                    g.replica_index,
                    g.state.value,
                    g.reason,
                    score(g.derived_placement),
                    reported(g.reported_placement_score),
                    _countdown(report, g.name),
                ]
                for g in report.gangs
            ],
            GANGS,
            numeric=frozenset({1}),
            title="Gangs",
        ),
        *findings(report.issues, f"{report.name} issues"),
    ]
    for g in report.gangs:
        if g.healthy and not g.issues:
            continue
        lines = _gang_health(g)  # "", "### title", details…, then the issues as Markdown
        issues = len(markdown_findings(g.issues))
        details = markdown_units("\n".join(lines[2 : len(lines) - issues]), DETAILS)
        title = f"*{esc(g.name)} — {esc(g.state.value)}: {esc(g.reason)}*"
        body += _titled(details, title)
        body += [_within(DETAILS, f) for f in findings(g.issues, f"{g.name} issues")]
    return body


def _titled(units: list[Unit], title: str) -> list[Unit]:
    """A gang's details as one unit (shown or left out whole), the title on top."""
    head = section(title)
    blocks = tuple(b for u in [head, *units] for b in u.blocks)
    return [Unit(blocks, ((DETAILS, 1),), any(u.clipped for u in [head, *units]))]


def _within(noun: Noun, unit: Unit) -> Unit:
    """``unit`` tied to the stream of ``noun``: left out once one of those is, and the other way
    round (a gang's issues follow its details)."""
    return Unit(unit.blocks, (*unit.counts, (noun, 0)), unit.clipped)


def health(report: HealthReport) -> Layout:
    s = report.summary
    v = report.grove_version
    grove = v.version or (f"{v.rules} rules" if v.rules else f"unknown ({v.evidence})")
    facts = [
        ("Gangs healthy", f"{s.gangs_healthy}/{s.gangs_total}"),
        ("At risk", str(s.gangs_at_risk)),
        ("terminationDelay", format_seconds(report.termination_delay_seconds)),
        (
            "Next termination",
            "none" if s.next_termination_seconds is None else due_in(s.next_termination_seconds),
        ),
        ("Grove", grove),
    ]
    notes = [v.hint] if v.rules is None and v.hint else []
    return Layout(
        title=f"{report.name} — health",
        summary=s,
        report=report,
        file_name=file_name(report.name, "health"),
        facts=facts,
        body=health_body(report),
        notes=notes,
    )


RENDERERS: dict[type, Callable[[Any], Layout]] = {
    HealthReport: health,
    HealthList: each(health_body),
}
