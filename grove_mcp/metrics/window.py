"""The math over a window of scrapes (inference-metrics.md B.2, B.3, §0.4). Pure.

- Counters: Δ per series between two scrapes, with reset detection; summed over the series that
  match a label filter; rate = ΣΔ / Δt.
- Histograms: per-bucket Δ, reset handling, Prometheus ``histogram_quantile`` interpolation on
  classic buckets; an empty window is "no data" (None), never 0; a quantile in ``+Inf`` is
  reported as "≥ the last finite bound".
- Gauges: several scrapes → average and maximum.

A metric the after-scrape lacks is ``None`` ("not reported"), not zero.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from grove_mcp.errors import MetricsError

from .exposition import Family, Labels, Sample, Scrape, bound

Where = Mapping[str, str] | None
"""A label filter: a series counts when it has every one of these labels with that value."""


def _matches(labels: Labels, where: Where) -> bool:
    if not where:
        return True
    have = dict(labels)
    return all(have.get(k) == v for k, v in where.items())


def _rate(amount: float, seconds: float) -> float | None:
    return amount / seconds if seconds > 0 else None


def _created(scrape: Scrape, family: Family, labels: Labels) -> float | None:
    """The ``_created`` value of one series: a changed value marks a restart (A.0)."""
    for s in family.samples:
        if s.suffix == "_created" and s.labels == labels:
            return s.value
    separate = scrape.families.get(family.name + "_created")
    if separate is not None:
        for s in separate.samples:
            if s.labels == labels:
                return s.value
    return None


def _restarted(before: Scrape, fb: Family, after: Scrape, fa: Family, labels: Labels) -> bool:
    c1, c2 = _created(before, fb, labels), _created(after, fa, labels)
    return c1 is not None and c2 is not None and c1 != c2


# --- counters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CounterDelta:
    """The increase of a counter over a window, summed over the matching series."""

    name: str
    delta: float
    seconds: float
    series: int
    """Series counted (in the after-scrape, matching the filter)."""
    resets: int
    """Series that restarted inside the window: their Δ is their after-value (B.2)."""
    new_series: int
    """Series absent from the before-scrape: counted from 0."""

    @property
    def rate(self) -> float | None:
        """Per second over the window; None when the window has no length."""
        return _rate(self.delta, self.seconds)


def _counter_samples(family: Family) -> list[Sample]:
    return [s for s in family.samples if s.suffix in ("", "_total") and not math.isnan(s.value)]


def counter_delta(
    before: Scrape, after: Scrape, name: str, where: Where = None, restarted: bool = False
) -> CounterDelta | None:
    """Σ Δ of counter ``name`` over the series matching ``where``. ``restarted`` is the
    caller's restart marker (a new pod UID, a higher restartCount, a changed
    ``process_start_time_seconds``): every series then counts from 0. None when the
    after-scrape does not have the metric, or has it as another type (a gauge, a histogram
    such as ``vllm:iteration_tokens_total``): types come from TYPE lines, never from names."""
    fa = after.family(name)
    if fa is None or fa.type not in ("counter", "unknown"):
        return None
    fb = before.family(name) or Family(fa.name, fa.type, ())
    old = {s.labels: s.value for s in _counter_samples(fb)}
    delta = 0.0
    series = resets = new = 0
    for s in _counter_samples(fa):
        if not _matches(s.labels, where):
            continue
        series += 1
        v1 = old.get(s.labels)
        if v1 is None:
            new += 1
            delta += s.value
        elif restarted or s.value < v1 or _restarted(before, fb, after, fa, s.labels):
            resets += 1
            delta += s.value
        else:
            delta += s.value - v1
    return CounterDelta(fa.name, delta, after.time - before.time, series, resets, new)


def sum_counters(deltas: Iterable[CounterDelta | None]) -> CounterDelta | None:
    """Several pods' deltas of one counter as one (over pods, B.2); the window is the longest
    of theirs. None when no pod reported the metric."""
    present = [d for d in deltas if d is not None]
    if not present:
        return None
    return CounterDelta(
        present[0].name,
        sum(d.delta for d in present),
        max(d.seconds for d in present),
        sum(d.series for d in present),
        sum(d.resets for d in present),
        sum(d.new_series for d in present),
    )


# --- histograms ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quantile:
    """A quantile estimated from buckets. ``value`` lies in (``lower``, ``upper``]; when
    ``at_least`` the quantile fell in the ``+Inf`` bucket and ``value`` is the last finite
    bound: the true value is at least that (most likely an SLA breach)."""

    q: float
    value: float
    lower: float
    upper: float
    at_least: bool
    observations: float


@dataclass(frozen=True)
class HistogramDelta:
    """The observations of a histogram within a window: cumulative counts per bound, sorted,
    ending with ``+Inf``."""

    name: str
    buckets: tuple[tuple[float, float], ...]
    count: float
    sum: float
    seconds: float
    partial: bool
    """Some series restarted inside the window: only their counts since the restart are in."""

    @property
    def observations(self) -> float:
        """N, from the ``+Inf`` bucket."""
        return self.buckets[-1][1] if self.buckets else 0.0

    @property
    def empty(self) -> bool:
        return self.observations <= 0

    @property
    def rate(self) -> float | None:
        """Observations per second over the window."""
        return _rate(self.observations, self.seconds)

    @property
    def mean(self) -> float | None:
        """Δsum / Δcount: exact; None when the window is empty."""
        return self.sum / self.count if self.count > 0 else None

    def quantile(self, q: float) -> Quantile | None:
        """Prometheus ``histogram_quantile`` on classic buckets (B.3 step 5); None when the
        window is empty ("no data", never 0)."""
        if not 0 <= q <= 1:
            raise ValueError(f"quantile {q} is outside [0, 1]")
        n = self.observations
        if n <= 0:
            return None
        rank = q * n
        below_bound, below_count = 0.0, 0.0
        for i, (upper, cum) in enumerate(self.buckets):
            if cum >= rank and cum > 0:
                if math.isinf(upper):
                    last = self.buckets[i - 1][0] if i > 0 else 0.0
                    return Quantile(q, last, last, upper, True, n)
                if i == 0 and upper <= 0:
                    return Quantile(q, upper, upper, upper, False, n)
                value = below_bound + (upper - below_bound) * (rank - below_count) / (
                    cum - below_count
                )
                return Quantile(q, value, below_bound, upper, False, n)
            below_bound, below_count = upper, cum
        return None  # unreachable: the +Inf bucket holds every observation

    def fraction_at_most(self, threshold: float) -> float | None:
        """Share of the observations ≤ ``threshold`` (B.3 step 7), interpolated inside a bucket
        like the quantile; None when the window is empty. p(q) ≤ X iff this is ≥ q."""
        n = self.observations
        if n <= 0:
            return None
        below_bound, below_count = 0.0, 0.0
        for upper, cum in self.buckets:
            if threshold <= upper:
                if math.isinf(upper):
                    return below_count / n
                if upper <= below_bound:  # a first bucket with bound ≤ 0
                    return cum / n
                share = max(0.0, (threshold - below_bound) / (upper - below_bound))
                return (below_count + (cum - below_count) * share) / n
            below_bound, below_count = upper, cum
        return 1.0


@dataclass
class _Series:
    buckets: dict[float, float]
    count: float | None = None
    sum: float | None = None


def _histogram_series(family: Family, where: Where) -> dict[Labels, _Series]:
    """Per series (labels without ``le``): its buckets by bound, count and sum."""
    out: dict[Labels, _Series] = {}
    for s in family.samples:
        labels = tuple((k, v) for k, v in s.labels if k != "le")
        if not _matches(labels, where):
            continue
        entry = out.setdefault(labels, _Series({}))
        if s.suffix == "_bucket":
            b = bound(s)
            if not math.isnan(b):
                entry.buckets[b] = s.value
        elif s.suffix == "_count":
            entry.count = s.value
        elif s.suffix == "_sum":
            entry.sum = s.value
    return out


def _monotonic(buckets: Mapping[float, float]) -> list[tuple[float, float]]:
    """Sorted by bound, cumulative counts forced monotonic by a running maximum (B.3 step 4)."""
    out: list[tuple[float, float]] = []
    top = 0.0
    for b in sorted(buckets):
        v = buckets[b]
        top = max(top, v if not math.isnan(v) else 0.0)
        out.append((b, top))
    return out


def histogram_delta(
    before: Scrape, after: Scrape, name: str, where: Where = None, restarted: bool = False
) -> HistogramDelta | None:
    """Bucket deltas of histogram ``name`` summed over the series matching ``where``
    (vLLM ``engine``, SGLang ``dp_rank`` …). A series restarted (Δcount < 0, a bucket Δ < 0,
    changed bounds, a changed ``_created``, or ``restarted``) counts with its after-values
    alone and marks the result partial. None when the after-scrape lacks the histogram.
    Raises MetricsError when the matching series have different bucket bounds."""
    fa = after.family(name)
    if fa is None or fa.type not in ("histogram", "unknown"):
        return None
    fb = before.family(name) or Family(fa.name, fa.type, ())
    old = _histogram_series(fb, where)
    total: dict[float, float] = {}
    layout: tuple[float, ...] | None = None
    count = sum_ = 0.0
    partial = False
    for labels, entry in sorted(_histogram_series(fa, where).items()):
        now = _monotonic(entry.buckets)
        if not now or not math.isinf(now[-1][0]):
            continue  # no +Inf bucket: not a usable histogram series (B.3 step 4)
        bounds = tuple(b for b, _ in now)
        if layout is None:
            layout = bounds
        elif bounds != layout:
            raise MetricsError(
                f"{fa.name}: the series {dict(labels)} have other bucket bounds than the rest "
                "(mixed engine versions or overridden buckets); they cannot be summed. "
                "Filter by labels to look at one layout at a time."
            )
        c2 = entry.count if entry.count is not None else now[-1][1]
        s2 = entry.sum if entry.sum is not None else 0.0
        prev = old.get(labels)
        then = _monotonic(prev.buckets) if prev else []
        c1 = s1 = 0.0
        if prev is not None:
            c1 = prev.count if prev.count is not None else (then[-1][1] if then else 0.0)
            s1 = prev.sum if prev.sum is not None else 0.0
        earlier = dict(then)
        deltas = [(b, v - earlier.get(b, 0.0)) for b, v in now]
        reset = prev is not None and (
            restarted
            or tuple(earlier) != bounds
            or c2 < c1
            or any(d < 0 for _, d in deltas)
            or _restarted(before, fb, after, fa, labels)
        )
        if reset:
            partial = True
            deltas, c1, s1 = now, 0.0, 0.0
        for b, d in _monotonic(dict(deltas)):
            total[b] = total.get(b, 0.0) + d
        count += c2 - c1
        sum_ += s2 - s1
    buckets = tuple(sorted(total.items()))
    return HistogramDelta(fa.name, buckets, count, sum_, after.time - before.time, partial)


def histogram_since_start(after: Scrape, name: str, where: Where = None) -> HistogramDelta | None:
    """Lifetime figures from one scrape (``--since-start``): the window since each process
    started, with no before-scrape."""
    return histogram_delta(Scrape(after.time, {}), after, name, where)


def merge_histograms(deltas: Iterable[HistogramDelta | None]) -> HistogramDelta | None:
    """Several pods' histograms of one metric as one, summed per bound (B.3 step 3). Raises
    MetricsError when their bounds differ. None when no pod reported the metric."""
    present = [d for d in deltas if d is not None and d.buckets]
    if not present:
        return None
    layout = [b for b, _ in present[0].buckets]
    for d in present[1:]:
        if [b for b, _ in d.buckets] != layout:
            raise MetricsError(
                f"{d.name}: pods have different bucket bounds (mixed engine versions or "
                "overridden buckets); their latencies cannot be merged. Compare them per pod."
            )
    counts = [sum(d.buckets[i][1] for d in present) for i in range(len(layout))]
    return HistogramDelta(
        present[0].name,
        tuple(zip(layout, counts, strict=True)),
        sum(d.count for d in present),
        sum(d.sum for d in present),
        max(d.seconds for d in present),
        any(d.partial for d in present),
    )


# --- gauges ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GaugeStats:
    """A gauge sampled over a window: each scrape's value is its matching series combined."""

    name: str
    average: float
    maximum: float
    samples: int
    """Scrapes that had the gauge; fewer than 3 says little (§0.4)."""


def gauge_stats(
    scrapes: Sequence[Scrape],
    name: str,
    where: Where = None,
    combine: Literal["sum", "max", "mean"] = "sum",
) -> GaugeStats | None:
    """Average and maximum of gauge ``name`` over ``scrapes``. Within one scrape the matching
    series are combined by ``combine``: ``sum`` for counts (running requests across engines),
    ``mean`` or ``max`` for fractions (KV-cache usage). None when no scrape has the gauge."""
    values: list[float] = []
    family_name = name
    for scrape in scrapes:
        fam = scrape.family(name)
        if fam is None:
            continue
        family_name = fam.name
        vals = [
            s.value
            for s in fam.samples
            if s.suffix == "" and _matches(s.labels, where) and not math.isnan(s.value)
        ]
        if not vals:
            continue
        if combine == "sum":
            values.append(sum(vals))
        elif combine == "max":
            values.append(max(vals))
        else:
            values.append(sum(vals) / len(vals))
    if not values:
        return None
    return GaugeStats(family_name, sum(values) / len(values), max(values), len(values))
