"""The pieces a Slack message is built of: what a per-report layout hands the assembler
(``Layout``: title, verdict, key facts, a body of ``Table`` and ``Unit`` parts) and the Block Kit
blocks for each. Pure; ``slack_fit`` fits a layout into Slack's budget.

A ``Unit`` is the smallest thing that may be left out of a message (a finding, a gang's
details, a few lines of a long table); it counts what it holds (``3 cliques``) so that the
message can say exactly what went to the attached file instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..reports.common import Finding, ReportHeader, Severity, Summary
from . import blockkit
from .markdown_parts import time
from .slack_mrkdwn import MARKS, esc, from_markdown, monospace, plain

Noun = tuple[str, str]  # singular, plural
LINES: Noun = ("line", "lines")
FINDINGS: Noun = ("finding", "findings")
Block = dict[str, Any]
FENCE = "```"


@dataclass(frozen=True)
class Unit:
    """Blocks kept or left out together, and what they hold."""

    blocks: tuple[Block, ...]
    counts: tuple[tuple[Noun, int], ...] = ()
    clipped: bool = False  # a text was shortened to fit Slack's limit for one text


@dataclass(frozen=True)
class Table:
    """The message's one native table: the first rows that fit are shown."""

    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    noun: Noun
    numeric: frozenset[int] = frozenset()  # columns aligned right
    title: str | None = None


Part = Unit | Table


@dataclass(frozen=True)
class Layout:
    """One report as a Slack message, before fitting."""

    title: str
    summary: Summary
    report: Any  # a ReportHeader for the context line; other reports (generate) show no source
    file_name: str
    facts: Sequence[tuple[str, str]] = ()
    body: Sequence[Part] = ()
    notes: Sequence[str] = field(default_factory=tuple)


def clip(text: str, limit: int) -> tuple[str, bool]:
    """``text`` within ``limit`` characters, and whether it had to be shortened."""
    return (text, False) if len(text) <= limit else (text[: limit - 1] + "…", True)


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def section(text: str) -> Unit:
    """One section of mrkdwn (already escaped), shortened only when it exceeds Slack's limit."""
    shown, clipped = clip(text, blockkit.SECTION_CHARS)
    return Unit(({"type": "section", "text": mrkdwn(shown)},), clipped=clipped)


def header(title: str) -> tuple[Block, bool]:
    shown, clipped = clip(title, blockkit.HEADER_CHARS)
    return {"type": "header", "text": {"type": "plain_text", "text": shown, "emoji": True}}, clipped


def fields(items: Sequence[tuple[str, str]]) -> tuple[Block, bool]:
    """The summary section: ``*label*`` over the value (plain text, escaped here), at most
    Slack's 10 fields."""
    clipped = len(items) > blockkit.FIELDS
    shown = []
    for label, value in items[: blockkit.FIELDS]:
        text, cut = clip(f"*{esc(label)}*\n{esc(value)}", blockkit.FIELD_CHARS)
        clipped |= cut
        shown.append(mrkdwn(text))
    return {"type": "section", "fields": shown}, clipped


def table_block(table: Table, rows: int) -> Block:
    """The native table with its header row and the first ``rows`` rows."""
    grid = [list(table.headers), *table.rows[:rows]]
    return {
        "type": "table",
        "column_settings": [
            {"align": "right" if c in table.numeric else "left", "is_wrapped": True}
            for c in range(len(table.headers))
        ],
        "rows": [[{"type": "raw_text", "text": plain(v)} for v in row] for row in grid],
    }


def context(report: Any, notes: Sequence[str] = ()) -> tuple[Block, bool]:
    """Where the data came from, and the report's notes."""
    if isinstance(report, ReportHeader):
        texts = [f"{esc(report.source)} · namespace {esc(report.namespace)} · as of {time(report)}"]
        notes = [*report.notes, *notes]
    else:
        texts = ["grove-mcp"]
    texts += [f"note: {esc(n)}" for n in notes]
    if len(texts) > blockkit.CONTEXT_ELEMENTS:
        texts[blockkit.CONTEXT_ELEMENTS - 1 :] = ["\n".join(texts[blockkit.CONTEXT_ELEMENTS - 1 :])]
    clipped = False
    elements = []
    for text in texts:
        shown, cut = clip(text, blockkit.SECTION_CHARS)
        clipped |= cut
        elements.append(mrkdwn(shown))
    return {"type": "context", "elements": elements}, clipped


def lines_units(
    lines: Sequence[tuple[str, bool]],
    noun: Noun = LINES,
    title: str | None = None,
    repeat: tuple[str, bool] | None = None,
) -> list[Unit]:
    """mrkdwn lines (each with whether it is monospace) as sections of at most Slack's section
    limit, split at line boundaries; every section counts the non-empty lines it holds. The
    ``title`` (escaped mrkdwn) opens the first section, ``repeat`` (a table's header row) each."""
    limit = blockkit.SECTION_CHARS
    first = [(title, False)] if title else []
    first += [repeat] if repeat else []
    later = [repeat] if repeat else []
    chunks: list[tuple[list[tuple[str, bool]], list[tuple[str, bool]]]] = []
    current: list[tuple[str, bool]] = []
    for line in _short_lines(lines, limit - 200):
        head = later if chunks else first
        if current and len(_join([*head, *current, line])) > limit:
            chunks.append((head, current))
            current = []
        current.append(line)
    chunks.append((later if chunks else first, current))
    units = []
    for head, body in chunks:
        text = _join([*head, *body]).strip("\n")
        if text.strip():
            counted = sum(1 for line in body if line[0].strip())
            units.append(Unit(section(text).blocks, ((noun, counted),) if counted else ()))
    return units


def code_units(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], noun: Noun, title: str | None = None
) -> list[Unit]:
    """A table as monospace sections; each section repeats the header row."""
    head, *body = monospace(headers, rows)
    titled = f"*{esc(title)}*" if title else None
    return lines_units([(esc(r), True) for r in body], noun, titled, (esc(head), True))


def markdown_units(markdown: str, noun: Noun = LINES, title: str | None = None) -> list[Unit]:
    """A piece of the compact Markdown (as the Markdown renderer writes it) as sections."""
    return lines_units(from_markdown(markdown), noun, title)


def finding(f: Finding) -> Unit:
    """One finding: severity emoji, code, subject and message; evidence and what to do."""
    since = f" (since {f.since:%H:%M:%SZ})" if f.since else ""
    lines = [f"{MARKS[f.severity]} *{esc(f.code)}* {esc(f.subject)}: {esc(f.message)}{since}"]
    lines += [f"> evidence: {esc(e)}" for e in f.evidence]
    lines.append(f"*do:* {esc(f.remediation)}")
    unit = section("\n".join(lines))
    return Unit(unit.blocks, ((FINDINGS, 1),), unit.clipped)


def findings(items: Iterable[Finding], title: str | None = None) -> list[Unit]:
    units = [finding(f) for f in items]
    if units and title:
        first = units[0]
        text = f"*{esc(title)}*\n" + first.blocks[0]["text"]["text"]
        units[0] = Unit(section(text).blocks, first.counts, section(text).clipped)
    return units


def marked(severity: Severity, code: str, text: str, *details: str, noun: Noun = FINDINGS) -> Unit:
    """A finding-like entry of another shape (a diagnosis, a ranked cause)."""
    lines = [f"{MARKS[severity]} *{esc(code)}* {text}", *details]
    unit = section("\n".join(lines))
    return Unit(unit.blocks, ((noun, 1),), unit.clipped)


def _short_lines(lines: Iterable[tuple[str, bool]], limit: int) -> Iterable[tuple[str, bool]]:
    """Lines longer than a section split into pieces (no character is lost)."""
    for text, code in lines:
        while len(text) > limit:
            yield text[:limit], code
            text = text[limit:]
        yield text, code


def _join(lines: Sequence[tuple[str, bool]]) -> str:
    out: list[str] = []
    code = False
    for text, mono in lines:
        if mono != code:
            out.append(FENCE)
            code = mono
        out.append(text)
    if code:
        out.append(FENCE)
    return "\n".join(out)
