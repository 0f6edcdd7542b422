"""Collecting a window of metrics for a workload's pods: scraped now (live), recorded (a bundle),
or asked of Prometheus. I/O only; the figures are computed in ``grove_mcp.metrics``.

A :class:`Collector` takes a :class:`MetricsRequest` and answers per pod with either the raw
expositions it read (:class:`PodSamples`, turned into figures by
``grove_mcp.metrics.figures.figures_from_scrapes``) or finished figures (Prometheus answers
with deltas and quantile buckets itself). A pod that cannot be read is an answer with its
reason, never an exception.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import GroveError, InvalidInput
from ..metrics.discovery import Target
from ..metrics.exposition import Scrape
from ..metrics.figures import PodFigures
from .scrape import (
    DEFAULT_CONCURRENCY,
    DEFAULT_TIMEOUT,
    Address,
    DirectFetcher,
    Fetched,
    Fetcher,
    ProxyFetcher,
    ScrapeVia,
    choose_via,
)

Progress = Callable[[float, str], None]
"""Called with the fraction done (0-1) and a line saying what is happening."""

MIN_WINDOW = 1.0
MAX_WINDOW = 3600.0


@dataclass(frozen=True)
class MetricsRequest:
    """What to collect: the pods (with their endpoints), the window and how many scrapes."""

    namespace: str
    targets: tuple[Target, ...]
    window: float = 30.0
    scrapes: int = 4  # first and last give counters/histograms; all of them give gauges
    since_start: bool = False  # one scrape: lifetime figures, no waiting
    on_progress: Progress | None = None
    cancel: threading.Event | None = None
    # parse each exposition as it arrives (inside the window's idle time); errors are recorded
    parse: Callable[[str, float, str], Scrape] | None = None

    def __post_init__(self) -> None:
        if not self.since_start and not MIN_WINDOW <= self.window <= MAX_WINDOW:
            raise InvalidInput(
                f"--window {self.window:g}s is out of range: give {MIN_WINDOW:g}s to "
                f"{MAX_WINDOW:g}s (or --since-start for lifetime figures without waiting)."
            )
        if self.scrapes < 2:
            raise InvalidInput("a window takes at least 2 scrapes.")


@dataclass(frozen=True)
class PodSamples:
    """One pod's raw expositions, oldest first: (monotonic seconds, text). ``wall`` is the epoch
    time of the last one; ``errors`` say why scrapes failed (some or all of them)."""

    pod: str
    samples: tuple[tuple[float, str], ...] = ()
    wall: float | None = None
    errors: tuple[str, ...] = ()
    parsed: tuple[Scrape, ...] | None = None  # the samples parsed, when the request parsed them


Answer = PodSamples | PodFigures


@dataclass(frozen=True)
class Collected:
    """Every pod's answer, how they were read, and notes for the report."""

    answers: Mapping[str, Answer]
    via: str  # "pod proxy", "pod IP", "recorded in <bundle>", "Prometheus at <url>"
    window: float
    since_start: bool
    notes: tuple[str, ...] = field(default_factory=tuple)


class Collector(Protocol):
    def collect(self, request: MetricsRequest) -> Collected: ...

    def close(self) -> None: ...


def _address(namespace: str, t: Target) -> Address | None:
    if t.endpoint is None:
        return None
    return Address(t.namespace or namespace, t.pod, t.pod_ip, t.endpoint.port, t.endpoint.path)


class ScrapeCollector:
    """Scrapes the pods ``request.scrapes`` times, evenly over the window, through a fetcher."""

    def __init__(self, fetcher: Fetcher, via: str) -> None:
        self._fetcher = fetcher
        self.via = via

    def collect(self, request: MetricsRequest) -> Collected:
        addresses = {t.pod: a for t in request.targets if (a := _address(request.namespace, t))}
        rounds = 1 if request.since_start else request.scrapes
        samples: dict[str, list[tuple[float, str]]] = {p: [] for p in addresses}
        errors: dict[str, list[str]] = {p: [] for p in addresses}
        parsed: dict[str, list[Scrape]] = {p: [] for p in addresses}
        wall: dict[str, float] = {}
        start = time.monotonic()
        stop = request.cancel or threading.Event()
        for i in range(rounds):
            due = start + request.window * i / max(rounds - 1, 1)
            if i and stop.wait(max(0.0, due - time.monotonic())):
                break  # cancelled: answer with what was read

            def take(got: Fetched) -> None:  # in the scrape pool; each pod has its own lists
                pod = got.address.pod
                if got.text is None:
                    if got.error and got.error not in errors[pod]:
                        errors[pod].append(got.error)
                    return
                samples[pod].append((got.at, got.text))
                wall[pod] = time.time()
                if request.parse is not None:
                    try:
                        parsed[pod].append(request.parse(got.text, got.at, pod))
                    except GroveError as err:
                        errors[pod].append(err.message)

            self._fetcher.fetch(list(addresses.values()), take)
            if request.on_progress:
                done = (i + 1) / rounds
                left = max(0.0, start + request.window - time.monotonic())
                line = f"scrape {i + 1}/{rounds} of {len(addresses)} pods"
                request.on_progress(done, line + (f"; {left:.0f}s left" if i + 1 < rounds else ""))
        answers = {
            p: PodSamples(
                p,
                tuple(samples[p]),
                wall.get(p),
                tuple(errors[p]),
                tuple(parsed[p]) if request.parse is not None else None,
            )
            for p in addresses
        }
        return Collected(answers, self.via, request.window, request.since_start)

    def close(self) -> None:
        self._fetcher.close()


class RecordedCollector:
    """A bundle's recorded expositions: the window is the recording's, and nothing waits."""

    def __init__(
        self,
        recorded: Mapping[tuple[str, str], Sequence[tuple[float, str]]],
        origin: str,
        skipped: Sequence[str] = (),
    ) -> None:
        self._recorded = recorded
        self.origin = origin
        self._skipped = tuple(skipped)

    def collect(self, request: MetricsRequest) -> Collected:
        answers: dict[str, Answer] = {}
        longest = 0.0
        for t in request.targets:
            rows = tuple(self._recorded.get((t.namespace or request.namespace, t.pod), ()))
            if request.since_start:
                rows = rows[-1:]
            if rows:
                longest = max(longest, rows[-1][0] - rows[0][0])
            errors = () if rows else (f"pod {t.pod}: no recorded metrics in {self.origin}",)
            answers[t.pod] = PodSamples(t.pod, rows, None, errors)
        notes: tuple[str, ...] = self._skipped
        if not any(self._recorded):
            notes += (f"{self.origin} holds no recorded metrics (capture with `diag --metrics`).",)
        window = request.window if request.since_start else longest
        return Collected(answers, f"recorded in {self.origin}", window, request.since_start, notes)

    def close(self) -> None:
        pass


def scrape_collector(
    kube: object | None,
    via: ScrapeVia = ScrapeVia.auto,
    timeout: float = DEFAULT_TIMEOUT,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> ScrapeCollector:
    """Scrape through the pod proxy (outside a cluster) or the pod IPs (inside), or as forced."""
    from .kube import KubeClient

    client = kube if isinstance(kube, KubeClient) else None
    chosen = choose_via(via, client)
    if chosen is ScrapeVia.proxy:
        if client is None:
            raise InvalidInput("--scrape-via proxy needs a cluster (the API server's pod proxy).")
        return ScrapeCollector(
            ProxyFetcher(client, timeout, concurrency), "the API server's pod proxy"
        )
    return ScrapeCollector(DirectFetcher(timeout, concurrency), "the pod IPs")


def open_collector(
    source: object,
    via: ScrapeVia = ScrapeVia.auto,
    timeout: float = DEFAULT_TIMEOUT,
    concurrency: int = DEFAULT_CONCURRENCY,
    prometheus_url: str | None = None,
) -> Collector:
    """The collector for a source: Prometheus when a URL is given, a bundle's recordings, or
    scrapes of a live cluster's pods."""
    bundle = getattr(source, "bundle", None)  # a bundle (also behind a wrapping source)
    if prometheus_url:
        if bundle is not None:
            raise InvalidInput(
                "--prometheus-url reads the metrics of now, and a bundle holds the objects of its "
                "capture time: use it against the live cluster (drop --demo/--bundle)."
            )
        from .prometheus import PrometheusCollector

        return PrometheusCollector(prometheus_url, timeout=max(timeout, 10.0))
    if bundle is not None:
        origin = getattr(source, "description", "the bundle")
        return RecordedCollector(bundle.metrics, origin, bundle.metrics_skipped)
    return scrape_collector(getattr(source, "kube", None), via, timeout, concurrency)
