"""Figures shared by the text and Markdown views of the ``metrics`` and ``compare`` reports:
numbers made readable, and "no data" (never 0) where the report holds null. Pure."""

from __future__ import annotations

from ..reports.compare import RowVerdict
from ..reports.metrics import (
    GaugeValue,
    Latency,
    MetricsReport,
    QuantileValue,
    Throughput,
    TokenDistribution,
    Traffic,
)
from ..timefmt import format_seconds

NO_DATA = "no data"


def ms(value: float | None) -> str:
    """``6.3 ms`` under 10 ms, else ``1,280 ms``; ``no data`` for None."""
    if value is None:
        return NO_DATA
    return f"{value:.1f} ms" if abs(value) < 10 else f"{value:,.0f} ms"


def quantile(q: QuantileValue | None) -> str:
    """A quantile; ``≥ 40,000 ms`` when it fell in the +Inf bucket."""
    if q is None:
        return NO_DATA
    return f"≥ {ms(q.ms)}" if q.at_least else ms(q.ms)


def rate(value: float | None) -> str:
    """``76,800`` / ``19.2`` (a rate without its unit); ``no data`` for None."""
    if value is None:
        return NO_DATA
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


def count(value: float | None) -> str:
    """A gauge: ``7.0`` under 100, else ``174``; ``no data`` for None."""
    if value is None:
        return NO_DATA
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


def percent(fraction: float | None) -> str:
    return NO_DATA if fraction is None else f"{fraction * 100:.0f}%"


def delta(value: float | None) -> str:
    return "" if value is None else f"{value:+.1f}%"


def value(amount: float | None, unit: str) -> str:
    """A plan row's figure with its unit."""
    if amount is None:
        return NO_DATA
    if unit == "ms":
        return ms(amount)
    return f"{rate(amount)} {unit}"


def window(report: MetricsReport) -> str:
    if report.since_start:
        return "since each process started"
    return f"window {format_seconds(round(report.window_seconds))}"


def via(read_via: str) -> str:
    """``recorded in <bundle>`` as it is; ``read via <how>`` otherwise."""
    return read_via if read_via.startswith("recorded") else f"read via {read_via}"


def throughput(t: Throughput) -> list[str]:
    """Input, output, per GPU, requests: the parts of the throughput line."""
    per_gpu = rate(t.output_tokens_per_second_per_gpu)
    unit = " per GPU" if t.output_tokens_per_second_per_gpu is None else " tok/s/GPU"
    return [
        f"Input {rate(t.input_tokens_per_second)}"
        + ("" if t.input_tokens_per_second is None else " tok/s"),
        f"Output {rate(t.output_tokens_per_second)}"
        + ("" if t.output_tokens_per_second is None else " tok/s"),
        f"{per_gpu}{unit} ({t.gpus} GPUs)",
        f"{rate(t.requests_per_second)}" + ("" if t.requests_per_second is None else " req/s"),
    ]


def quantiles(latency: Latency | None) -> list[str]:
    """``p50 305 ms``, ``p90 …``, ``p99 …``, ``mean …``; one ``no data`` when nothing at all."""
    if latency is None or all(q is None for q in (latency.p50, latency.p90, latency.p99)):
        return [NO_DATA]
    parts = [
        f"{label} {quantile(q)}"
        for label, q in (("p50", latency.p50), ("p90", latency.p90), ("p99", latency.p99))
    ]
    if latency.mean_ms is not None:
        parts.append(f"mean {ms(latency.mean_ms)}")
    return parts


def tokens(d: TokenDistribution | None) -> list[str]:
    """``p50 9,100``, ``p90 …``, ``mean … tokens``, ``(N requests)``; ``not observed``."""
    if d is None:
        return ["not observed"]
    parts = [
        f"{label} {count(v)}" for label, v in (("p50", d.p50), ("p90", d.p90), ("mean", d.mean))
    ]
    parts[-1] += " tokens"
    return [*parts, f"{count(d.requests)} requests"]


def traffic(t: Traffic) -> list[str]:
    """Request rate, concurrency and prefix-cache hit rate: the parts of the traffic line."""
    return [
        f"{rate(t.requests_per_second)}" + ("" if t.requests_per_second is None else " req/s"),
        f"concurrency {count(t.concurrency)}",
        f"prefix-cache hits {percent(t.prefix_cache_hit_rate)}",
    ]


def gauge(g: GaugeValue | None) -> str:
    if g is None:
        return NO_DATA
    return f"avg {count(g.avg)} (max {count(g.max)})"


def latencies(report: MetricsReport) -> list[tuple[str, Latency | None]]:
    """TTFT, ITL, and TPOT where served."""
    found = [("TTFT", report.ttft), ("ITL", report.itl)]
    return found + ([("TPOT", report.tpot)] if report.tpot is not None else [])


ROW_WORD = {RowVerdict.met: "met", RowVerdict.missed: "MISSED", RowVerdict.unknown: "unknown"}
ROW_MARK = {RowVerdict.met: "✓ met", RowVerdict.missed: "✗ missed", RowVerdict.unknown: "? unknown"}


def met(flag: bool | None, fancy: bool) -> str:
    """A plan row's verdict: ✓ / ✗ / ?, or ok / MISS / unknown without decoration."""
    if flag is None:
        return "?" if fancy else "unknown"
    if fancy:
        return "✓" if flag else "✗"
    return "ok" if flag else "MISS"
