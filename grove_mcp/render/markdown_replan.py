"""``replan`` as compact Markdown (MCP text content, Slack): the answer, the sections, the
expected effect and the diff as tables; the manifest is in the structured answer. Pure."""

from __future__ import annotations

from ..reports.replan import ReplanReport
from .markdown_parts import header, table
from .replan_lines import DIFF_HEADERS, EXPECTED_HEADERS, diff_cells, expected_cells, sections


def replan(report: ReplanReport) -> str:
    out = header(report, f"{report.name} — re-plan", report.summary)
    out += ["", report.answer]
    for title, lines in sections(report):
        out += ["", f"### {title}", *lines]
    p = report.proposal
    if p:
        out += ["", "### Expected effect", table(EXPECTED_HEADERS, map(expected_cells, p.expected))]
        out += ["", "### Against what is deployed", table(DIFF_HEADERS, map(diff_cells, p.diff))]
        if p.file:
            out += ["", f"Files: `{p.file}`, `{p.plan_file}`"]
        out += [
            "",
            "The PodCliqueSet and plan.json are in the structured answer "
            "(proposal.manifest, proposal.plan); nothing was applied.",
        ]
    return "\n".join(out) + "\n"


RENDERERS = {ReplanReport: replan}
