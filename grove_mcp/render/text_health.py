"""``health`` as terminal text: one box per gang, countdown bar, issues, summary."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from ..reports.health import GangHealth, HealthList, HealthReport, TerminationCountdown
from ..timefmt import format_age, format_seconds
from .text_status import heading
from .text_topology import finding_lines
from .widgets import bar, score_text, state_text

_THRESHOLD = {
    "above": ("✓ above threshold", "green"),
    "at": ("✓ at threshold", "green"),
    "below": ("✗ below threshold", "red"),
}


def _countdown(countdown: TerminationCountdown) -> Text:
    text = Text()
    delay = format_seconds(countdown.termination_delay_seconds)
    text.append(
        f"TerminationDelay: {delay} "
        f"({'configured' if countdown.delay_configured else 'Grove default'})\n"
    )
    if countdown.initial_startup:
        text.append(f"{countdown.action}\n", style="yellow")
        return text
    style = "red" if countdown.remaining_fraction < 0.25 else "yellow"
    text.append("Time Remaining: ")
    text.append(format_seconds(countdown.remaining_seconds) + " ", style=f"bold {style}")
    text.append_text(bar(countdown.remaining_fraction, width=20, style=style))
    text.append(f" {round(countdown.remaining_fraction * 100)}%\n")
    text.append(f"Then: {countdown.action} (breach on {countdown.subject}).\n", style="dim")
    return text


def _gang_box(gang: GangHealth, report: HealthReport) -> Panel:
    body = Text()
    body.append("State: ")
    body.append_text(state_text(gang.state))
    body.append(f"  ({gang.reason})")
    if gang.termination and not gang.termination.initial_startup:
        body.append(
            f" — termination in {format_seconds(gang.termination.remaining_seconds)}",
            style="bold red",
        )
    body.append("\nPhase (reported): ")
    body.append(gang.phase or "absent", style="dim")
    if gang.phase == "Pending":
        body.append(" (Grove leaves it Pending; the state above is derived)", style="dim")
    body.append("    Placement: ")
    derived = gang.derived_placement.score if gang.derived_placement else None
    body.append_text(score_text(derived))
    body.append(" derived, ")
    body.append_text(score_text(gang.reported_placement_score))
    body.append(" reported\n\nClique Health:\n")
    for c in gang.cliques:
        label, style = _THRESHOLD[c.threshold]
        body.append(f"  {c.clique:<10} {c.ready}/{c.replicas} ready  (min: {c.min_available})  ")
        body.append(label, style=style)
        if c.breached:
            since = format_age(c.breached_since, report.as_of)
            body.append(f"  MinAvailableBreached for {since} ({c.breach_reason})", style="red")
        body.append("\n")
    if gang.issues:
        body.append("\nIssues:\n", style="bold")
        body.append_text(finding_lines(gang.issues, "  "))
    unhealthy_conditions = [
        cond
        for cond in gang.conditions
        if cond.status != "True" or cond.type in ("Unhealthy", "DisruptionTarget")
    ]
    if unhealthy_conditions:
        body.append("\nConditions:\n", style="bold")
        for cond in unhealthy_conditions:
            body.append(
                f"  {cond.object}: {cond.type}={cond.status} {cond.reason or ''} "
                f"(since {format_age(cond.since, report.as_of)} ago)\n"
            )
    if gang.termination:
        body.append("\n")
        body.append_text(_countdown(gang.termination))
    border = "green" if gang.healthy else ("red" if gang.termination else "yellow")
    return Panel(body, title=f"PodGang: {gang.name}", title_align="left", border_style=border)


def render_health(report: HealthReport, fancy: bool = True) -> RenderableType:
    parts: list[RenderableType] = [
        heading("Gang Health Dashboard", "🏥", fancy),
        Text(
            f"PodCliqueSet: {report.name}    namespace {report.namespace}    "
            f"as of {report.as_of:%Y-%m-%d %H:%M:%SZ}"
        ),
    ]
    if report.issues:
        parts += [Text("Issues:", style="bold"), finding_lines(report.issues, "  ")]
    parts += [_gang_box(g, report) for g in report.gangs]
    summary = Text("Summary: ", style="bold")
    summary.append(report.summary.text, style="green" if report.summary.ok else "red")
    parts.append(summary)
    parts += [Text(f"note: {n}", style="dim") for n in report.notes]
    return Group(*parts)


def render_health_list(report: HealthList, fancy: bool = True) -> RenderableType:
    if not report.items:
        return Text(f"No PodCliqueSets in namespace {report.namespace}.")
    parts: list[RenderableType] = [render_health(item, fancy) for item in report.items]
    summary = Text("All: ", style="bold")
    summary.append(report.summary.text, style="green" if report.summary.ok else "red")
    return Group(*parts, summary)


RENDERERS = {  # by report model; registry.py collects them
    HealthReport: render_health,
    HealthList: render_health_list,
}
