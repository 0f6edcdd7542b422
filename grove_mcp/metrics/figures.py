"""One pod's figures over a window: which engine it runs, and for each quantity of the report
the metric it came from and its window arithmetic. Pure.

Two ways in, one shape out:

- :func:`figures_from_scrapes` — the pod's own expositions, scraped twice or more a window apart
  (or once, ``since_start``), through :mod:`.window`.
- a Prometheus backend (``grove_mcp.sources.prometheus``) asks PromQL for the same deltas; it
  uses :func:`reads_for` to choose the same metric names and filters, then fills a
  :class:`PodFigures` itself.

The report builders read only :class:`PodFigures`, so both ways give the same report.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from .catalog import (
    Candidate,
    Detection,
    Engine,
    EngineHint,
    MetricType,
    Quantity,
    Read,
    Resolved,
    detect_engine,
    profile,
    resolve,
)
from .exposition import Scrape
from .window import (
    CounterDelta,
    GaugeStats,
    HistogramDelta,
    counter_delta,
    gauge_stats,
    histogram_delta,
    merge_histograms,
    sum_counters,
)

#: How one scrape's series of a gauge combine into the pod's value.
GAUGE_COMBINE = MappingProxyType(
    {
        Quantity.kv_usage: "mean",
        Quantity.prefix_cache_hit_rate: "mean",
        Quantity.queue: "sum",
        Quantity.running: "sum",
    }
)


@dataclass(frozen=True)
class Figure:
    """One quantity of one pod: the metric served and exactly one of its window readings."""

    quantity: Quantity
    metric: str  # the family as served (``vllm:time_to_first_token_seconds``)
    read: Read
    fallback: bool  # an older name or a weaker source than the chain's first
    counter: CounterDelta | None = None
    histogram: HistogramDelta | None = None
    gauge: GaugeStats | None = None

    @property
    def per_second(self) -> float | None:
        """The quantity as a rate: Δcounter/Δt, Δ(histogram _sum)/Δt, or a rate gauge's mean."""
        if self.counter is not None:
            return self.counter.rate
        if self.histogram is not None and self.read is Read.sum_delta:
            s = self.histogram.seconds
            return self.histogram.sum / s if s > 0 else None
        if self.gauge is not None and self.read is Read.rate:
            return self.gauge.average
        return None


@dataclass(frozen=True)
class PodFigures:
    """One pod's window: its engine and figures, or why there are none (``error``)."""

    pod: str
    seconds: float  # the window's length (0 when nothing was read)
    detection: Detection | None = None
    figures: Mapping[Quantity, Figure] = field(default_factory=dict)
    error: str | None = None
    notes: tuple[str, ...] = ()  # restarts inside the window, fallback names, filters

    def get(self, quantity: Quantity) -> Figure | None:
        return self.figures.get(quantity)

    @property
    def engine(self) -> Engine:
        return self.detection.engine if self.detection else Engine.unknown


@dataclass(frozen=True)
class Read1:
    """What to read for one quantity: the resolved name and the label filters whose matches are
    summed (each filter is one combination of the candidate's allowed label values)."""

    quantity: Quantity
    resolved: Resolved
    wheres: tuple[Mapping[str, str], ...]

    @property
    def candidate(self) -> Candidate:
        return self.resolved.candidate


def _wheres(candidate: Candidate, extra: Mapping[str, str]) -> tuple[Mapping[str, str], ...]:
    """Each combination of the candidate's label values, plus ``extra`` (de-duplication)."""
    keys = [k for k, _ in candidate.where]
    combos = itertools.product(*(values for _, values in candidate.where)) if keys else [()]
    return tuple({**extra, **dict(zip(keys, combo, strict=True))} for combo in combos)


def dedup_filter(detection: Detection, labels_seen: Iterable[str]) -> dict[str, str]:
    """The pod-level de-duplication filter: SGLang reports every TP rank, so only
    ``tp_rank="0"`` counts (inference-metrics.md A.2); other engines need none."""
    sglang = Engine.sglang in (detection.engine, detection.backend)
    return {"tp_rank": "0"} if sglang and "tp_rank" in set(labels_seen) else {}


def reads_for(
    served: Iterable[str],
    hint: EngineHint | None,
    labels_seen: Mapping[str, Iterable[str]] | Iterable[str] = (),
) -> tuple[Detection, dict[Quantity, Read1]]:
    """The engine a pod runs and, per quantity, the first name of its chain the pod serves.
    ``labels_seen`` are the label names the pod's series carry: by served family name (then
    the de-duplication filter applies to the families that carry the label), or one set for all."""
    names = sorted(set(served))
    detection = detect_engine(names, hint)
    prof = profile(detection.engine, detection.backend)
    if prof is None:
        return detection, {}
    per_family = labels_seen if isinstance(labels_seen, Mapping) else None
    common = () if per_family is not None else labels_seen
    reads: dict[Quantity, Read1] = {}
    for q, chain in prof.chains.items():
        hit = resolve(chain, names)
        if hit is not None:
            seen = per_family.get(hit.served_name, ()) if per_family is not None else common
            reads[q] = Read1(q, hit, _wheres(hit.candidate, dedup_filter(detection, seen)))
    return detection, reads


def _served(scrape: Scrape) -> tuple[list[str], dict[str, set[str]]]:
    """The family names a scrape serves and the label names of each family's series."""
    names: list[str] = []
    labels: dict[str, set[str]] = {}
    for fam in scrape.families.values():
        names.append(fam.shown)
        seen = labels.setdefault(fam.shown, set())
        for s in fam.samples:
            seen.update(k for k, _ in s.labels)
    return names, labels


def _lifetime(scrape: Scrape, wall: float | None) -> float | None:
    """Seconds since the process started (``process_start_time_seconds``), when both are known."""
    fam = scrape.family("process_start_time_seconds")
    if wall is None or fam is None or not fam.samples:
        return None
    started = fam.samples[0].value
    return wall - started if 0 < started < wall else None


def _read(
    r: Read1, scrapes: Sequence[Scrape], since_start: bool, restarted: bool, seconds: float
) -> Figure | None:
    name, first, last = r.resolved.served_name, scrapes[0], scrapes[-1]
    c = r.candidate
    counter = histogram = gauge = None
    if since_start:  # lifetime: everything since the process started
        first = Scrape(last.time - seconds, {})
    if c.type is MetricType.counter:
        counter = sum_counters(
            counter_delta(first, last, name, w, restarted and not since_start) for w in r.wheres
        )
    elif c.type is MetricType.histogram:
        histogram = merge_histograms(
            histogram_delta(first, last, name, w, restarted and not since_start) for w in r.wheres
        )
    else:
        combine = "sum" if c.read is Read.rate else GAUGE_COMBINE.get(r.quantity, "sum")
        stats = [gauge_stats(scrapes, name, w, combine) for w in r.wheres]  # type: ignore[arg-type]
        present = [g for g in stats if g is not None]
        if present:
            gauge = GaugeStats(
                present[0].name,
                sum(g.average for g in present),
                sum(g.maximum for g in present),
                min(g.samples for g in present),
            )
    if counter is not None and not counter.series:
        counter = None  # served, but no series matches the filter (SGLang's mode="decode" …)
    if counter is None and histogram is None and gauge is None:
        return None
    return Figure(r.quantity, name, c.read, r.resolved.fallback, counter, histogram, gauge)


def figures_from_scrapes(
    pod: str,
    scrapes: Sequence[Scrape],
    hint: EngineHint | None,
    since_start: bool = False,
    restarted: bool = False,
    wall: float | None = None,
) -> PodFigures:
    """A pod's figures from its scrapes, oldest first. Counters and histograms take the first and
    the last scrape (or the last alone, ``since_start``: lifetime figures, whose rates divide by
    the time since ``process_start_time_seconds`` when ``wall``, the epoch time of the last
    scrape, is given); gauges every scrape. ``restarted`` marks a restart seen outside the
    exposition (a higher restartCount)."""
    if not scrapes:
        return PodFigures(pod, 0.0, error=f"pod {pod}: no scrape succeeded")
    if len(scrapes) < 2 and not since_start:
        return PodFigures(
            pod, 0.0, error=f"pod {pod}: one scrape only, a window needs two (or --since-start)"
        )
    names, labels = _served(scrapes[-1])
    detection, reads = reads_for(names, hint, labels)
    seconds = scrapes[-1].time - scrapes[0].time
    notes: list[str] = []
    if since_start:
        lifetime = _lifetime(scrapes[-1], wall)
        seconds = lifetime or 0.0
        if lifetime is None:
            notes.append(
                "lifetime rates unknown: no process_start_time_seconds with the time of the "
                "scrape; counts and latencies are since the process started"
            )
    figures: dict[Quantity, Figure] = {}
    for q, r in reads.items():
        fig = _read(r, scrapes, since_start, restarted, seconds)
        if fig is None:
            continue
        figures[q] = fig
        if fig.fallback:
            notes.append(f"{q.value} from {fig.metric} (an older name or a weaker source)")
        if (fig.counter and fig.counter.resets) or (fig.histogram and fig.histogram.partial):
            notes.append(f"{fig.metric} restarted inside the window: counted since the restart")
    if not reads and detection.engine is not Engine.unknown:
        notes.append(f"serves none of {detection.engine.value}'s metrics we read")
    return PodFigures(pod, seconds, detection, MappingProxyType(figures), None, tuple(notes))
