"""``generate`` as terminal text: Plan 1 / Plan 2 with file, configuration and expected
performance, the verdict, then the commands to run next (the original requirements' layout)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from ..reports.generate import GenerateReport, ModePlanReport
from . import generate_lines as lines


def _bullets(title: str, items: list[str]) -> Text:
    text = Text(f"  {title}:\n")
    for item in items:
        text.append(f"    - {item}\n")
    return text


def _plan(number: int, plan: ModePlanReport) -> RenderableType:
    head = Text(f"Plan {number}: {plan.title}", style="bold")
    body = Text(f"  File: {plan.file or '(not saved)'}\n")
    body.append_text(_bullets("Configuration", lines.configuration_lines(plan)))
    body.append_text(_bullets("Expected Performance", lines.performance_lines(plan)))
    body.append(f"  {lines.sla_line(plan)}\n", style="green" if plan.sla.met else "red")
    for note in plan.notes:
        body.append(f"  Note: {note}\n", style="dim")
    return Group(head, body)


def render_generate(report: GenerateReport, fancy: bool = True) -> RenderableType:
    """The report as the requirements print it, plus our SLA verdict and notes."""
    style = "bold green" if report.sla_met else "bold yellow"
    parts: list[RenderableType] = [
        Text(lines.headline(report), style=style),
        Text(lines.context_line(report), style="dim"),
        Text(""),
    ]
    parts += [_plan(i, plan) for i, plan in enumerate(report.plans, start=1)]
    parts.append(Text(report.verdict + "\n", style="bold"))
    for heading, command in lines.next_steps(report):
        parts.append(Text(f"{heading}:\n  {command}\n"))
    if report.notes:
        notes = Text("Notes:\n", style="dim")
        for note in report.notes:
            notes.append(f"  - {note}\n", style="dim")
        parts.append(notes)
    return Group(*parts)


RENDERERS = {  # by report model; registry.py collects them
    GenerateReport: render_generate,
}
