"""Report text as Slack mrkdwn: the one escaping step, severity markers, monospace tables, and
the compact Markdown of the other renderers turned into mrkdwn lines. Pure.

Slack's mrkdwn reads ``&``, ``<`` and ``>`` as markup (links, mentions), so every text that
comes from a report passes ``esc`` once, where it enters a mrkdwn text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..reports.common import Severity, Summary
from .markdown_parts import cell

MARKS = {
    Severity.critical: ":red_circle:",
    Severity.warning: ":warning:",
    Severity.info: ":information_source:",
}
OK_MARK = ":white_check_mark:"
EMPTY = "–"  # Slack refuses empty table cells

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_HEADING = re.compile(r"^#{1,6} (.*)$")


def esc(text: str) -> str:
    """``text`` safe inside a mrkdwn text: Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def marker(summary: Summary) -> str:
    """The verdict's emoji: a check when ok, else by severity."""
    return OK_MARK if summary.ok else MARKS[summary.severity]


def verdict(summary: Summary) -> str:
    """``:red_circle: *NOT OK*: …`` (mrkdwn, escaped)."""
    return f"{marker(summary)} *{'OK' if summary.ok else 'NOT OK'}*: {esc(summary.text)}"


def plain(value: Any) -> str:
    """A table cell's raw text: the Markdown cell's wording, never empty."""
    text = cell(value).replace("\\|", "|")
    return EMPTY if text in ("", "-") else text


def monospace(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """A table as padded columns (for a ```-fenced section), header first."""
    grid = [list(headers), *([plain(v) for v in row] for row in rows)]
    widths = [max(len(r[c]) for r in grid) for c in range(len(headers))]
    return ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in grid]


def _table_lines(lines: list[str]) -> list[str]:
    rows = [
        [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        for line in lines
        if not re.fullmatch(r"\|(---\|)+", line.strip())
    ]
    return monospace(rows[0], rows[1:]) if rows else []


def _inline(line: str) -> str:
    text = esc(line)
    heading = _HEADING.match(text)
    if heading:
        return "*" + _BOLD.sub(r"\1", heading.group(1)) + "*"
    text = _BOLD.sub(r"*\1*", text)
    stripped = text.lstrip(" ")
    if stripped.startswith("- "):
        depth = (len(text) - len(stripped)) // 2
        return "    " * depth + ("• " if depth == 0 else "◦ ") + stripped[2:]
    return text


def from_markdown(markdown: str) -> list[tuple[str, bool]]:
    """Markdown lines as mrkdwn lines, each with whether it is monospace (a table's row)."""
    out: list[tuple[str, bool]] = []
    pending: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            pending.append(line)
            continue
        if pending:
            out += [(esc(row), True) for row in _table_lines(pending)]
            pending = []
        out.append((_inline(line), False))
    while out and not out[-1][0]:
        out.pop()
    return out
