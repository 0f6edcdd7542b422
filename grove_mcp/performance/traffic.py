"""The traffic a deployment actually serves over the window (issue 18, Observe). Pure.

Each request is counted once (inference-metrics.md A.4, §0.5): the Dynamo frontend's
per-request histograms when it is read (it sees every request once); else ISL from the prefill
(or aggregated) engines and OSL from the decode (or aggregated) engines. A disaggregated vLLM
prefill worker generates 1 token per request, so OSL never comes from prefill. The prefix-cache
hit rate lives in the engines that prefill, whatever the frontend reads.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..metrics.catalog import Quantity, profile
from ..metrics.figures import PodFigures
from ..reports.metrics import TokenDistribution, Traffic
from .roles import RoleData, gauge, layer, merged, per_second

Layer = tuple[list[PodFigures], str]

_WHAT = {Quantity.isl: "ISL", Quantity.osl: "OSL"}


def _why_missing(chosen: Layer, quantity: Quantity, what: str) -> str:
    """Why a figure is absent from a layer: no pod read, or which names its engines lack."""
    figures, label = chosen
    if not figures:
        return f"{what}: {label}"
    looked: set[str] = set()
    for f in figures:
        prof = profile(f.detection.engine, f.detection.backend) if f.detection else None
        if prof is not None:
            chain = prof.chains[quantity]
            names = ", ".join(c.name for c in chain.candidates)
            looked.add(f"none of {names} served" if names else chain.note)
    engines = ", ".join(sorted({f.engine.value for f in figures}))
    why = "; ".join(sorted(looked)) or "engine not known"
    return f"{what}: not from {label} ({engines}): {why}"


def _distribution(chosen: Layer, quantity: Quantity) -> TokenDistribution | str:
    """Tokens per request from the layer's merged histograms, or why not."""
    hist, metric = merged(chosen[0], quantity)
    what = _WHAT[quantity]
    if hist is None:
        return f"{what}: {metric}" if metric else _why_missing(chosen, quantity, what)
    p50, p90 = hist.quantile(0.5), hist.quantile(0.9)
    notes = [
        f"p{round(q.q * 100)} ≥ {q.value:g}: in the +Inf bucket"
        for q in (p50, p90)
        if q is not None and q.at_least
    ]
    if hist.partial:
        notes.append("a series restarted inside the window: counted since the restart")
    if hist.empty:
        notes.append("no request finished in the window")
    return TokenDistribution(
        mean=hist.mean,
        p50=p50.value if p50 else None,
        p90=p90.value if p90 else None,
        requests=hist.observations,
        metric=metric,
        source=chosen[1],
        note="; ".join(notes),
    )


def _hit_rate(engines: Layer) -> tuple[float | None, str | None]:
    """vLLM: ΣΔhits ÷ ΣΔqueries over its pods; else the pods' hit-rate gauges averaged."""
    figures = engines[0]
    hits = [f.get(Quantity.prefix_cache_hits) for f in figures]
    queries = [f.get(Quantity.prefix_cache_queries) for f in figures]
    pairs = [
        (h.counter, q.counter, h.metric, q.metric)
        for h, q in zip(hits, queries, strict=True)
        if h and q and h.counter and q.counter
    ]
    asked = sum(q.delta for _, q, _, _ in pairs)
    if pairs and asked > 0:
        rate = sum(h.delta for h, _, _, _ in pairs) / asked
        return rate, f"Δ{pairs[0][2]} ÷ Δ{pairs[0][3]} ({engines[1]})"
    got = gauge(figures, Quantity.prefix_cache_hit_rate, average=True)
    if got is not None:
        metric = next(fig.metric for f in figures if (fig := f.get(Quantity.prefix_cache_hit_rate)))
        return got.avg, f"{metric}, average ({engines[1]})"
    return None, None


def build_traffic(roles: Sequence[RoleData], inp: Layer, out: Layer) -> Traffic:
    """The traffic of the deployment. ``inp`` and ``out`` are the layers the report reads input
    and output figures from (the frontend, else prefill/aggregated and decode/aggregated)."""
    engines = [r for r in roles if r.kind not in ("other", "frontend")]
    prefill = layer(engines, ["prefill", "aggregated"])
    not_observed: list[str] = []
    isl = _distribution(inp, Quantity.isl)
    osl = _distribution(out, Quantity.osl)
    for got in (isl, osl):
        if isinstance(got, str):
            not_observed.append(got)

    rate = per_second(out[0], Quantity.requests)
    requests_source = ""
    if rate is not None:
        metric = next(fig.metric for f in out[0] if (fig := f.get(Quantity.requests)))
        requests_source = f"Δ{metric} ({out[1]})"
    elif isinstance(osl, TokenDistribution) and (hist := merged(out[0], Quantity.osl)[0]):
        rate = hist.rate
        requests_source = f"requests observed by {osl.metric} per second ({out[1]})"
    else:
        why = "" if not out[0] else " serve neither a request counter nor an OSL histogram"
        not_observed.append(f"request rate: {out[1]}{why}")

    hit_rate, hit_metric = _hit_rate(prefill)
    if hit_rate is None:
        not_observed.append(
            _why_missing(prefill, Quantity.prefix_cache_hit_rate, "prefix-cache hit rate")
        )
    running = gauge(out[0], Quantity.running, average=False)
    concurrency_source = ""
    if running is not None:
        metric = next(fig.metric for f in out[0] if (fig := f.get(Quantity.running)))
        concurrency_source = f"{metric}, average ({out[1]})"
    else:
        not_observed.append(_why_missing(out, Quantity.running, "concurrency"))
    return Traffic(
        requests_per_second=rate,
        requests_source=requests_source or "not observed",
        isl=isl if isinstance(isl, TokenDistribution) else None,
        osl=osl if isinstance(osl, TokenDistribution) else None,
        prefix_cache_hit_rate=hit_rate,
        prefix_cache_metric=hit_metric,
        concurrency=running.avg if running else None,
        concurrency_source=concurrency_source or "not observed",
        not_observed=not_observed,
    )
