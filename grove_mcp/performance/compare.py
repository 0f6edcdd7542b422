"""``compare``: the plan against what the deployment does — Plan vs Actual, then the diagnosis
and recommendations of :mod:`.compare_rules`. Pure: it reuses the metrics, topology and plan
diff builders on the same snapshot and window."""

from __future__ import annotations

from ..capabilities.topology import build_topology
from ..capabilities.workload import build_workload
from ..errors import NotFound
from ..planfile import Plan
from ..plans.diff import diff_rows
from ..reports.common import Severity, Summary, worst
from ..reports.compare import CompareReport, CompareRow, RowVerdict
from ..reports.metrics import MetricsReport
from ..reports.plan_reports import DiffRow, Verdict
from ..snapshot import Snapshot
from ..sources.metrics_collect import Collected
from .metrics import MetricsArgs, build_metrics, find_plan
from .rules import Facts, diagnose


def _figure(value: float | None, unit: str) -> str:
    """``1,280 ms``, ``9.6 ms``, ``612.4 tok/s/GPU``; ``no data`` for None."""
    if value is None:
        return "no data"
    small = abs(value) < (10 if unit == "ms" else 1000)
    return f"{value:,.1f} {unit}" if small else f"{value:,.0f} {unit}"


def _row_from_plan(metrics: MetricsReport, metric: str) -> CompareRow | None:
    row = next((r for r in metrics.plan if r.metric.startswith(metric)), None)
    if row is None:
        return None
    verdict = (
        RowVerdict.unknown
        if row.met is None
        else (RowVerdict.met if row.met else RowVerdict.missed)
    )
    return CompareRow(
        metric=metric,
        planned=_figure(row.planned, row.unit) + (" (SLA)" if row.unit == "ms" else ""),
        actual=_figure(row.actual, row.unit),
        delta_percent=row.delta_percent,
        verdict=verdict,
        note=row.note,
    )


def _row_from_diff(row: DiffRow | None, metric: str) -> CompareRow | None:
    if row is None:
        return None
    verdict = {Verdict.match: RowVerdict.met, Verdict.drift: RowVerdict.missed}.get(
        row.verdict, RowVerdict.unknown
    )
    return CompareRow(
        metric=metric,
        planned=row.planned,
        actual=row.deployed,
        delta_percent=None,
        verdict=verdict,
        note=row.reason,
    )


def _placement_row(score: float | None) -> CompareRow:
    if score is None:
        return CompareRow(
            metric="Placement score",
            planned="1.00",
            actual="not scored",
            delta_percent=None,
            verdict=RowVerdict.unknown,
            note="no scheduled GPU pods or no topology to judge against",
        )
    return CompareRow(
        metric="Placement score",
        planned="1.00",
        actual=f"{score:.2f} (derived)",
        delta_percent=round((score - 1) * 100, 1),
        verdict=RowVerdict.met if score >= 0.999 else RowVerdict.missed,
        note="AIConfigurator models every gang packed as tightly as the topology allows (1.0)",
    )


def _plan_line(plan: Plan) -> str:
    return (
        f"{plan.model} on {plan.system}, {plan.backend} {plan.serving_mode}, "
        f"{plan.config.total_gpus} GPUs, planned {plan.created_at:%Y-%m-%d}"
    )


def build_compare(
    snapshot: Snapshot, name: str, args: MetricsArgs, collected: Collected
) -> CompareReport:
    """Plan vs Actual for ``name``. Raises NotFound, saying what to give, without a plan."""
    plan, origin = find_plan(snapshot, name, args.plan)
    if plan is None:
        raise NotFound(f"compare needs a plan. {origin} Or pass one: --plan plan.json.")
    metrics = build_metrics(snapshot, name, args, collected)
    topology = build_topology(snapshot, name)
    workload = build_workload(snapshot, name)
    diff, _, diff_notes = diff_rows(workload, plan)
    by_key = {r.parameter: r for r in diff}
    candidates = [
        _row_from_plan(metrics, "Output tok/s per GPU"),
        _row_from_plan(metrics, "TTFT p99"),
        _row_from_plan(metrics, "TPOT p99"),
        _placement_row(topology.placement_score),
        _row_from_diff(by_key.get("replicas"), "Replicas"),
        _row_from_diff(by_key.get("total_gpus"), "GPUs"),
    ]
    rows = [r for r in candidates if r is not None]
    diagnosis, actions = diagnose(Facts(name, snapshot.namespace, plan, metrics, topology, diff))
    missed = [r.metric for r in rows if r.verdict is RowVerdict.missed]
    unknown = [r.metric for r in rows if r.verdict is RowVerdict.unknown]
    severity = worst((d.severity for d in diagnosis), Severity.warning if missed else Severity.info)
    if missed:
        summary = Summary(ok=False, severity=severity, text=f"missed: {', '.join(missed)}")
    elif not any(p.read for p in metrics.pods):  # nothing measured: nothing can be said to meet
        summary = Summary(
            ok=False,
            severity=Severity.warning,
            text=f"cannot tell: {metrics.summary.text}; unknown: {', '.join(unknown)}",
        )
    else:
        text = "the deployment meets its plan"
        summary = Summary(
            ok=True,
            severity=Severity.info,
            text=text + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
        )
    notes = list(metrics.notes) + [n for n in diff_notes if n not in metrics.notes]
    return CompareReport(
        source=metrics.source,
        as_of=metrics.as_of,
        namespace=metrics.namespace,
        notes=notes,
        name=name,
        plan_source=origin,
        plan=_plan_line(plan),
        read_via=metrics.read_via,
        window_seconds=metrics.window_seconds,
        summary=summary,
        rows=rows,
        diagnosis=diagnosis,
        recommendations=actions,
    )
