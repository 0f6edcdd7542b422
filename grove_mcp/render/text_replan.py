"""``replan`` as terminal text: the answer, the sections, the expected effect and the diff."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..reports.replan import ReplanReport
from .replan_lines import DIFF_HEADERS, EXPECTED_HEADERS, diff_cells, expected_cells, sections
from .widgets import Hanging, note_lines, verdict_line


def _table(headers: list[str], rows: list[list[str]]) -> Table:
    t = Table(box=None, pad_edge=False, header_style="bold")
    for h in headers:
        t.add_column(h)
    for row in rows:
        t.add_row(*row)
    return t


def render_replan(report: ReplanReport, fancy: bool = True) -> RenderableType:
    parts: list[RenderableType] = [
        Text(f"Re-plan of: {report.name}", style="bold"),
        Text(),
        Hanging(Text(report.answer), 0, 0),
    ]
    for title, lines in sections(report):
        parts += [Text(), Text(title + ":", style="bold")]
        parts += [Hanging(Text(line), 2, 4) for line in lines]
    p = report.proposal
    if p:
        parts += [
            Text(),
            Text("Expected effect:", style="bold"),
            _table(EXPECTED_HEADERS, [expected_cells(r) for r in p.expected]),
        ]
        parts += [
            Text(),
            Text("Against what is deployed:", style="bold"),
            _table(DIFF_HEADERS, [diff_cells(d) for d in p.diff]),
        ]
        if not p.file:
            parts += [
                Text(
                    "(--save-dir DIR writes the PodCliqueSet and plan.json; -o yaml shows them)",
                    style="dim",
                )
            ]
    parts += [Text(), verdict_line(report.summary, fancy), *note_lines(report.notes)]
    return Group(*parts)


RENDERERS = {ReplanReport: render_replan}
