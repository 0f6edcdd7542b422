"""``metrics`` and ``compare`` as terminal text: throughput, latency and queue lines, the role
and pod tables, the plan rows; Plan vs Actual, diagnosis and numbered recommendations. Pure."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from ..reports.compare import Action, CompareReport, Diagnosis, RowVerdict
from ..reports.metrics import Latency, MetricsReport, PodMetrics, RoleMetrics, Verdict
from ..timefmt import format_seconds
from . import metrics_lines as fmt
from .widgets import (
    SEVERITY_STYLE,
    FitTable,
    Hanging,
    Parts,
    ShellCommand,
    note_lines,
    verdict_line,
)

_LABEL = 13  # "Throughput   ": the figures start here
_SEP = " · "

VERDICT_STYLE = {
    Verdict.saturated: "red",
    Verdict.underutilized: "yellow",
    Verdict.ok: "green",
    Verdict.unknown: "dim",
}
_ROW_STYLE = {RowVerdict.met: "green", RowVerdict.missed: "red", RowVerdict.unknown: "yellow"}


def _cell(text: str) -> Text:
    """A table cell: ``no data`` dimmed, so that it never reads as a figure."""
    return Text(text, style="dim" if text == fmt.NO_DATA else "")


def _line(label: str, parts: list[str], source: str | None = None) -> Parts:
    """``Label        part · part · part  [source]``: breaks only between parts, the lines
    after the first start under the figures."""
    texts = [Text(p) for p in parts]
    texts[0] = Text(f"{label:<{_LABEL}}") + texts[0]
    seps = [_SEP] * (len(texts) - 1)
    if source:
        texts.append(Text(f"[{source}]", style="dim"))
        seps.append("  ")
    return Parts(*texts, sep=seps, indent=0, hang=_LABEL)


def _latency_lines(report: MetricsReport) -> list[RenderableType]:
    lines: list[RenderableType] = []
    for index, (name, latency) in enumerate(fmt.latencies(report)):
        label = "Latency" if index == 0 else ""
        parts = fmt.quantiles(latency)
        parts[0] = f"{name:<5}{parts[0]}"
        lines.append(_line(label, parts, _source(latency)))
    return lines


def _traffic_lines(report: MetricsReport) -> list[RenderableType]:
    t = report.traffic
    lines: list[RenderableType] = [_line("Traffic", fmt.traffic(t), t.requests_source)]
    for name, dist in (("ISL", t.isl), ("OSL", t.osl)):
        lines.append(_line(name, fmt.tokens(dist), dist.source if dist else None))
    dists = [d for d in (t.isl, t.osl) if d is not None and d.note]
    lines += [Hanging(Text(f"{d.metric}: {d.note}", style="dim"), 2, 4) for d in dists]
    lines += [Hanging(Text(f"not observed: {n}", style="dim"), 2, 4) for n in t.not_observed]
    return lines


def _source(latency: Latency | None) -> str | None:
    return latency.source if latency is not None else None


def _role_table(roles: list[RoleMetrics]) -> FitTable:
    table = FitTable(
        "ROLE",
        "KIND",
        "ENGINE",
        "PODS",
        "GPUS",
        "OUT TOK/S",
        "IN TOK/S",
        "TTFT P99",
        "ITL P99",
        "KV",
        "RUN",
        "WAIT",
        "VERDICT",
        wrap=("VERDICT",),
    )
    for r in roles:
        verdict = Text(r.verdict.value, style=VERDICT_STYLE[r.verdict])
        verdict.append(f": {r.verdict_reason}", style="dim")
        table.add_row(
            r.role,
            r.kind,
            r.engine,
            f"{r.pods_read}/{r.pods}",
            str(r.gpus),
            _cell(fmt.rate(r.output_tokens_per_second)),
            _cell(fmt.rate(r.input_tokens_per_second)),
            _cell(fmt.quantile(r.ttft.p99 if r.ttft else None)),
            _cell(fmt.quantile(r.itl.p99 if r.itl else None)),
            _cell(fmt.percent(r.kv_cache_usage.avg if r.kv_cache_usage else None)),
            _cell(fmt.count(r.running.avg if r.running else None)),
            _cell(fmt.count(r.waiting.avg if r.waiting else None)),
            verdict,
        )
    return table


def _plan_table(report: MetricsReport, fancy: bool) -> list[RenderableType]:
    if not report.plan:
        return []
    table = FitTable("METRIC", "PLANNED", "ACTUAL", "Δ", "MET", wrap=("METRIC",))
    for row in report.plan:
        style = "dim" if row.met is None else ("green" if row.met else "red")
        table.add_row(
            row.metric,
            fmt.value(row.planned, row.unit),
            _cell(fmt.value(row.actual, row.unit)),
            fmt.delta(row.delta_percent),
            Text(fmt.met(row.met, fancy), style=style),
        )
    notes = [
        Hanging(Text(f"{row.metric}: {row.note}", style="dim"), 2, 4)
        for row in report.plan
        if row.note
    ]
    return [Text(), Text("vs plan:", style="bold"), table, *notes]


def _pod_table(pods: list[PodMetrics]) -> list[RenderableType]:
    if not pods:
        return []
    table = FitTable("POD", "ROLE", "ENGINE", "READ", "OUT TOK/S", "TTFT P99", "KV", "RUN", "WAIT")
    for p in pods:
        table.add_row(
            p.pod,
            p.role,
            p.engine,
            Text("yes" if p.read else "no", style="" if p.read else "yellow"),
            _cell(fmt.rate(p.output_tokens_per_second)),
            _cell(fmt.ms(p.ttft_p99_ms)),
            _cell(fmt.percent(p.kv_cache_usage_avg)),
            _cell(fmt.count(p.running_avg)),
            _cell(fmt.count(p.waiting_avg)),
        )
    why: list[RenderableType] = []
    for p in pods:
        if p.error:
            line = Text(f"{p.pod}: ", style="bold")
            line.append(p.error, style="yellow")
            why.append(Hanging(line, 2, 4))
        why += [Hanging(Text(f"{p.pod}: {n}", style="dim"), 2, 4) for n in p.notes]
    return [Text(), table, *why]


def render_metrics(report: MetricsReport, fancy: bool = True) -> RenderableType:
    title = Text(f"Metrics for: {report.name}", style="bold")
    title.append(f" ({fmt.window(report)}, {fmt.via(report.read_via)})", style="dim")
    t = report.throughput
    parts: list[RenderableType] = [
        Hanging(title),
        _line("Throughput", fmt.throughput(t), t.source),
        *_latency_lines(report),
        _line(
            "Queue",
            [f"waiting {fmt.gauge(report.waiting)}", f"running {fmt.gauge(report.running)}"],
        ),
        *_traffic_lines(report),
    ]
    if report.roles:
        parts += [Text(), _role_table(report.roles)]
    parts += _plan_table(report, fancy)
    parts += _pod_table(report.pods)
    if report.thresholds:
        parts += [Text(), Text("Thresholds:", style="bold")]
        parts += [Hanging(Text(t, style="dim"), 2, 4) for t in report.thresholds]
    parts += [Text(), verdict_line(report.summary, fancy), *note_lines(report.notes)]
    return Group(*parts)


# --- compare -----------------------------------------------------------------------------------


def _diagnosis(d: Diagnosis) -> list[RenderableType]:
    mark, style = SEVERITY_STYLE[d.severity]
    head = Text(f"{mark} ", style=style)
    head.append(d.code, style=f"bold {style}")
    head.append(f" ({d.severity.value}): ", style=style)
    head.append(d.text)
    return [Hanging(head, 2, 4), *(Hanging(Text(f"- {e}", style="dim"), 4, 6) for e in d.evidence)]


def _action(a: Action) -> list[RenderableType]:
    number = f"{a.priority}. "
    head = Text(number, style="bold")
    head.append(a.action)
    hang = 2 + len(number)
    effect = Hanging(Text(f"→ {a.expected_effect}", style="italic"), hang, hang + 2)
    # Whole at any width: a command too long for it continues on the next line (`` \``).
    return [Hanging(head, 2, hang), effect, *(ShellCommand(c, hang) for c in a.commands)]


def render_compare(report: CompareReport, fancy: bool = True) -> RenderableType:
    table = FitTable("METRIC", "PLANNED", "ACTUAL", "Δ%", "VERDICT", wrap=("PLANNED", "ACTUAL"))
    for row in report.rows:
        word = (fmt.ROW_MARK if fancy else fmt.ROW_WORD)[row.verdict]
        table.add_row(
            row.metric,
            row.planned,
            row.actual,
            fmt.delta(row.delta_percent),
            Text(word, style=_ROW_STYLE[row.verdict]),
        )
    window = f"window {format_seconds(round(report.window_seconds))}"
    parts: list[RenderableType] = [
        Hanging(Text(f"Plan vs Actual: {report.name}", style="bold")),
        Hanging(f"Plan: {report.plan}", 0, 6),
        Hanging(
            Text(
                f"from {report.plan_source}; metrics {window}, {fmt.via(report.read_via)}",
                style="dim",
            ),
            0,
            2,
        ),
        Text(),
        table,
        *(
            Hanging(Text(f"{row.metric}: {row.note}", style="dim"), 2, 4)
            for row in report.rows
            if row.note
        ),
    ]
    if report.diagnosis:
        parts += [Text(), Text("Diagnosis:", style="bold")]
        for d in report.diagnosis:
            parts += _diagnosis(d)
    if report.recommendations:
        parts += [Text(), Text("Recommendations:", style="bold")]
        for a in sorted(report.recommendations, key=lambda a: a.priority):
            parts += _action(a)
    parts += [Text(), verdict_line(report.summary, fancy), *note_lines(report.notes)]
    return Group(*parts)


RENDERERS = {  # by report model; registry.py collects them
    MetricsReport: render_metrics,
    CompareReport: render_compare,
}
