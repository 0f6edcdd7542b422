"""Slack layouts of ``list`` and ``status`` (one PodCliqueSet or several). Pure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..reports.health import HealthList
from ..reports.listing import WorkloadList
from ..reports.status import StatusList, StatusReport
from ..reports.topology import TopologyList
from ..timefmt import format_seconds
from . import rows
from .markdown_parts import cell
from .slack_generic import file_name
from .slack_mrkdwn import esc, verdict
from .slack_parts import Layout, Noun, Part, Table, Unit, code_units, section

GANGS: Noun = ("gang", "gangs")
CLIQUES: Noun = ("clique", "cliques")
WORKLOADS: Noun = ("PodCliqueSet", "PodCliqueSets")


def status(report: StatusReport) -> Layout:
    o, s = report.overview, report.summary
    topology = o.topology_constraint or "none"
    if o.topology_enforced is False:
        topology += f" (NOT ENFORCED: {o.topology_not_enforced_why})"
    facts = [
        (
            "Replicas",
            f"{o.available_replicas}/{o.replicas} available, {o.updated_replicas} updated",
        ),
        ("Gangs healthy", f"{s.gangs_healthy}/{s.gangs_total}"),
        ("Pods ready", f"{s.pods_ready}/{s.pods_desired} in {s.cliques} cliques"),
        ("Age", format_seconds(o.age_seconds) if o.age_seconds is not None else "?"),
        ("Topology", topology),
        ("terminationDelay", format_seconds(o.termination_delay_seconds)),
    ]
    if o.update is not None and o.update.in_progress:
        u = o.update
        facts.append(
            (
                "Rolling update",
                f"cliques {u.updated_cliques}/{cell(u.total_cliques)}, scaling groups "
                f"{cell(u.updated_scaling_groups)}/{cell(u.total_scaling_groups)}, "
                f"replicas updating {u.replicas_updating}",
            )
        )
    return Layout(
        title=f"{o.name} — status",
        summary=s,
        report=report,
        file_name=file_name(o.name, "status"),
        facts=facts,
        body=[_gang_table(report), *_cliques(report)],
    )


def _gang_table(report: StatusReport) -> Table:
    return Table(
        *rows.status_gangs(report),
        GANGS,
        numeric=frozenset({1, 4}),
        title="Gangs",
    )


def _cliques(report: StatusReport, title: str = "Cliques") -> list[Unit]:
    return code_units(
        *rows.status_cliques(report),
        CLIQUES,
        title,
    )


def workloads(report: WorkloadList) -> Layout:
    s = report.summary
    body: list[Part] = [
        Table(
            *rows.workloads(report),
            WORKLOADS,
            numeric=frozenset({2, 3, 4}),
        )
    ]
    if not report.items:
        body = [section("No PodCliqueSets in this namespace.")]
    return Layout(
        title=f"PodCliqueSets in {report.namespace}",
        summary=s,
        report=report,
        file_name=file_name(report.namespace, "list"),
        facts=[("PodCliqueSets", str(len(report.items)))],
        body=body,
    )


def each(
    item_body: Callable[[Any], Sequence[Part]],
) -> Callable[[StatusList | HealthList | TopologyList], Layout]:
    """A list report: a table of the PodCliqueSets' verdicts, then each one's body (its table
    as monospace: a message holds one native table)."""

    def render(report: StatusList | HealthList | TopologyList) -> Layout:
        rows = [
            [_name(i), i.summary.ok, i.summary.severity.value, i.summary.text] for i in report.items
        ]
        body: list[Part] = [Table(["name", "ok", "severity", "verdict"], rows, WORKLOADS)]
        for item in report.items:
            heading = section(f"*{esc(_name(item))}*: {verdict(item.summary)}")
            body.append(heading)
            body += [_as_code(part) for part in item_body(item)]
        return Layout(
            title=f"{report.report} in {report.namespace}",
            summary=report.summary,
            report=report,
            file_name=file_name(report.namespace, report.report),
            facts=[("PodCliqueSets", str(len(report.items)))],
            body=body,
        )

    return render


def _name(item: Any) -> str:
    return str(item.overview.name if isinstance(item, StatusReport) else item.name)


def _as_code(part: Part) -> Part:
    if isinstance(part, Table):
        units = code_units(part.headers, part.rows, part.noun, part.title)
        blocks = tuple(b for u in units for b in u.blocks)
        counts = ((part.noun, len(part.rows)),)
        return Unit(blocks, counts)
    return part


def status_body(report: StatusReport) -> list[Part]:
    return [_gang_table(report), *_cliques(report)]


RENDERERS: dict[type, Callable[[Any], Layout]] = {
    StatusReport: status,
    StatusList: each(status_body),
    WorkloadList: workloads,
}
