"""Small terminal building blocks: bars, state marks, score labels (rich markup)."""

from __future__ import annotations

from rich.text import Text

from ..reports.common import GangState, Severity

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
