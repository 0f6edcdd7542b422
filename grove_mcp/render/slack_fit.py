"""A layout fitted into Slack's budget (``blockkit.BUDGET_*``), never cut silently. Pure.

Header, summary fields and context always stay. The body's parts follow in order while they
fit; of each kind (gangs, findings …) the first ones are shown. When anything is left out or
shortened, a section says exactly what, and the message carries the whole report as Markdown
(``snippet``) for the bot to attach as a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import blockkit
from .slack_mrkdwn import esc, marker
from .slack_parts import Block, Layout, Noun, Table, clip, context, fields, header, table_block
from .slack_parts import section as section_unit

SECTIONS: Noun = ("section", "sections")
NOTE_CHARS = 600
TABLE_SHARE = 0.4  # of the budget, at most, for a table with parts after it (when all cannot fit)  # room kept for the note saying what was left out


@dataclass(frozen=True)
class SlackMessage:
    """A report as one Slack message, within the budget the bot relies on."""

    text: str  # the notification / fallback line: verdict and summary
    blocks: list[dict[str, Any]]  # within blockkit.BUDGET_BLOCKS and BUDGET_JSON_CHARS
    snippet: str | None = None  # the whole report as Markdown when the blocks could not hold it
    snippet_name: str = "report.md"

    def payload(self) -> dict[str, Any]:
        """The body of ``chat.postMessage`` (without channel)."""
        return {"text": self.text, "blocks": self.blocks}


@dataclass
class _Fit:
    blocks: list[Block]
    left: dict[Noun, int]
    clipped: bool


def assemble(layout: Layout, markdown: Callable[[], str]) -> SlackMessage:
    """``layout`` as a message; ``markdown`` gives the whole report when something is left out."""
    mark = marker(layout.summary)
    top, cut_title = header(f"{mark} {layout.title}")
    verdict = f"{'OK' if layout.summary.ok else 'NOT OK'}: {layout.summary.text}"
    facts, cut_facts = fields([("Verdict", f"{mark} {verdict}"), *layout.facts])
    tail, cut_context = context(layout.report, layout.notes)
    text, cut_text = clip(esc(f"{layout.title} — {verdict}"), blockkit.SECTION_CHARS)
    head_clipped = cut_title or cut_facts or cut_context or cut_text

    fit = _fit(layout, [top, facts], tail, reserve=False)
    if not fit.left and not fit.clipped and not head_clipped:
        return SlackMessage(text, fit.blocks, None, layout.file_name)
    fit = _fit(layout, [top, facts], tail, reserve=True)
    note = _note(fit.left, fit.clipped or head_clipped, layout.file_name)
    blocks = [*fit.blocks[:-1], *section_unit(note).blocks, fit.blocks[-1]]
    return SlackMessage(text, blocks, markdown(), layout.file_name)


def _fit(layout: Layout, head: list[Block], tail: Block, reserve: bool) -> _Fit:
    max_blocks = blockkit.BUDGET_BLOCKS - (1 if reserve else 0)
    max_chars = blockkit.BUDGET_JSON_CHARS - (NOTE_CHARS if reserve else 0)
    blocks = list(head)
    left: dict[Noun, int] = {}
    full: set[Noun] = set()  # kinds already cut: later ones of the kind are left out too
    clipped = False

    def fits(extra: list[Block]) -> bool:
        candidate = [*blocks, *extra, tail]
        return len(candidate) <= max_blocks and blockkit.blocks_size(candidate) <= max_chars

    def fits_table(extra: list[Block]) -> bool:  # a table leaves room for what follows it
        share = not reserve or last or blockkit.blocks_size(extra) <= TABLE_SHARE * max_chars
        return share and fits(extra)

    tables = 0
    for i, part in enumerate(layout.body):
        last = i == len(layout.body) - 1
        if isinstance(part, Table):
            shown = 0 if tables else _table_rows(part, fits_table)
            tables += 1
            if shown:
                blocks += _table_blocks(part, shown)
            if shown < len(part.rows):
                left[part.noun] = left.get(part.noun, 0) + len(part.rows) - shown
                full.add(part.noun)
            continue
        nouns = [noun for noun, _ in part.counts]
        if not full.intersection(nouns) and fits(list(part.blocks)):
            blocks += part.blocks
            clipped |= part.clipped
            continue
        full.update(nouns)
        for noun, count in part.counts or ((SECTIONS, 1),):
            left[noun] = left.get(noun, 0) + count
    return _Fit([*blocks, tail], left, clipped)


def _table_blocks(table: Table, rows: int) -> list[Block]:
    title = [*section_unit(f"*{esc(table.title)}*").blocks] if table.title else []
    return [*title, table_block(table, rows)]


def _table_rows(table: Table, fits: Callable[[list[Block]], bool]) -> int:
    """The most rows of ``table`` that fit (within Slack's rows and cell characters)."""
    most = min(len(table.rows), blockkit.TABLE_ROWS - 1)
    low, high = 0, most
    while low < high:
        mid = (low + high + 1) // 2
        block = table_block(table, mid)
        if fits(_table_blocks(table, mid)) and not blockkit.problems([block]):
            low = mid
        else:
            high = mid - 1
    return low


def _note(left: dict[Noun, int], clipped: bool, file_name: str) -> str:
    counts = [f"{n} {noun[0] if n == 1 else noun[1]}" for noun, n in left.items() if n]
    where = f"the attached file `{esc(file_name)}`"
    if not counts:
        return f":page_facing_up: Some long texts are shortened here; {where} has them whole."
    said = counts[0] if len(counts) == 1 else ", ".join(counts[:-1]) + " and " + counts[-1]
    verb = "is" if len(counts) == 1 and said.startswith("1 ") else "are"
    extra = " Some long texts are shortened here too." if clipped else ""
    return f":page_facing_up: {_more(said)} {verb} in {where}.{extra}"


def _more(said: str) -> str:
    number, _, rest = said.partition(" ")
    return f"{number} more {rest}"
