"""The ``validate`` report as terminal text: the documents, then each violation by field. Pure."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from ..reports.validate import ValidateReport, Violation
from .widgets import FitTable, Hanging, note_lines, verdict_line


def where(v: Violation) -> str:
    """``file:line`` (or ``file, document n`` when there is no line)."""
    return f"{v.origin}:{v.line}" if v.line is not None else f"{v.origin}, document {v.document}"


def _short(path: str) -> str:
    """``validation/podcliqueset.go`` of Grove's webhook path."""
    return "/".join(path.split("/")[-2:])


def render_validate(report: ValidateReport, fancy: bool = True) -> RenderableType:
    table = FitTable("INPUT", "DOC", "KIND", "NAME", "RESULT", wrap=("RESULT",))
    for d in report.documents:
        if d.checked:
            result = f"{d.violations} violation(s)" if d.violations else "ok"
            result += f" · {d.note}" if d.note else ""
        else:
            result = d.note or "skipped"
        table.add_row(d.origin, str(d.document), d.kind or "-", d.name or "-", result)
    parts: list[RenderableType] = [
        Hanging(Text(f"Grove admission check of: {', '.join(report.inputs)}", style="bold")),
        table,
    ]
    for v in report.violations:
        mark = "✗ " if fancy else "- "
        parts += [
            Text(""),
            Hanging(Text(f"{mark}{where(v)}  {v.name}  {v.field}", style="bold red"), 0, 4),
            Hanging(v.message, 4, 4),
            Hanging(f"fix: {v.remediation}", 4, 9),
            Hanging(Text(f"rule {v.rule} (Grove: {_short(v.grove_source)})", style="dim"), 4, 4),
        ]
    if report.topology_source is not None:
        known = "; ".join(f"{b.name}: {' > '.join(b.levels)}" for b in report.bindings)
        parts.append(Hanging(f"Topology from {report.topology_source}: {known or 'none'}", 0, 2))
    parts += [Hanging(f"skipped: {s}", 0, 9) for s in report.skipped_rules]
    parts.append(verdict_line(report.summary, fancy))
    parts += note_lines(report.notes)
    return Group(*parts)


RENDERERS = {ValidateReport: render_validate}
