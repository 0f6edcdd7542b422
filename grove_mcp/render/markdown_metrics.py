"""``metrics`` and ``compare`` as compact Markdown (MCP text content). Pure."""

from __future__ import annotations

from ..reports.compare import CompareReport
from ..reports.metrics import MetricsReport
from ..timefmt import format_seconds
from . import metrics_lines as fmt
from . import rows
from .markdown_parts import header, table


def _traffic(report: MetricsReport) -> list[str]:
    t = report.traffic
    out = [f"- Traffic: {' · '.join(fmt.traffic(t))} ({t.requests_source})"]
    for name, d in (("ISL", t.isl), ("OSL", t.osl)):
        where = f" ({d.source}; {d.metric}{'; ' + d.note if d.note else ''})" if d else ""
        out.append(f"- {name}: {' · '.join(fmt.tokens(d))}{where}")
    return out + [f"- Not observed: {n}" for n in t.not_observed]


def metrics(report: MetricsReport) -> str:
    t = report.throughput
    out = header(
        report,
        f"{report.name} — metrics",
        report.summary,
        f"{fmt.window(report).capitalize()}, {fmt.via(report.read_via)}.",
    )
    out += [
        "",
        f"- Throughput: {' · '.join(fmt.throughput(t))} ({t.source})",
        *(
            f"- {name}: {' · '.join(fmt.quantiles(lat))}"
            + (f" ({lat.source}; {lat.metric})" if lat is not None else "")
            for name, lat in fmt.latencies(report)
        ),
        f"- Queue: waiting {fmt.gauge(report.waiting)} · running {fmt.gauge(report.running)}",
        *_traffic(report),
    ]
    if report.roles:
        out += ["", "### Roles"]
        out.append(
            table(
                *rows.roles(report, lambda v: f"**{v}**"),
            )
        )
    if report.plan:
        out += ["", "### Against the plan"]
        out.append(
            table(
                ["metric", "planned", "actual", "Δ", "met", "note"],
                (
                    [
                        p.metric,
                        fmt.value(p.planned, p.unit),
                        fmt.value(p.actual, p.unit),
                        fmt.delta(p.delta_percent),
                        fmt.met(p.met, fancy=False),
                        p.note,
                    ]
                    for p in report.plan
                ),
            )
        )
    if report.pods:
        out += ["", "### Pods"]
        out.append(
            table(
                ["pod", "role", "engine", "read", "out tok/s", "ttft p99", "kv", "run", "wait"],
                (
                    [
                        p.pod,
                        p.role,
                        p.engine,
                        "yes" if p.read else f"no: {p.error or 'not read'}",
                        fmt.rate(p.output_tokens_per_second),
                        fmt.ms(p.ttft_p99_ms),
                        fmt.percent(p.kv_cache_usage_avg),
                        fmt.count(p.running_avg),
                        fmt.count(p.waiting_avg),
                    ]
                    for p in report.pods
                ),
            )
        )
        out += [f"- {p.pod}: {n}" for p in report.pods for n in p.notes]
    if report.thresholds:
        out += ["", "Thresholds:", *(f"- {t}" for t in report.thresholds)]
    return "\n".join(out)


def compare(report: CompareReport) -> str:
    window = format_seconds(round(report.window_seconds))
    out = header(
        report,
        f"{report.name} — plan vs actual",
        report.summary,
        f"Plan: {report.plan} ({report.plan_source}).",
        f"Metrics: window {window}, {fmt.via(report.read_via)}.",
    )
    out += [
        "",
        table(
            *rows.compare_rows(report),
        ),
    ]
    if report.diagnosis:
        out += ["", "### Diagnosis"]
        for d in report.diagnosis:
            out.append(f"- **{d.severity.value} {d.code}**: {d.text}")
            out += [f"  - evidence: {e}" for e in d.evidence]
    if report.recommendations:
        out += ["", "### Recommendations"]
        for a in sorted(report.recommendations, key=lambda a: a.priority):
            out.append(f"{a.priority}. {a.action} ({a.code}) — expected: {a.expected_effect}")
            out += [f"   - `{c}`" for c in a.commands]
    return "\n".join(out)


RENDERERS = {  # by report model; registry.py collects them
    MetricsReport: metrics,
    CompareReport: compare,
}
