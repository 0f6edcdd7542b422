"""Small terminal building blocks: bars, state marks, score labels (rich markup); and the
layouts that keep names whole at any width: hanging indents, line parts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.text import Text

from ..reports.common import Finding, GangState, Severity

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
