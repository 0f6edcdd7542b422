"""``generate`` as compact Markdown for AI assistants: verdict first, one section per plan with
its manifest in a YAML block, then the commands to run. Pure: report → str."""

from __future__ import annotations

from ..reports.generate import GenerateReport, ModePlanReport
from . import generate_lines as lines
from .markdown_parts import verdict


def _plan(number: int, plan: ModePlanReport) -> list[str]:
    out = [f"### Plan {number}: {plan.title} — `{plan.name}`"]
    if plan.file:
        out.append(f"File: `{plan.file}` (plan: `{plan.plan_file}`)")
    out += [f"- {line}" for line in lines.configuration_lines(plan)]
    out += [f"- {line}" for line in lines.performance_lines(plan)]
    out.append(f"- {lines.sla_line(plan)}")
    out += [f"> note: {note}" for note in plan.notes]
    if plan.manifest:
        out += ["", f"```yaml\n{plan.manifest.rstrip()}\n```"]
    else:
        out.append("(manifest left out of this answer)")
    return [*out, ""]


def generate(report: GenerateReport) -> str:
    out = [
        f"## AIConfigurator plans for {report.model}",
        verdict(report.summary),
        "",
        lines.context_line(report),
        "",
    ]
    for i, plan in enumerate(report.plans, start=1):
        out += _plan(i, plan)
    for heading, command in lines.next_steps(report):
        out.append(f"{heading}: `{command}`")
    out += [f"> note: {note}" for note in report.notes]
    return "\n".join(out)


RENDERERS = {  # by report model; registry.py collects them
    GenerateReport: generate,
}
