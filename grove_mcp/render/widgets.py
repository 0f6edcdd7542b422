"""Small terminal building blocks: bars, state marks, score labels (rich markup); and the
layouts that keep names whole at any width: hanging indents, line parts, tables that wrap
only free text, shell commands with continuations."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from ..reports.common import Finding, GangState, Severity, Summary

STATE_STYLE = {
    GangState.healthy: ("✓", "green"),
    GangState.degraded: ("⚠", "yellow"),
    GangState.starting: ("…", "cyan"),
    GangState.updating: ("↻", "cyan"),
    GangState.unschedulable: ("✗", "red"),
    GangState.gated: ("⧗", "yellow"),
    GangState.breached: ("⚠", "red"),
    GangState.terminating: ("✗", "red"),
    GangState.unknown: ("?", "dim"),
}
SEVERITY_STYLE = {
    Severity.critical: ("✗", "red"),
    Severity.warning: ("⚠", "yellow"),
    Severity.info: ("ℹ", "blue"),
}


def bar(fraction: float, width: int = 16, style: str = "green") -> Text:
    """``[████████░░░░░░░░]`` for a fraction in [0, 1]."""
    fraction = min(1.0, max(0.0, fraction))
    filled = round(fraction * width)
    text = Text("[")
    text.append("█" * filled, style=style)
    text.append("░" * (width - filled), style="dim")
    text.append("]")
    return text


def ratio_style(part: int, whole: int, minimum: int | None = None) -> str:
    if whole and part >= whole:
        return "green"
    if minimum is not None and part >= minimum:
        return "yellow"
    return "red"


def score_text(score: float | None, width: int = 10) -> Text:
    """``0.65 ██████▌░░░`` coloured green ≥ 0.9, yellow ≥ 0.7, red below; ``n/a`` for None."""
    if score is None:
        return Text("n/a", style="dim")
    style = "green" if score >= 0.9 else ("yellow" if score >= 0.7 else "red")
    eighths = round(min(1.0, max(0.0, score)) * width * 8)
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part else ""
    text = Text(f"{score:.2f} ", style=style)
    text.append("█" * full + partial, style=style)
    text.append("░" * (width - full - (1 if partial else 0)), style="dim")
    return text


def gpu_bar(this: int, other: int | None, allocatable: int | None) -> Text:
    """One cell per GPU (scaled past 16): this workload █, other workloads ▒, free ░."""
    if allocatable is None:
        return Text("█" * min(this, 16) + " (capacity unknown)", style="dim")
    if allocatable <= 0:
        return Text("(no GPUs)", style="dim")
    scale = max(1, -(-allocatable // 16))
    cells = -(-allocatable // scale)
    mine = round(this / scale)
    theirs = round((other or 0) / scale) if other is not None else 0
    text = Text()
    text.append("█" * mine, style="green")
    if other is None:
        text.append("?" * (cells - mine), style="dim")
        return text
    text.append("▒" * min(theirs, cells - mine), style="yellow")
    text.append("░" * max(0, cells - mine - theirs), style="dim")
    return text


def state_text(state: GangState, with_mark: bool = True) -> Text:
    mark, style = STATE_STYLE.get(state, ("?", ""))
    return Text(f"{mark} {state.value}" if with_mark else state.value, style=style)


# --- layouts that keep names whole at any width ------------------------------------------------


def longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def indented(line: Text, columns: int) -> Text:
    text = Text(" " * columns)
    text.append_text(line)
    text.rstrip()
    return text


class Hanging:
    """One line of text with a hanging indent: it starts at ``indent`` columns and the lines it
    wraps onto start at ``hang`` (deeper), in whatever width it is given.

    A ``Text`` indented with leading spaces wraps back to column 0 of its box, out of its
    indentation, where a wrapped line reads like a new one; this keeps it inside. Lines break
    at spaces; where the longest word of the rest would not fit at ``hang``, the rest hangs
    less deep, so that a name is not cut in two.
    """

    def __init__(self, text: Text | str, indent: int = 0, hang: int | None = None) -> None:
        self.text = Text(text) if isinstance(text, str) else text
        self.indent = indent
        self.hang = indent + 2 if hang is None else hang

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        for paragraph in self.text.split("\n"):
            wrapped = paragraph.wrap(console, max(1, width - self.indent))
            first = wrapped[0] if wrapped else Text()
            yield indented(first, self.indent)
            rest = paragraph[len(first.plain) :]
            rest = rest[len(rest.plain) - len(rest.plain.lstrip()) :]
            if rest.plain:
                hang = max(0, min(self.hang, width - longest_word(rest.plain)))
                for line in rest.wrap(console, max(1, width - hang)):
                    yield indented(line, hang)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        text = Measurement.get(console, options, self.text)
        return Measurement(text.minimum + self.hang, text.maximum + self.indent).clamp(
            max_width=options.max_width
        )


def verdict_line(summary: Summary, fancy: bool, label: str = "Summary") -> Hanging:
    """The report's own verdict, as every front end shows it: green when ok, yellow for a
    warning, red for critical."""
    line = Text(("∑ " if fancy else "") + f"{label}: ", style="bold")
    line.append(summary.text, style=_VERDICT_STYLE[summary.severity] if not summary.ok else "green")
    return Hanging(line)


_VERDICT_STYLE = {Severity.info: "green", Severity.warning: "yellow", Severity.critical: "red"}


class Parts:
    """Parts of one line (``a    b    c``) that break onto more lines only between parts: a
    part (``as of 2026-11-20 14:30:00Z``) stays whole while it fits in the width. The lines
    after the first start at ``hang``. ``sep`` is one separator, or one per gap."""

    def __init__(
        self, *parts: Text | str, sep: str | Sequence[str] = "    ", indent: int = 0, hang: int = 2
    ) -> None:
        self.parts = [Text(p) if isinstance(p, str) else p for p in parts]
        self.seps = [sep] * (len(parts) - 1) if isinstance(sep, str) else list(sep)
        self.indent = indent
        self.hang = hang

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        lines = [self.parts[0].copy()]
        for sep, part in zip(self.seps, self.parts[1:], strict=True):
            room = width - (self.indent if len(lines) == 1 else self.hang)
            if cell_len(lines[-1].plain + sep + part.plain) <= room:
                lines[-1].append(sep)
                lines[-1].append_text(part)
            else:
                lines.append(part.copy())
        for index, line in enumerate(lines):
            at = self.indent if index == 0 else self.hang
            yield Hanging(line, at, at + 2)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max(cell_len(p.plain) for p in self.parts)
        whole = sum(cell_len(p.plain) for p in self.parts) + sum(map(cell_len, self.seps))
        return Measurement(widest + self.hang, whole + self.indent).clamp(
            max_width=options.max_width
        )


def finding_lines(findings: Iterable[Finding], indent: int = 0) -> list[RenderableType]:
    """Message after the severity mark, evidence and remediation below it, each wrapping
    under itself."""
    lines: list[RenderableType] = []
    for f in findings:
        mark, style = SEVERITY_STYLE[f.severity]
        message = Text(f"{mark} ", style=style)
        message.append(f.message)
        lines.append(Hanging(message, indent))
        lines += [Hanging(Text(item, style="dim"), indent + 4) for item in f.evidence]
        lines.append(Hanging(Text(f"→ {f.remediation}", style="italic"), indent + 4))
    return lines


def note_lines(notes: Iterable[str]) -> list[RenderableType]:
    """``note: …`` lines, wrapping under the note's text."""
    return [Hanging(Text(f"note: {n}", style="dim"), 0, len("note: ")) for n in notes]


# --- tables ------------------------------------------------------------------------------------

_GAP = 2  # between the columns of a borderless table
_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")  # MinAvailable|Breached


def _narrowest(text: str) -> int:
    """The narrowest column free text fits in without cutting a word other than at its
    CamelCase humps (a Kubernetes reason such as MinAvailableBreached; a name never has one)."""
    return max((cell_len(p) for w in text.split() for p in _HUMP.split(w)), default=0)


def _units(plain: str, width: int) -> list[tuple[int, int]]:
    """(start, end) of the pieces a line may not break inside: words; a word wider than
    ``width`` in its CamelCase pieces, folded only where a piece is still wider."""
    units = []
    for match in re.finditer(r"\S+", plain):
        start, end = match.span()
        if cell_len(match.group()) <= width:
            units.append((start, end))
            continue
        cuts = [start, *(start + h.start() for h in _HUMP.finditer(match.group())), end]
        for begin, stop in pairwise(cuts):
            while cell_len(plain[begin:stop]) > width:
                fold = begin + 1
                while cell_len(plain[begin : fold + 1]) <= width:
                    fold += 1
                units.append((begin, fold))
                begin = fold
            units.append((begin, stop))
    return units


def wrap_words(text: Text, width: int) -> list[Text]:
    """``text`` in lines of at most ``width`` cells, broken at spaces (see ``_units``)."""
    lines: list[Text] = []
    for paragraph in text.split("\n", allow_blank=True):
        plain = paragraph.plain
        start: int | None = None
        end = 0
        for begin, stop in _units(plain, width):
            if start is None:
                start, end = begin, stop
            elif cell_len(plain[start:stop]) <= width:
                end = stop
            else:
                lines.append(paragraph[start:end])
                start, end = begin, stop
        lines.append(paragraph[start:end] if start is not None else Text())
    return lines


class FitTable:
    """A borderless table laid out for the width it is printed in.

    Identifier columns (the default) are as wide as their widest cell and never wrap or cut.
    The ``wrap`` columns hold free text (a reason, a state): when the table would be wider
    than the width they wrap onto more lines, at spaces (a CamelCase word also at its humps),
    sharing the room left so as to take the fewest lines. When even that cannot fit, every
    row becomes a record: its first cell on a line, then a ``COLUMN: value`` line per column.
    """

    def __init__(self, *headers: str, wrap: Sequence[str] = ()) -> None:
        self.headers = headers
        self.free = [header in wrap for header in headers]
        self.rows: list[list[Text]] = []

    def add_row(self, *cells: Text | str) -> None:
        self.rows.append([Text(c) if isinstance(c, str) else c for c in cells])

    def _natural(self) -> list[int]:
        return [
            max([cell_len(header), *(cell_len(row[i].plain) for row in self.rows)])
            for i, header in enumerate(self.headers)
        ]

    def widths(self, width: int) -> list[int] | None:
        """Every column's width in ``width`` cells, or None when only records fit."""
        natural = self._natural()
        gaps = _GAP * (len(self.headers) - 1)
        if sum(natural) + gaps <= width:
            return natural
        free = [i for i, f in enumerate(self.free) if f]
        room = width - gaps - sum(n for n, f in zip(natural, self.free, strict=True) if not f)
        least = {
            i: max([cell_len(self.headers[i]), *(_narrowest(r[i].plain) for r in self.rows)])
            for i in free
        }
        if sum(least.values()) > room:
            return None
        counts: dict[tuple[int, int], list[int]] = {}

        def lines(i: int, w: int) -> list[int]:
            if (i, w) not in counts:
                counts[i, w] = [len(wrap_words(row[i], w)) for row in self.rows]
            return counts[i, w]

        best: tuple[tuple[int, int], dict[int, int]] | None = None
        for share in _shares(free, least, natural, room):
            per_column = [lines(i, w) for i, w in share.items()]
            cost = (
                sum(max(row) for row in zip(*per_column, strict=True)),
                sum(map(sum, per_column)),
            )
            if best is None or cost < best[0]:
                best = cost, share
        assert best is not None
        widths = list(natural)
        for i, w in best[1].items():
            wrapped = [line for row in self.rows for line in wrap_words(row[i], w)]
            widths[i] = max([cell_len(self.headers[i]), *(cell_len(t.plain) for t in wrapped)])
        return widths

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self.widths(options.max_width)
        if widths is None:
            yield from self._records()
            return
        table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold dim")
        for header, w in zip(self.headers, widths, strict=True):
            table.add_column(header, width=w, no_wrap=True)
        for row in self.rows:
            table.add_row(
                *(
                    Text("\n").join(wrap_words(cell, w)) if free else cell
                    for cell, w, free in zip(row, widths, self.free, strict=True)
                )
            )
        yield table

    def _records(self) -> RenderResult:
        labels = self.headers[1:]
        label_width = max(cell_len(label) for label in labels) + 1
        for row in self.rows:
            name = row[0].copy()
            name.stylize("bold")
            yield Hanging(name, 0, 2)
            for label, cell in zip(labels, row[1:], strict=True):
                line = Text(f"  {label + ':':<{label_width}} ", style="dim")
                line.append_text(cell)
                yield Hanging(line, 0, 2 + label_width + 1)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        natural = self._natural()
        whole = sum(natural) + _GAP * (len(natural) - 1)
        least = max((longest_word(row[0].plain) for row in self.rows), default=0)
        return Measurement(min(least, whole), whole).clamp(max_width=options.max_width)


def _shares(
    columns: list[int], least: dict[int, int], most: list[int], room: int
) -> Iterator[dict[int, int]]:
    """Every way to share ``room`` among ``columns`` (each between its least and most width);
    the last column takes all that is left."""
    if not columns:
        yield {}
        return
    first, rest = columns[0], columns[1:]
    if not rest:
        yield {first: min(most[first], room)}
        return
    for w in range(least[first], min(most[first], room - sum(least[i] for i in rest)) + 1):
        for tail in _shares(rest, least, most, room - w):
            yield {first: w, **tail}


# --- shell commands ----------------------------------------------------------------------------


def _shell_words(command: str) -> tuple[list[str], str | None]:
    """The words of a shell command (quotes and escapes kept inside their word) and its
    trailing ``# comment``."""
    words: list[str] = []
    word, quote, index = "", "", 0
    while index < len(command):
        char = command[index]
        if quote:
            word += char
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"' and index + 1 < len(command):
                index += 1
                word += command[index]
        elif char == "\\" and index + 1 < len(command):
            word += command[index : index + 2]
            index += 1
        elif char in "'\"":
            quote, word = char, word + char
        elif char.isspace():
            if word:
                words.append(word)
            word = ""
        elif char == "#" and not word:
            return words, command[index:].rstrip()
        else:
            word += char
        index += 1
    if word:
        words.append(word)
    return words, None


def shell_lines(command: str, width: int) -> list[str]:
    """``$ command`` in lines of at most ``width`` cells where words allow, so that it is
    never cut: a line that does not end the command ends in `` \\`` (a continuation; broken
    only at spaces outside quotes), the lines it continues onto are indented by 4, and a
    trailing ``# comment`` too long to follow goes after a continuation, on ``#`` lines of its
    own (a comment cannot be continued). Pasted, the lines run the same command."""
    whole = f"$ {command}"
    words, comment = _shell_words(command)
    if cell_len(whole) <= width or not words:
        return [whole]
    more = "    "
    lines: list[str] = []
    line = f"$ {words[0]}"
    for index, word in enumerate(words[1:], 1):
        tail = " ".join([*words[index:], *([comment] if comment else [])])
        if cell_len(f"{line} {tail}") <= width:
            return [*lines, f"{line} {tail}"]
        if cell_len(f"{line} {word} \\") <= width:
            line = f"{line} {word}"
        else:
            lines.append(f"{line} \\")
            line = more + word
    if comment:
        if cell_len(f"{line} {comment}") <= width:
            return [*lines, f"{line} {comment}"]
        lines.append(f"{line} \\")
        line = more + "#"
        for word in comment[1:].split():
            if line.endswith("#") or cell_len(f"{line} {word}") <= width:
                line = f"{line} {word}"
            else:
                lines.append(line)
                line = f"{more}# {word}"
    return [*lines, line]


class ShellCommand:
    """A ``$ command`` line at ``indent``, printed whole at any width (see ``shell_lines``)."""

    def __init__(self, command: str, indent: int = 4, style: str = "cyan") -> None:
        self.command = command
        self.indent = indent
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in shell_lines(self.command, options.max_width - self.indent):
            yield Text(" " * self.indent + line, style=self.style)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(
            self.indent + longest_word(self.command) + 2, self.indent + 2 + len(self.command)
        ).clamp(max_width=options.max_width)
