"""Pods' figures added up per role, and the role verdicts (saturated / underutilized). Pure.

Summing follows inference-metrics.md: tokens are counter deltas summed over pods (B.2),
latencies are histograms merged per bucket bound (B.3 step 3), queue and running gauges are
summed over pods per scrape and KV usage is averaged (§0.4).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import MetricsError
from ..metrics.catalog import Engine, Quantity
from ..metrics.discovery import Target
from ..metrics.figures import PodFigures
from ..metrics.window import HistogramDelta, merge_histograms
from ..reports.metrics import GaugeValue, Latency, QuantileValue, Verdict

#: The verdict rules (shown in every report). KV usage is a fraction 0-1.
SATURATED_KV = 0.90
SATURATED_WAITING_PER_POD = 1.0
UNDERUTILIZED_KV = 0.25
THRESHOLDS = (
    f"saturated: KV-cache usage average ≥ {SATURATED_KV:.0%}, or on average ≥ "
    f"{SATURATED_WAITING_PER_POD:g} request queued per pod over the window",
    f"underutilized: KV-cache usage average < {UNDERUTILIZED_KV:.0%} and no request queued "
    "in any scrape",
    "ok: neither; unknown: the role's engines serve neither KV usage nor a queue gauge",
)


@dataclass(frozen=True)
class RoleData:
    """One role's targets and their figures (pods not read have no figures)."""

    name: str
    kind: str  # prefill | decode | aggregated | frontend | other
    targets: tuple[Target, ...]
    figures: tuple[PodFigures, ...]  # of the pods read

    @property
    def engine(self) -> Engine:
        engines = {f.engine for f in self.figures if f.engine is not Engine.unknown}
        if len(engines) == 1:
            return engines.pop()
        hints = {t.hint.engine for t in self.targets if t.hint}
        return hints.pop() if len(hints) == 1 else Engine.unknown

    @property
    def gpus(self) -> int:
        return sum(t.gpus for t in self.targets if t.holds_gpus)


def role_kind(target: Target, figures: PodFigures | None) -> str:
    """prefill / decode from Dynamo's sub-component type or the role's name; a Dynamo frontend;
    an inference engine otherwise is aggregated; anything else (a router) is other."""
    read = figures is not None and figures.detection is not None
    engine = figures.engine if read and figures else (target.hint.engine if target.hint else None)
    if engine is Engine.dynamo_frontend or target.role.component_type == "frontend":
        return "frontend"
    for word in ("prefill", "decode"):
        names = (target.role.sub_component_type, target.role.name)
        if any(n and word in n.lower() for n in names):
            return word
    if engine in (None, Engine.unknown):
        return "other"
    return "aggregated"


def layer(roles: Sequence[RoleData], kinds: Iterable[str]) -> tuple[list[PodFigures], str]:
    """The figures of the roles of the first kind present (in the order given), and a label."""
    for kind in kinds:
        chosen = [r for r in roles if r.kind == kind and r.figures]
        if chosen:
            names = ", ".join(r.name for r in chosen)
            label = "the Dynamo frontend" if kind == "frontend" else f"the {names} engines"
            return [f for r in chosen for f in r.figures], label
    return [], "no role"


def per_second(figures: Iterable[PodFigures], quantity: Quantity) -> float | None:
    """Σ over pods of the quantity's rate; None when no pod has it."""
    rates = [r for f in figures if (fig := f.get(quantity)) and (r := fig.per_second) is not None]
    return sum(rates) if rates else None


def merged(figures: Iterable[PodFigures], quantity: Quantity) -> tuple[HistogramDelta | None, str]:
    """The pods' histograms of the quantity merged, and the metric name (or why not merged)."""
    found = [fig for f in figures if (fig := f.get(quantity)) and fig.histogram]
    if not found:
        return None, ""
    try:
        return merge_histograms(fig.histogram for fig in found), found[0].metric
    except MetricsError as err:
        return None, err.message


def latency(hist: HistogramDelta | None, metric: str, source: str) -> Latency | None:
    """The quantiles of a merged histogram in ms; None when no pod served it."""
    if hist is None:
        return None

    def q(p: float) -> QuantileValue | None:
        got = hist.quantile(p)
        return None if got is None else QuantileValue(ms=got.value * 1000, at_least=got.at_least)

    mean = hist.mean
    return Latency(
        p50=q(0.5),
        p90=q(0.9),
        p99=q(0.99),
        mean_ms=mean * 1000 if mean is not None else None,
        observations=hist.observations,
        metric=metric,
        source=source,
    )


def gauge(figures: Sequence[PodFigures], quantity: Quantity, average: bool) -> GaugeValue | None:
    """The pods' gauge over the window: summed over pods (counts) or averaged (KV usage)."""
    stats = [fig.gauge for f in figures if (fig := f.get(quantity)) and fig.gauge]
    if not stats:
        return None
    n = len(stats) if average else 1
    return GaugeValue(
        avg=sum(g.average for g in stats) / n,
        max=max(g.maximum for g in stats) if average else sum(g.maximum for g in stats),
        samples=min(g.samples for g in stats),
    )


def verdict(
    kv: GaugeValue | None, waiting: GaugeValue | None, pods_read: int
) -> tuple[Verdict, str]:
    """The role's verdict by :data:`THRESHOLDS`, with the numbers that decided it."""
    if kv is None and waiting is None:
        return Verdict.unknown, "its engines serve neither KV-cache usage nor a queue gauge"
    per_pod = waiting.avg / max(pods_read, 1) if waiting else 0.0
    if kv is not None and kv.avg >= SATURATED_KV:
        return Verdict.saturated, f"KV-cache usage avg {kv.avg:.0%} ≥ {SATURATED_KV:.0%}"
    if waiting is not None and per_pod >= SATURATED_WAITING_PER_POD:
        return (
            Verdict.saturated,
            f"{per_pod:.1f} requests queued per pod on average ≥ {SATURATED_WAITING_PER_POD:g}",
        )
    if kv is not None and kv.avg < UNDERUTILIZED_KV and (waiting is None or waiting.max == 0):
        return (
            Verdict.underutilized,
            f"KV-cache usage avg {kv.avg:.0%} < {UNDERUTILIZED_KV:.0%} and nothing queued",
        )
    kv_text = f"KV-cache usage avg {kv.avg:.0%}" if kv else "no KV-cache gauge"
    return Verdict.ok, f"{kv_text}, {per_pod:.1f} queued per pod on average"
