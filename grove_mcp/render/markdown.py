"""Reports as compact Markdown for AI assistants (MCP text content): pure functions report → str.

Compact means: one header line with the verdict, tables for rows, bullets for findings, no
decoration. Everything shown comes from the report; values the report marks unknown read
``?`` or "not reported" (DESIGN.md rule 8).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..reports.health import GangHealth, HealthList, HealthReport
from ..reports.listing import WorkloadList
from ..reports.status import StatusList, StatusReport
from ..reports.topology import (
    DomainPlacement,
    GpuUsage,
    NodePlacement,
    Recommendation,
    TopologyList,
    TopologyReport,
)
from ..timefmt import due_in, format_seconds
from . import rows
from .markdown_parts import cell, findings, header, reported, score, table, verdict

# --- status ---------------------------------------------------------------------------------


def status(report: StatusReport) -> str:
    o, s = report.overview, report.summary
    lines = header(report, f"{o.name} — status", s)
    age = format_seconds(o.age_seconds) if o.age_seconds is not None else "?"
    topology = o.topology_constraint or "none"
    if o.topology_enforced is False:
        topology += f" (NOT ENFORCED: {o.topology_not_enforced_why})"
    lines.append(
        f"Replicas {o.available_replicas}/{o.replicas} available, {o.updated_replicas} updated"
        f" · age {age} · topology {topology}"
        f" · terminationDelay {format_seconds(o.termination_delay_seconds)}"
    )
    if o.update is not None and o.update.in_progress:
        u = o.update
        lines.append(
            f"Rolling update in progress: cliques {u.updated_cliques}/{cell(u.total_cliques)}, "
            f"scaling groups {cell(u.updated_scaling_groups)}/{cell(u.total_scaling_groups)}, "
            f"replicas updating {u.replicas_updating}"
        )
    lines += ["", "### Gangs"]
    lines.append(
        table(
            *rows.status_gangs(report),
        )
    )
    lines += ["", "### Cliques"]
    lines.append(
        table(
            *rows.status_cliques(report),
        )
    )
    return "\n".join(lines)


# --- health ---------------------------------------------------------------------------------


def _gang_health(g: GangHealth) -> list[str]:
    lines = ["", f"### {g.name} — {g.state.value}: {g.reason}"]
    lines.append(
        f"replica {cell(g.replica_index)}"
        + (f" · base gang {g.base_gang}" if g.base_gang else "")
        + f" · placement (derived) {score(g.derived_placement)}"
        + f" · reported {reported(g.reported_placement_score)}"
    )
    t = g.termination
    if t is not None:
        lines.append(
            f"**Termination countdown**: {t.action} at {t.deadline:%Y-%m-%d %H:%M:%SZ} "
            f"({due_in(t.remaining_seconds)}, "
            f"{t.remaining_fraction:.0%} of {format_seconds(t.termination_delay_seconds)} "
            f"left; breached since {t.breached_since:%H:%M:%SZ} on {t.subject}; {t.why}; "
            f"rules of {t.applies_to}). {t.caveat}"
        )
    spared = [b for b in g.breaches if b.counts is False]
    if spared and t is None:
        lines.append("No termination expected: Grove leaves these breaches alone.")
    lines += [f"- {b.subject}: {b.reason}." for b in spared]
    if g.termination_alternative is not None:
        lines.append(f"Depends on the Grove version: {g.termination_alternative.text}")
    if not g.healthy:
        lines.append(
            table(
                ["podclique", "ready", "sched", "min", "threshold", "breached", "since"],
                (
                    [
                        c.name,
                        f"{c.ready}/{c.replicas}",
                        c.scheduled,
                        c.min_available,
                        c.threshold,
                        "?" if c.breached is None else (c.breach_reason if c.breached else "no"),
                        f"{c.breached_since:%H:%M:%SZ}" if c.breached_since else None,
                    ]
                    for c in g.cliques
                ),
            )
        )
        bad = [c for c in g.conditions if c.status != "True" or c.type == "MinAvailableBreached"]
        lines += [
            f"- condition {c.object} {c.type}={c.status} {c.reason or ''}: {c.message or ''}".rstrip(
                ": "
            )
            for c in bad
        ]
    lines += findings(g.issues, f"{g.name} issues")
    return lines


def health(report: HealthReport) -> str:
    s = report.summary
    lines = header(report, f"{report.name} — health", s)
    lines.append(
        f"terminationDelay {format_seconds(report.termination_delay_seconds)}"
        f" · gangs healthy {s.gangs_healthy}/{s.gangs_total} · at risk {s.gangs_at_risk}"
    )
    v = report.grove_version
    if v.rules is None:
        depends = any(
            g.termination_alternative or any(b.counts is None for b in g.breaches)
            for g in report.gangs
        )
        answer = (
            "termination answers for both rule sets."
            if depends
            else "both rule sets give the same answers here."
        )
        lines.append(
            f"Grove version unknown ({v.evidence}): {answer}" + (f" {v.hint}" if v.hint else "")
        )
    else:
        lines.append(f"Grove {v.version or v.rules + ' rules'}, from {v.evidence}.")
    lines += findings(report.issues, f"{report.name} issues")
    for gang in report.gangs:
        lines += _gang_health(gang)
    return "\n".join(lines)


# --- topology -------------------------------------------------------------------------------


def _usage(gpus: GpuUsage) -> str:
    return (
        f"GPUs {gpus.this_workload} this / {cell(gpus.other_workloads)} other / "
        f"{cell(gpus.free)} free of {cell(gpus.allocatable)}"
    )


def _node(node: NodePlacement, indent: str) -> list[str]:
    flags = ("" if node.ready else " NotReady") + ("" if node.schedulable else " cordoned")
    pods = ", ".join(
        f"{p.name} ({p.clique}, {p.gpus} GPU{'' if p.ready else ', not ready'})" for p in node.pods
    )
    return [
        f"{indent}- node {node.name}{flags}: {_usage(node.gpus)}" + (f": {pods}" if pods else "")
    ]


def domain_lines(domain: DomainPlacement, indent: str = "") -> list[str]:
    lines = [f"{indent}- {domain.level} {domain.name} [{domain.verdict}] {_usage(domain.gpus)}"]
    if domain.node_names:  # collapsed: none of this workload's pods here
        lines[0] += f"; nodes {', '.join(domain.node_names)}"
    for child in domain.domains:
        lines += domain_lines(child, indent + "  ")
    for node in domain.nodes:
        lines += _node(node, indent + "  ")
    return lines


def recommendation_lines(r: Recommendation) -> list[str]:
    after = "?" if r.score_after is None else f"{r.score_after:.2f}"
    lines = [
        f"- gang {r.gang} → {r.level} {r.target_domain or '?'} "
        f"({'feasible' if r.feasible else 'not feasible'}; score {r.score_before:.2f} → {after}): "
        f"{r.explanation}"
    ]
    lines += [
        f"  - move {m.pod} ({m.gpus} GPU) {m.from_node} ({m.from_domain}) → {m.to_node}"
        for m in r.moves
    ]
    lines += [f"  - `{c}`" for c in r.commands]
    return lines


def topology(report: TopologyReport) -> str:
    t = report.topology
    levels = " > ".join(level.domain for level in t.levels) or "hosts only"
    scores = (
        f"Placement score (derived, min over gangs) {cell(report.placement_score)}; "
        f"reported {reported(report.reported_placement_score)}"
    )
    lines = header(report, f"{report.name} — topology", report.summary, scores)
    lines.append(f"Topology: {t.kind} {t.name or ''}: {levels}".replace("  ", " "))
    for c in report.constraints:
        legacy = " (legacy packDomain)" if c.legacy_pack_domain else ""
        lines.append(
            f"Constraint {c.scope}: required={cell(c.required)} preferred={cell(c.preferred)}"
            f"{legacy}"
        )
    lines += ["", "### Gangs"]
    lines.append(
        table(
            *rows.placed_gangs(report),
        )
    )
    if report.tree:
        lines += ["", "### Placement"]
        for domain in report.tree:
            lines += domain_lines(domain)
    lines += findings(report.warnings, "Warnings")
    if report.recommendations:
        lines += ["", "### Recommendations"]
        for r in report.recommendations:
            lines += recommendation_lines(r)
    return "\n".join(lines)


# --- list -----------------------------------------------------------------------------------


def workloads(report: WorkloadList) -> str:
    lines = header(report, f"PodCliqueSets in {report.namespace}", report.summary)
    lines += [""]
    if not report.items:
        lines.append("No PodCliqueSets in this namespace.")
        return "\n".join(lines)
    lines.append(
        table(
            *rows.workloads(report),
        )
    )
    return "\n".join(lines)


# --- several PodCliqueSets ------------------------------------------------------------------


def each(render: Callable[[Any], str]) -> Callable[[StatusList | HealthList | TopologyList], str]:
    """A list report: its own verdict over all PodCliqueSets, then each one's report."""

    def render_items(report: StatusList | HealthList | TopologyList) -> str:
        head = [f"## {report.report} in {report.namespace}", verdict(report.summary)]
        return "\n\n".join(["\n".join(head), *(render(item) for item in report.items)])

    return render_items


RENDERERS = {  # by report model; registry.py collects them
    StatusReport: status,
    StatusList: each(status),
    HealthReport: health,
    HealthList: each(health),
    TopologyReport: topology,
    TopologyList: each(topology),
    WorkloadList: workloads,
}
