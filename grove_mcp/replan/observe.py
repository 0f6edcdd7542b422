"""What the window measured, as cited figures, and the per-worker concurrency that stands for the
deployed batch size."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..reports.metrics import Latency, MetricsReport, TokenDistribution
from ..reports.replan import Cited


@dataclass(frozen=True)
class Observed:
    """The figures replan works with; None where the window did not have them."""

    isl_mean: float | None
    isl_p50: float | None
    isl_p90: float | None
    osl_mean: float | None
    osl_p50: float | None
    requests_per_second: float | None
    concurrency: float | None
    ttft_mean: float | None
    ttft_p99: float | None
    tpot_mean: float | None
    tpot_p99: float | None
    tokens_per_gpu: float | None
    output_tokens_per_second: float | None
    queued: float | None
    tpot_name: str | None  # "ITL" when the inter-token latency stands in for TPOT
    cited: list[Cited] = field(default_factory=list)
    not_observed: list[str] = field(default_factory=list)


def _p99(lat: Latency | None) -> float | None:
    return lat.p99.ms if lat and lat.p99 else None


def _measured(
    name: str,
    unit: str,
    detail: str,
    pairs: Iterable[tuple[str, float | None]],
    digits: int | None = None,
) -> list[Cited]:
    """A measured figure "``name`` statistic" per (statistic, value) pair that has a value,
    rounded to ``digits`` places when given."""
    return [
        Cited(
            figure=f"{name} {stat}",
            value=value if digits is None else round(value, digits),
            unit=unit,
            source="measured",
            detail=detail,
        )
        for stat, value in pairs
        if value is not None
    ]


def _dist(name: str, d: TokenDistribution | None) -> list[Cited]:
    if d is None:
        return []
    detail = f"{d.metric} ({d.source}), {d.requests:g} requests"
    return _measured(name, "tokens", detail, (("mean", d.mean), ("p50", d.p50), ("p90", d.p90)))


def _latency(name: str, lat: Latency | None) -> list[Cited]:
    if lat is None:
        return []
    pairs = (("mean", lat.mean_ms), ("p99", _p99(lat)))
    return _measured(name, "ms", f"{lat.metric} ({lat.source})", pairs, digits=3)


def observe(m: MetricsReport) -> Observed:
    """The figures of one metrics report."""
    t = m.traffic
    tpot = m.tpot or m.itl
    rate = t.requests_per_second
    cited = _dist("ISL", t.isl) + _dist("OSL", t.osl)
    if rate is not None:
        cited.append(
            Cited(
                figure="request rate",
                value=round(rate, 3),
                unit="req/s",
                source="measured",
                detail=t.requests_source,
            )
        )
    if t.concurrency is not None:
        cited.append(
            Cited(
                figure="concurrency",
                value=round(t.concurrency, 2),
                unit="requests",
                source="measured",
                detail="running requests, average",
            )
        )
    if t.prefix_cache_hit_rate is not None:
        cited.append(
            Cited(
                figure="prefix-cache hit rate",
                value=round(t.prefix_cache_hit_rate, 3),
                unit="ratio",
                source="measured",
                detail=t.prefix_cache_metric or "",
            )
        )
    cited += _latency("TTFT", m.ttft) + _latency("TPOT" if m.tpot else "ITL", tpot)
    per_gpu = m.throughput.output_tokens_per_second_per_gpu
    if per_gpu is not None:
        cited.append(
            Cited(
                figure="output tok/s per GPU",
                value=round(per_gpu, 2),
                unit="tok/s/GPU",
                source="measured",
                detail=m.throughput.source,
            )
        )
    return Observed(
        isl_mean=t.isl.mean if t.isl else None,
        isl_p50=t.isl.p50 if t.isl else None,
        isl_p90=t.isl.p90 if t.isl else None,
        osl_mean=t.osl.mean if t.osl else None,
        osl_p50=t.osl.p50 if t.osl else None,
        requests_per_second=rate,
        concurrency=t.concurrency,
        ttft_mean=m.ttft.mean_ms if m.ttft else None,
        ttft_p99=_p99(m.ttft),
        tpot_mean=tpot.mean_ms if tpot else None,
        tpot_p99=_p99(tpot),
        tokens_per_gpu=per_gpu,
        output_tokens_per_second=m.throughput.output_tokens_per_second,
        tpot_name=None if m.tpot else "ITL",
        queued=m.waiting.avg if m.waiting else None,
        cited=cited,
        not_observed=list(t.not_observed),
    )


def batch_per_worker(m: MetricsReport) -> dict[str, int | None]:
    """The deployed batch size per role, for AIConfigurator's estimate: for decode and
    aggregated workers the average running requests of the role's read pods (one pod per
    worker), at least 1; None when the role was not read. Prefill is 1, as in AIConfigurator's
    own disaggregated rows: a prefill worker runs one prompt batch at a time, and the requests
    it holds beyond that wait in its queue (which the measured TTFT includes)."""
    out: dict[str, int | None] = {"prefill": 1}
    for kind, role in (("decode", "decode"), ("aggregated", "agg")):
        running = [
            p.running_avg
            for r in m.roles
            if r.kind == kind
            for p in m.pods
            if p.role == r.role and p.running_avg is not None
        ]
        out[role] = max(round(sum(running) / len(running)), 1) if running else None
    return out
