"""``health`` as terminal text: one box per gang, countdown bar, issues, summary."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from ..reports.health import GangHealth, HealthList, HealthReport
from ..timefmt import due_in, format_age, format_seconds
from .text_status import heading
from .widgets import Hanging, Parts, bar, finding_lines, note_lines, score_text, state_text

RULES = {
    "durable": "termination counts only what Grove saw healthy (HealthyStateObserved)",
    "gated": "termination counts only cliques ever scheduled and groups ever healthy",
    "ungated": "termination counts every breach",
}
RULES_APPLY_TO = {
    "durable": "a release with HealthyStateObserved",
    "gated": "v0.1.0-alpha.12-rc1 or later",
    "ungated": "v0.1.0-alpha.11 or earlier",
}
_THRESHOLD = {
    "above": ("✓ above threshold", "green"),
    "at": ("✓ at threshold", "green"),
    "below": ("✗ below threshold", "red"),
}


def _countdown(gang: GangHealth) -> list[RenderableType]:
    """The termination Grove will carry out (or why none), and the other rule set's answer."""
    countdown = gang.termination
    lines: list[RenderableType] = []
    if countdown is not None:
        delay = format_seconds(countdown.termination_delay_seconds)
        configured = "configured" if countdown.delay_configured else "Grove default"
        lines.append(Hanging(Text(f"TerminationDelay: {delay} ({configured})")))
        style = "red" if countdown.remaining_fraction < 0.25 else "yellow"
        remaining = Text("Time Remaining: ")
        remaining.append(format_seconds(countdown.remaining_seconds) + " ", style=f"bold {style}")
        remaining.append_text(bar(countdown.remaining_fraction, width=20, style=style))
        remaining.append(f" {round(countdown.remaining_fraction * 100)}%")
        lines.append(Hanging(remaining))
        lines.append(
            Hanging(Text(f"Then: {countdown.action} (breach on {countdown.subject}).", style="dim"))
        )
        lines.append(
            Hanging(Text(f"Why: {countdown.why}; rules of {countdown.applies_to}.", style="dim"))
        )
        if countdown.remaining_seconds < 0:
            lines.append(Hanging(Text(countdown.caveat, style="yellow")))
    spared = [b for b in gang.breaches if b.counts is False]
    if spared and countdown is None:
        lines.append(
            Hanging(Text("Termination: none expected. Grove leaves these breaches alone:"))
        )
    lines += [Hanging(Text(f"{b.subject}: {b.reason}.", style="dim"), 2) for b in spared]
    if gang.termination_alternative is not None:
        lines.append(
            Hanging(
                Text(
                    f"Depends on the Grove version: {gang.termination_alternative.text}",
                    style="yellow",
                )
            )
        )
    return lines


def _clique_lines(gang: GangHealth, report: HealthReport) -> list[RenderableType]:
    """A table without a header: columns as wide as their widest cell (clique names of any
    length), a breach's detail wrapping under the ready count."""
    ready = [f"{c.ready}/{c.replicas} ready" for c in gang.cliques]
    minimum = [f"(min: {c.min_available})" for c in gang.cliques]
    widths = [
        max([10, *(len(c.clique) for c in gang.cliques)]),
        max(map(len, ready), default=0),
        max(map(len, minimum), default=0),
        max((len(_THRESHOLD[c.threshold][0]) for c in gang.cliques), default=0),
    ]
    lines: list[RenderableType] = []
    for c, count, least in zip(gang.cliques, ready, minimum, strict=True):
        label, style = _THRESHOLD[c.threshold]
        line = Text(f"{c.clique:<{widths[0]}} {count:<{widths[1]}}  {least:<{widths[2]}}  ")
        line.append(label, style=style)
        if c.breached is False and c.breach_reason == "InsufficientScheduledPods":
            line.append(" " * (widths[3] - len(label) + 2))
            line.append("not breached: Grove suppresses it with no pod scheduled", style="dim")
        if c.breached:
            since = format_age(c.breached_since, report.as_of)
            line.append(" " * (widths[3] - len(label) + 2))
            line.append(f"MinAvailableBreached for {since} ({c.breach_reason})", style="red")
        lines.append(Hanging(line, 2, 2 + widths[0] + 1))
    return lines


def _gang_box(gang: GangHealth, report: HealthReport) -> Panel:
    state = Text("State: ")
    state.append_text(state_text(gang.state))
    state.append(f"  ({gang.reason})")
    if gang.termination:
        state.append(
            f" — termination {due_in(gang.termination.remaining_seconds)}",
            style="bold red",
        )
    phase = Text("Phase (reported): ")
    phase.append(gang.phase or "absent", style="dim")
    if gang.phase == "Pending":
        phase.append(" (Grove leaves it Pending; the state above is derived)", style="dim")
    phase.append("    Placement: ")
    derived = gang.derived_placement.score if gang.derived_placement else None
    phase.append_text(score_text(derived))
    phase.append(" derived, ")
    phase.append_text(score_text(gang.reported_placement_score))
    phase.append(" reported")
    body: list[RenderableType] = [
        Hanging(state),
        Hanging(phase),
        Text(),
        Text("Clique Health:"),
        *_clique_lines(gang, report),
    ]
    if gang.issues:
        body += [Text(), Text("Issues:", style="bold"), *finding_lines(gang.issues, 2)]
    unhealthy_conditions = [
        cond
        for cond in gang.conditions
        if cond.status != "True" or cond.type in ("Unhealthy", "DisruptionTarget")
    ]
    if unhealthy_conditions:
        body += [Text(), Text("Conditions:", style="bold")]
        body += [
            Hanging(
                Text(
                    f"{cond.object}: {cond.type}={cond.status} {cond.reason or ''} "
                    f"(since {format_age(cond.since, report.as_of)} ago)"
                ),
                2,
            )
            for cond in unhealthy_conditions
        ]
    termination = _countdown(gang)
    if termination:
        body += [Text(), *termination]
    border = "green" if gang.healthy else ("red" if gang.termination else "yellow")
    return Panel(
        Group(*body), title=f"PodGang: {gang.name}", title_align="left", border_style=border
    )


def _version_line(report: HealthReport) -> RenderableType:
    """Which Grove rules the countdowns follow; loud only when the answer depends on it."""
    version = report.grove_version
    if version.rules is not None:
        name = version.version or RULES_APPLY_TO[version.rules]
        return Hanging(
            Text(f"Grove: {name}, {RULES[version.rules]}. From: {version.evidence}.", style="dim")
        )
    depends = any(
        g.termination_alternative or any(b.counts is None for b in g.breaches) for g in report.gangs
    )
    text = Text(
        f"Grove version unknown: {version.evidence}. ", style="yellow" if depends else "dim"
    )
    text.append(
        "Termination answers are given for both rule sets."
        if depends
        else "Both rule sets give the same answers here."
    )
    if version.hint:
        text.append(f" {version.hint}", style="dim")
    return Hanging(text)


def render_health(report: HealthReport, fancy: bool = True) -> RenderableType:
    parts: list[RenderableType] = [
        heading("Gang Health Dashboard", "🏥", fancy),
        Parts(  # broken only between parts: the timestamp stays whole
            f"PodCliqueSet: {report.name}",
            f"namespace {report.namespace}",
            f"as of {report.as_of:%Y-%m-%d %H:%M:%SZ}",
        ),
    ]
    if report.issues:
        parts += [Text("Issues:", style="bold"), *finding_lines(report.issues, 2)]
    if any(g.breaches for g in report.gangs):
        parts.append(_version_line(report))
    parts += [_gang_box(g, report) for g in report.gangs]
    summary = Text("Summary: ", style="bold")
    summary.append(report.summary.text, style="green" if report.summary.ok else "red")
    parts.append(Hanging(summary))
    parts += note_lines(report.notes)
    return Group(*parts)


def render_health_list(report: HealthList, fancy: bool = True) -> RenderableType:
    if not report.items:
        return Text(f"No PodCliqueSets in namespace {report.namespace}.")
    parts: list[RenderableType] = [render_health(item, fancy) for item in report.items]
    summary = Text("All: ", style="bold")
    summary.append(report.summary.text, style="green" if report.summary.ok else "red")
    return Group(*parts, Hanging(summary))


RENDERERS = {  # by report model; registry.py collects them
    HealthReport: render_health,
    HealthList: render_health_list,
}
