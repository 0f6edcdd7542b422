"""``diagnose`` as compact Markdown (MCP text content): the answer, the first findings whole, the
rest one line each, so the top causes survive any response budget. Pure."""

from __future__ import annotations

from ..reports.diagnose import DiagnoseReport, DiagnosisFinding
from .markdown_parts import header

WHOLE = 3
EVIDENCE = 4  # evidence lines of a whole finding in Markdown; the JSON has all of them


CAP = 360  # characters of one field in Markdown; the structured answer has the whole text


def _cap(text: str, limit: int = CAP) -> str:
    return (
        text if len(text) <= limit else text[: limit - 1].rstrip() + "… (see the structured answer)"
    )


def _line(f: DiagnosisFinding) -> str:
    impact = f.impact.value.replace("_", " ")
    return f"{f.rank}. **{f.severity.value} {f.code}** ({impact}) {f.subject}: {_cap(f.title, 200)}"


def finding_lines(f: DiagnosisFinding) -> list[str]:
    lines = [_line(f)]
    lines += [f"   - evidence: {_cap(e, 200)}" for e in f.evidence[:EVIDENCE]]
    if len(f.evidence) > EVIDENCE:
        lines.append(
            f"   - evidence: (+{len(f.evidence) - EVIDENCE} more in the structured answer)"
        )
    lines.append(f"   - why: {_cap(f.explanation)}")
    lines.append(f"   - do: {_cap(f.remediation)}")
    if f.expected_effect:
        lines.append(f"   - expected: {f.expected_effect}")
    lines += [f"   - `{c}`" for c in f.commands]
    return lines


def diagnose(report: DiagnoseReport) -> str:
    out = header(
        report, f"{report.name} — diagnosis", report.summary, f"Metrics: {report.metrics}."
    )
    out += ["", _cap(report.answer, 2 * CAP)]
    if report.findings:
        out += ["", "### Findings (most likely cause first)"]
        for f in report.findings[:WHOLE]:
            out += finding_lines(f)
        out += [_line(f) for f in report.findings[WHOLE:]]
    if report.not_checked:
        out += ["", "Not checked: " + "; ".join(report.not_checked) + "."]
    return "\n".join(out) + "\n"


RENDERERS = {DiagnoseReport: diagnose}
