"""``diagnose`` as terminal text: the answer, then the ranked findings — the first ones whole
(evidence, why, what to do, commands), the rest one line each — and what was not checked."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from ..reports.diagnose import DiagnoseReport, DiagnosisFinding
from .widgets import SEVERITY_STYLE, Hanging, ShellCommand, note_lines, verdict_line

WHOLE = 3  # findings shown whole; the rest one line each


def _head(f: DiagnosisFinding) -> Text:
    mark, style = SEVERITY_STYLE[f.severity]
    head = Text(f"{f.rank}. {mark} ", style=style)
    head.append(f.code, style=f"bold {style}")
    head.append(f" [{f.impact.value.replace('_', ' ')}] ", style="dim")
    head.append(f.title)
    return head


def _whole(f: DiagnosisFinding) -> list[RenderableType]:
    parts: list[RenderableType] = [Hanging(_head(f), 2, 6)]
    parts += [Hanging(Text(f"- {e}", style="dim"), 6, 8) for e in f.evidence]
    parts.append(Hanging(Text(f"why: {f.explanation}"), 6, 11))
    parts.append(Hanging(Text(f"do: {f.remediation}"), 6, 10))
    if f.expected_effect:
        parts.append(Hanging(Text(f"→ {f.expected_effect}", style="italic"), 6, 8))
    parts += [ShellCommand(c, 6) for c in f.commands]
    return parts


def render_diagnose(report: DiagnoseReport, fancy: bool = True) -> RenderableType:
    parts: list[RenderableType] = [
        Hanging(Text(f"Diagnosis of: {report.name}", style="bold")),
        Hanging(Text(f"metrics: {report.metrics}", style="dim"), 0, 2),
        Text(),
        Hanging(Text(report.answer), 0, 0),
    ]
    if report.findings:
        parts += [Text(), Text("Findings, most likely cause first:", style="bold")]
        for f in report.findings[:WHOLE]:
            parts += _whole(f)
        parts += [Hanging(_head(f), 2, 6) for f in report.findings[WHOLE:]]
    if report.not_checked:
        parts += [Text(), Text("Not checked:", style="bold")]
        parts += [Hanging(Text(f"- {n}", style="dim"), 2, 4) for n in report.not_checked]
    parts += [Text(), verdict_line(report.summary, fancy), *note_lines(report.notes)]
    return Group(*parts)


RENDERERS = {DiagnoseReport: render_diagnose}  # registry.py collects them
