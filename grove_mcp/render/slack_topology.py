"""Slack layout of ``topology``: the gangs' placement as the table, warnings as findings,
numbered recommendations, the placement tree as the Markdown draws it. Pure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..reports.topology import TopologyList, TopologyReport
from . import rows
from .markdown import domain_lines, recommendation_lines
from .markdown_parts import cell, reported
from .slack_generic import file_name
from .slack_mrkdwn import esc, from_markdown
from .slack_parts import Layout, Noun, Part, Table, Unit, findings, lines_units, section
from .slack_status import GANGS, each

TREE: Noun = ("placement line", "placement lines")
ADVICE: Noun = ("recommendation", "recommendations")


def topology_body(report: TopologyReport) -> list[Part]:
    body: list[Part] = [
        Table(
            *rows.placed_gangs(report),
            GANGS,
            numeric=frozenset({1, 4}),
            title="Gangs",
        ),
        *findings(report.warnings, "Warnings"),
    ]
    for i, r in enumerate(report.recommendations, start=1):
        lines = from_markdown("\n".join(recommendation_lines(r)))
        text, *rest = lines
        numbered = [(f"{i}. " + text[0].removeprefix("• "), False), *rest]
        title = "*Recommendations*" if i == 1 else None
        units = lines_units(numbered, ADVICE, title)
        blocks = tuple(b for u in units for b in u.blocks)
        body.append(Unit(blocks, ((ADVICE, 1),), any(u.clipped for u in units)))
    tree = [line for domain in report.tree for line in domain_lines(domain)]
    if tree:
        body += lines_units([(esc(line), True) for line in tree], TREE, "*Placement*")
    return body


def topology(report: TopologyReport) -> Layout:
    t = report.topology
    levels = " > ".join(level.domain for level in t.levels) or "hosts only"
    constraints = "; ".join(
        f"{c.scope}: required={cell(c.required)} preferred={cell(c.preferred)}"
        + (" (legacy packDomain)" if c.legacy_pack_domain else "")
        for c in report.constraints
    )
    facts = [
        ("Placement (derived, min over gangs)", cell(report.placement_score)),
        ("Reported score", reported(report.reported_placement_score)),
        ("Topology", f"{t.kind} {t.name or ''}".strip() + f": {levels}"),
        ("Constraints", constraints or "none"),
    ]
    return Layout(
        title=f"{report.name} — topology",
        summary=report.summary,
        report=report,
        file_name=file_name(report.name, "topology"),
        facts=facts,
        body=topology_body(report),
    )


RENDERERS: dict[type, Callable[[Any], Layout]] = {
    TopologyReport: topology,
    TopologyList: each(topology_body),
}

__all__ = ["RENDERERS", "section"]
