"""The terminal renderers on a fixed-width colourless console (80: a terminal, 160: a pipe).

1. No identifier is wrapped or cut: every object name the report's JSON holds (pods, nodes,
   PodCliques, gangs, topology domains, …) that the renderer prints at all (on an unbounded
   console) is printed whole on one line at 80 and 160 columns. No printed word is the start
   of a name without being a word of the report (a cut name, even one the renderer cuts at
   every width), and nothing is ellipsized (names inside free text are not fields of their
   own). Every command is printed whole: a ``$ command`` too long for the width continues on
   the next lines (`` \\`` continuations, broken at spaces), which the shell reads back as the
   same command.
2. Stable column layout: in every table the header's column start positions hold for every
   row; a table whose identifier columns leave no room for the rest prints its rows as
   records instead (the first cell on a line, then ``COLUMN: value`` lines), at 80 columns
   only and only where names are long; and no line asks for more than the width (the CLI
   would cut it), except a line that is a single unbreakable token.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

import pytest
from text_capture import (
    UNBOUNDED,
    WIDTHS,
    build,
    cases,
    commands,
    cut_names,
    identifiers,
    printed,
    shell_commands,
    whole_on_a_line,
    width_of,
)

from grove_mcp.reports.health import HealthList, HealthReport
from grove_mcp.reports.listing import WorkloadList
from grove_mcp.reports.plan_reports import PlanDiffReport, PlanHistoryReport
from grove_mcp.reports.status import StatusList, StatusReport

# Defects this suite finds, as strict xfails: fixing one turns its entry into a failure
# (XPASS) that says to delete the entry. Keys: (test, report, world, width).
KNOWN: dict[tuple[str, str, str, int], str] = {}


def _params(test: str) -> list[Any]:
    params = []
    for report, world in cases():
        for width in WIDTHS:
            reason = KNOWN.get((test, report, world, width))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(report, world, width, marks=marks))
    return params


# --- 1. identifiers ----------------------------------------------------------------------------


@pytest.mark.parametrize(("report", "world", "width"), _params("identifiers"))
def test_identifiers_are_printed_whole(report: str, world: str, width: int) -> None:
    built = build(report, world)
    unbounded = printed(built, UNBOUNDED)
    lines = printed(built, width)
    shown = {n for n in identifiers(built) if whole_on_a_line(n, unbounded)}
    assert shown, "no names printed: the check would be vacuous"
    assert getattr(built, "name", None) in (None, *shown)
    broken = sorted(n for n in shown if not whole_on_a_line(n, lines))
    assert not broken, f"names wrapped or cut at {width} columns: {broken}\n" + "\n".join(lines)
    cut = cut_names(built, lines)
    assert not cut, f"names cut at {width} columns: {cut}\n" + "\n".join(lines)
    ellipses = sum(line.count("…") for line in lines) - sum(line.count("…") for line in unbounded)
    assert not ellipses, f"text cut short (…) at {width} columns:\n" + "\n".join(lines)
    typed = shell_commands(lines)
    for command in commands(built):
        assert " ".join(command.split()) in typed, (
            f"command cut at {width} columns: {command!r}\n" + "\n".join(lines)
        )


# --- 2. layout --------------------------------------------------------------------------------

STATUS_CLIQUES = ("REPLICA", "CLIQUE", "READY", "MIN", "SCHED", "GATED", "UPDATED", "PROGRESS")
STATUS_GANGS = ("GANG", "STATE", "REASON", "PLACEMENT (derived)", "REPORTED", "PODS")
LISTING = ("NAME", "AVAILABLE", "GANGS", "PODS", "STATE")
HISTORY = ("REV", "STORED", "DIGEST", "FROM", "CONFIGURATION", "TOK/S/GPU")
DIFF = ("Parameter", "Planned", "Deployed", "Match")

Table = tuple[tuple[str, ...], int]  # header labels, data rows
LONG_NAMES = ("epoch-gangs", "long-names")  # worlds whose names crowd an 80-column table


def _tables(report: Any) -> list[Table]:
    """The tables the report prints, in order, with their number of data rows."""
    if isinstance(report, StatusReport):
        return [(STATUS_CLIQUES, len(report.cliques)), (STATUS_GANGS, len(report.gangs))]
    if isinstance(report, StatusList):
        return [t for item in report.items for t in _tables(item)]
    if isinstance(report, WorkloadList):
        return [(LISTING, len(report.items))] if report.items else []
    if isinstance(report, PlanHistoryReport):
        return [(HISTORY, len(report.entries))]
    if isinstance(report, PlanDiffReport):
        return [(DIFF, len(report.rows))]
    return []


def _cells(line: str) -> str:
    """The line indexed by terminal column (a double-width character takes two)."""
    return "".join(c + "\0" * (width_of(c) - 1) for c in line)


def _find(lines: list[str], start: int, labels: tuple[str, ...], boxed: bool) -> tuple[int, bool]:
    """The next table with these columns: (index of its header row, False), or of its first
    record (True) when the rows are printed as records."""
    gap = r"\s*│\s*" if boxed else r"\s{2,}"
    edge = r"│\s*" if boxed else ""
    pattern = re.compile(
        "^" + edge + gap.join(re.escape(label) for label in labels) + (r"\s*│$" if boxed else "$")
    )
    for index in range(start, len(lines)):
        if pattern.match(lines[index]):
            return index, False
        after = lines[index + 1] if index + 1 < len(lines) else ""
        record = lines[index].strip() and not lines[index].startswith(" ")
        if not boxed and record and after.startswith(f"  {labels[1]}:"):
            return index, True
    raise AssertionError(f"no header row {' | '.join(labels)}\n" + "\n".join(lines))


def _starts(header: str, labels: tuple[str, ...]) -> list[int]:
    starts, at = [], 0
    for label in labels:
        at = header.index(label, at)
        starts.append(at)
        at += len(label)
    return starts


def _check_borderless(lines: list[str], labels: tuple[str, ...], rows: int, at: int) -> int:
    """Rows of a borderless table: two spaces before every column start, every cell that has
    text starting at its column's start. A row's first cell is never empty; continuation
    lines (wrapped cells) have it empty. Returns the line after the table."""
    starts = _starts(lines[at], labels)
    seen = 0
    index = at + 1
    while index < len(lines) and lines[index].strip():
        line = lines[index]
        if line[: starts[1] - 2].strip():
            if seen == rows:
                break
            seen += 1
        assert seen, f"continuation line before the first row: {line!r}"
        bounds = [*starts, max(len(line), starts[-1]) + 2]
        for column, (begin, end) in enumerate(pairwise(bounds)):
            cell = line[begin : end - 2]
            where = f"column {labels[column]!r} (starts at {begin}) in row {line!r}"
            if column:
                assert line[begin - 2 : begin].strip() == "", f"text crosses into {where}"
            assert not cell.strip() or cell[0] != " ", f"cell does not start at {where}"
        index += 1
    assert seen == rows, f"{rows} rows expected under {lines[at]!r}, found {seen}"
    return index


def _check_records(lines: list[str], labels: tuple[str, ...], rows: int, at: int) -> int:
    """Rows printed as records: the first cell alone at the left edge, then a ``  COLUMN:
    value`` line per other column in order, every value (and every line it wraps onto)
    starting at the same column. Returns the line after the last record."""
    value_at = None
    index = at
    for _ in range(rows):
        first = lines[index]
        assert first.strip() and not first.startswith(" "), f"no record starts at {first!r}"
        index += 1
        for label in labels[1:]:
            line = lines[index] if index < len(lines) else ""
            match = re.match(rf"^  {re.escape(label)}:\s+(?=\S)", line)
            assert match, f"{label}: expected in the record of {first!r}, got {line!r}"
            value_at = value_at or match.end()
            assert match.end() == value_at, f"value not at column {value_at}: {line!r}"
            index += 1
            while index < len(lines) and lines[index].strip():
                if lines[index][:value_at].strip():
                    break
                index += 1  # the value wrapped onto this line
    return index


_BOX_JUNCTIONS = set("│┌┬┐├┼┤└┴┘")


def _check_boxed(lines: list[str], labels: tuple[str, ...], rows: int, at: int) -> int:
    """A boxed table: every border and separator at the header's separator columns, every
    cell's text one space after its left separator."""
    header = lines[at]
    separators = [i for i, c in enumerate(header) if c == "│"]
    assert lines[at - 1].startswith("┌"), f"no top border above {header!r}"
    seen = 0
    for index in range(at - 1, len(lines)):
        line = lines[index]
        junctions = [i for i, c in enumerate(line) if c in _BOX_JUNCTIONS]
        assert junctions == separators, f"separators moved: {line!r} under {header!r}"
        if line.startswith("│"):
            for left, right in pairwise(separators):
                cell = line[left + 1 : right]
                assert not cell.strip() or (cell[0] == " " and cell[1] != " "), (
                    f"cell does not start at its column: {line!r}"
                )
            if index > at and line[separators[0] + 1 : separators[1]].strip():
                seen += 1
        if line.startswith("└"):
            break
    else:
        raise AssertionError(f"no bottom border under {header!r}")
    assert seen == rows, f"{rows} rows expected in the table under {header!r}, found {seen}"
    return index + 1


_CLIQUE_ROW = re.compile(r"^\s+\S+\s+(\d+/\d+ ready)\s+(\(min: \d+\))\s+([✓✗] \w+ threshold)")


def _check_clique_health(lines: list[str]) -> None:
    """The health box's clique lines are a table without a header: the ready count, the
    minimum and the threshold verdict start at the same column on every clique's line."""
    boxes = 0
    for index, line in enumerate(lines):
        if line.strip("│ ") != "Clique Health:":
            continue
        boxes += 1
        columns = set()
        for row in lines[index + 1 :]:
            text = row.strip("│")
            if not text.strip():
                break
            if match := _CLIQUE_ROW.match(text):
                columns.add(tuple(match.start(g) for g in (1, 2, 3)))
        assert len(columns) == 1, (
            f"clique columns shift (ready, min, threshold at {sorted(columns)}):\n"
            + "\n".join(lines)
        )
    assert boxes, "no Clique Health block"


@pytest.mark.parametrize(("report", "world", "width"), _params("layout"))
def test_tables_keep_their_columns_and_lines_fit(report: str, world: str, width: int) -> None:
    built = build(report, world)
    lines = [_cells(line) for line in printed(built, width)]
    at = 0
    for labels, rows in _tables(built):
        boxed = isinstance(built, PlanDiffReport)
        at, records = _find(lines, at, labels, boxed)
        if records:  # only where names are long enough to leave a table no room
            assert width == 80 and world in LONG_NAMES, (
                f"{labels[0]} rows printed as records at {width} columns, where a table fits\n"
                + "\n".join(lines)
            )
            at = _check_records(lines, labels, rows, at)
        else:
            at = (_check_boxed if boxed else _check_borderless)(lines, labels, rows, at)
    if isinstance(built, HealthReport | HealthList):
        _check_clique_health(lines)

    for line in printed(built, width, crop=False):
        if width_of(line) <= width:
            continue
        token = line.lstrip(" │├└─")
        assert not re.search(r"\s", token), (
            f"line wider than {width} columns (the CLI cuts it): {line!r}"
        )
