"""``diagnose`` as compact Markdown (MCP text content): the answer, the first findings whole, the
rest one line each, so the top causes survive any response budget. Pure."""

from __future__ import annotations

from ..reports.diagnose import DiagnoseReport, DiagnosisFinding
from .markdown_parts import header

WHOLE = 3


def _line(f: DiagnosisFinding) -> str:
    impact = f.impact.value.replace("_", " ")
    return f"{f.rank}. **{f.severity.value} {f.code}** ({impact}) {f.subject}: {f.title}"


def _whole(f: DiagnosisFinding) -> list[str]:
    lines = [_line(f)]
    lines += [f"   - evidence: {e}" for e in f.evidence]
    lines.append(f"   - why: {f.explanation}")
    lines.append(f"   - do: {f.remediation}")
    if f.expected_effect:
        lines.append(f"   - expected: {f.expected_effect}")
    lines += [f"   - `{c}`" for c in f.commands]
    return lines


def diagnose(report: DiagnoseReport) -> str:
    out = header(
        report, f"{report.name} — diagnosis", report.summary, f"Metrics: {report.metrics}."
    )
    out += ["", report.answer]
    if report.findings:
        out += ["", "### Findings (most likely cause first)"]
        for f in report.findings[:WHOLE]:
            out += _whole(f)
        out += [_line(f) for f in report.findings[WHOLE:]]
    if report.not_checked:
        out += ["", "Not checked: " + "; ".join(report.not_checked) + "."]
    return "\n".join(out) + "\n"


RENDERERS = {DiagnoseReport: diagnose}
