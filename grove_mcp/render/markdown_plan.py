"""The ``plan`` reports as compact Markdown (MCP text content). Pure."""

from __future__ import annotations

from ..reports.plan_reports import (
    PlanDiffReport,
    PlanHistoryReport,
    PlanShowReport,
    PlanStoreReport,
    StoredPlanSummary,
)
from . import plan_lines as lines
from . import rows
from .markdown_parts import header, table


def stored_plan_lines(stored: StoredPlanSummary) -> list[str]:
    version = f" {stored.backend_version}" if stored.backend_version else ""
    out = [
        f"- Model: {stored.model} · system {stored.system} · mode {stored.serving_mode} · "
        f"backend {stored.backend}{version}",
        f"- Configuration: {stored.replicas} replica(s); {lines.configuration(stored)}; "
        f"{stored.total_gpus} GPUs",
        f"- Expected: {lines.performance(stored)}",
        f"- SLA: {lines.sla(stored)}",
    ]
    if (rendered := lines.rendered(stored.rendered)) is not None:
        out.append(f"- Rendered with: {rendered}")
    return out


def plan_show(report: PlanShowReport) -> str:
    s = report.stored
    out = header(
        report,
        f"{report.name} — stored plan",
        report.summary,
        f"Stored {lines.stored_line(s, report.config_map_created_at)}",
    )
    out += [
        "",
        *stored_plan_lines(s),
        f"- ConfigMap {report.config_map} ({report.label}), digest {lines.short_digest(s.digest)}, "
        f"{report.history_entries} plan(s) in the history",
    ]
    return "\n".join(out)


def plan_history(report: PlanHistoryReport) -> str:
    out = header(report, f"{report.name} — plan history", report.summary, "Newest first.")
    out += [
        "",
        table(
            ["rev", "stored", "digest", "from", "configuration", "tok/s/gpu", "changes"],
            (
                [
                    f"{e.revision}{' (current)' if e.current else ''}",
                    lines.when(e.stored_at),
                    lines.short_digest(e.digest),
                    e.origin or "?",
                    lines.short_configuration(e),
                    e.throughput_per_gpu,
                    "; ".join(e.changes) or "-",
                ]
                for e in report.entries
            ),
        ),
    ]
    return "\n".join(out)


def plan_diff(report: PlanDiffReport) -> str:
    out = header(report, f"{report.name} — plan vs deployed", report.summary)
    out += [
        f"Plan {report.config_map}, stored at: {lines.when(report.plan_stored_at)}; workers per "
        "PodCliqueSet replica.",
        "",
        table(
            *rows.plan_diff(report),
        ),
    ]
    return "\n".join(out)


def plan_store(report: PlanStoreReport) -> str:
    s = report.stored
    detail = (
        "Unchanged: this plan is already current, nothing written"
        if report.action == "unchanged"
        else f"{report.action}: {report.history_entries} plan(s) in the history"
    )
    out = header(
        report, f"{report.name} — plan stored in {report.config_map}", report.summary, detail
    )
    out += ["", *stored_plan_lines(s)]
    if s.changes and report.action != "unchanged":
        out += ["", "Changes from the plan stored before:", *(f"- {c}" for c in s.changes)]
    return "\n".join(out)


RENDERERS = {  # by report model; registry.py collects them
    PlanShowReport: plan_show,
    PlanHistoryReport: plan_history,
    PlanDiffReport: plan_diff,
    PlanStoreReport: plan_store,
}
