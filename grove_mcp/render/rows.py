"""The rows of the tables that Markdown and Slack both show: headers and cells, one function
per table, so the two formats cannot drift apart. Cells are values or text; each format
escapes and emphasises them its own way. Pure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..reports.compare import CompareReport
from ..reports.listing import WorkloadList
from ..reports.metrics import MetricsReport
from ..reports.plan_reports import PlanDiffReport, Verdict
from ..reports.status import StatusReport
from ..reports.topology import TopologyReport
from . import metrics_lines as fmt
from .markdown_parts import reported, score

Rows = tuple[list[str], list[list[Any]]]


def status_gangs(report: StatusReport) -> Rows:
    return (
        ["gang", "replica", "state", "reason", "pods ready", "placement (derived)", "reported"],
        [
            [
                g.name,
                g.replica_index,
                g.state.value,
                g.reason,
                f"{g.pods_ready}/{g.pods_total}",
                score(g.derived_placement),
                reported(g.reported_placement_score),
            ]
            for g in report.gangs
        ],
    )


def status_cliques(report: StatusReport) -> Rows:
    return (
        ["podclique", "gang", "ready", "min", "sched", "gated", "updated", "breached"],
        [
            [
                c.name,
                c.gang,
                f"{c.ready}/{c.replicas}",
                c.min_available,
                c.scheduled,
                c.gated,
                c.updated,
                "?" if c.breached is None else (c.breach_reason if c.breached else "no"),
            ]
            for c in report.cliques
        ],
    )


def placed_gangs(report: TopologyReport) -> Rows:
    return (
        ["gang", "replica", "verdict", "placement (derived)", "GPUs placed", "unscheduled"],
        [
            [
                g.name,
                g.replica_index,
                g.verdict,
                score(g.derived_placement),
                g.derived_placement.gpus if g.derived_placement else 0,
                ", ".join(f"{p.name} ({p.gpus} GPU)" for p in g.unscheduled_pods) or None,
            ]
            for g in report.gangs
        ],
    )


def roles(report: MetricsReport, strong: Callable[[str], str] = str) -> Rows:
    """One row per role; ``strong`` emphasises the verdict word (Markdown: bold)."""
    return (
        [
            "role",
            "kind",
            "engine",
            "pods read",
            "gpus",
            "out tok/s",
            "in tok/s",
            "ttft p99",
            "itl p99",
            "kv",
            "running",
            "waiting",
            "verdict",
        ],
        [
            [
                r.role,
                r.kind,
                r.engine,
                f"{r.pods_read}/{r.pods}",
                r.gpus,
                fmt.rate(r.output_tokens_per_second),
                fmt.rate(r.input_tokens_per_second),
                fmt.quantile(r.ttft.p99 if r.ttft else None),
                fmt.quantile(r.itl.p99 if r.itl else None),
                fmt.percent(r.kv_cache_usage.avg if r.kv_cache_usage else None),
                fmt.count(r.running.avg if r.running else None),
                fmt.count(r.waiting.avg if r.waiting else None),
                f"{strong(r.verdict.value)}: {r.verdict_reason}",
            ]
            for r in report.roles
        ],
    )


def plan_diff(report: PlanDiffReport) -> Rows:
    return (
        ["parameter", "planned", "deployed", "verdict", "why"],
        [
            [
                r.label,
                r.planned,
                r.deployed,
                r.verdict.value,
                "" if r.verdict is Verdict.match else r.reason,
            ]
            for r in report.rows
        ],
    )


def compare_rows(report: CompareReport) -> Rows:
    return (
        ["metric", "planned", "actual", "Δ%", "verdict", "note"],
        [
            [
                r.metric,
                r.planned,
                r.actual,
                fmt.delta(r.delta_percent),
                fmt.ROW_MARK[r.verdict],
                r.note,
            ]
            for r in report.rows
        ],
    )


def workloads(report: WorkloadList) -> Rows:
    return (
        ["name", "ok", "replicas avail", "gangs healthy", "pods ready", "state"],
        [
            [
                w.name,
                w.ok,
                f"{w.available_replicas}/{w.replicas}",
                f"{w.gangs_healthy}/{w.gangs_total}",
                f"{w.pods_ready}/{w.pods_desired}",
                w.state,
            ]
            for w in report.items
        ],
    )
