"""Pieces every Markdown report shares: the verdict header, tables, findings, scores. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..reports.common import DerivedPlacement, Finding, ReportHeader, Summary


def cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(summary: Summary) -> str:
    """The report's own verdict in bold: the same one every front end shows."""
    return f"**{'OK' if summary.ok else 'NOT OK'}: {summary.text}**"


def header(report: ReportHeader, title: str, summary: Summary, *details: str) -> list[str]:
    """Title, verdict, detail lines, where the data came from, and the report's notes."""
    lines = [f"## {title}", verdict(summary), *details, ""]
    lines.append(f"Source: {report.source} · namespace {report.namespace} · as of {time(report)}")
    lines += [f"> note: {note}" for note in report.notes]
    return lines


def time(report: ReportHeader) -> str:
    return report.as_of.strftime("%Y-%m-%d %H:%M:%SZ")


def score(placement: DerivedPlacement | None) -> str:
    if placement is None:
        return "- (nothing placed)"
    split = [
        f"{lv.domain} {lv.domains_spanned}>{lv.minimum_domains}"
        for lv in placement.levels
        if lv.domains_spanned > lv.minimum_domains
    ]
    return f"{placement.score:.2f}" + (f" (spans {', '.join(split)})" if split else "")


def reported(score: float | None) -> str:
    return "not reported" if score is None else f"{score:.2f}"


def findings(items: Sequence[Finding], title: str = "Findings") -> list[str]:
    """Findings as bullets: severity, code, subject, message; evidence and remediation below."""
    if not items:
        return []
    lines = ["", f"### {title}"]
    for f in items:
        since = f" (since {f.since:%H:%M:%SZ})" if f.since else ""
        lines.append(f"- **{f.severity.value} {f.code}** {f.subject}: {f.message}{since}")
        lines += [f"  - evidence: {e}" for e in f.evidence]
        lines.append(f"  - do: {f.remediation}")
    return lines
