"""Slack layout of ``replan``: the answer first, the expected effect as the native table, the
change against what is deployed, then the evidence (the proposal's reasons first, then the
observed traffic, drift, calibration …) as the Markdown words it. The proposal's PodCliqueSet
and plan.json are too long for a message: the bot attaches them as files (``proposal_file_names``)
and the message says so. Pure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..reports.replan import ReplanReport, proposal_file_names
from .replan_lines import DIFF_HEADERS, EXPECTED_HEADERS, diff_cells, expected_cells, sections
from .slack_generic import file_name
from .slack_mrkdwn import esc
from .slack_parts import LINES, Layout, Noun, Part, Table, code_units, markdown_units, section

FIGURES: Noun = ("figure", "figures")
PARAMETERS: Noun = ("parameter", "parameters")


def _pointer(report: ReplanReport) -> str:
    manifest, plan = proposal_file_names(report.name)
    return (
        f"The proposed PodCliqueSet and its plan.json are attached below (`{esc(manifest)}`, "
        f"`{esc(plan)}`): check them, then `kubectl apply` and `kubectl grove plan store` "
        "yourself. Nothing was applied."
    )


def _evidence(report: ReplanReport) -> list[tuple[str, list[str]]]:
    """The sections under the tables: the proposal's reasons first (what a reader acts on, and
    what a long answer must not push into the attached file); "Deployed" is a fact already."""
    found = [(title, lines) for title, lines in sections(report) if title != "Deployed"]
    return sorted(found, key=lambda section: not section[0].startswith("Proposal"))


def replan(report: ReplanReport) -> Layout:
    p = report.proposal
    proposed = "nothing proposed"
    if p is not None:
        proposed = p.shape.text + (" (FORCED: not steady)" if p.forced else "")
        if not p.change_needed:
            same = report.deployed is not None and report.deployed.text == p.shape.text
            proposed = "no change needed" + (
                "" if same else f" (AIConfigurator's pick: {p.shape.text})"
            )
    facts = [
        ("Deployed", report.deployed.text if report.deployed else "not read"),
        ("Proposed", proposed),
        ("Traffic", report.drift.summary if report.drift else "no plan assumptions to compare"),
        ("Window", f"{report.window_seconds:g}s" if report.window_seconds else "none read"),
    ]
    attached = p is not None and p.change_needed  # "no change needed" attaches nothing
    answer = esc(report.answer) + (f"\n{_pointer(report)}" if attached else "")
    body: list[Part] = [section(answer)]
    if p is not None:
        body.append(
            Table(
                EXPECTED_HEADERS,
                [expected_cells(r) for r in p.expected],
                FIGURES,
                numeric=frozenset({1, 2, 3}),
                title="Expected effect",
            )
        )
        changes = [diff_cells(d) for d in p.diff]
        body += code_units(DIFF_HEADERS, changes, PARAMETERS, "Against what is deployed")
    for title, lines in _evidence(report):
        body += markdown_units("\n".join(lines), LINES, f"*{esc(title)}*")
    return Layout(
        title=f"{report.name} — re-plan",
        summary=report.summary,
        report=report,
        file_name=file_name(report.name, "replan"),
        facts=facts,
        body=body,
    )


RENDERERS: dict[type, Callable[[Any], Layout]] = {ReplanReport: replan}
