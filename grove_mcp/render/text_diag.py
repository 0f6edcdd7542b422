"""The ``diag`` report as terminal text: where the bundle went, each collector's outcome. Pure."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from ..reports.diag import DiagReport
from .widgets import FitTable, Hanging, verdict_line


def render_diag(report: DiagReport, fancy: bool = True) -> RenderableType:
    table = FitTable("COLLECTOR", "STATE", "OBJECTS", "FILES", "WHY", wrap=("WHY",))
    for c in report.collectors:
        why = c.reason or "; ".join(c.notes[:3]) or "-"
        table.add_row(c.name, c.state, str(c.objects), str(c.files), why)
    counts = ", ".join(f"{k} {v}" for k, v in report.redactions.items()) or "none needed"
    return Group(
        Hanging(
            Text(
                f"Wrote {report.path}: {report.objects} objects, {report.files} files", style="bold"
            )
        ),
        table,
        Hanging(f"Redacted before writing: {counts}. Secrets are never read.", 0, 2),
        Hanging(
            f"Read it offline: kubectl grove health {report.name or '-A'} --bundle {report.path}",
            0,
            2,
        ),
        verdict_line(report.summary, fancy),
    )


RENDERERS = {DiagReport: render_diag}
