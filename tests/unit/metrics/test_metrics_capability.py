"""The metrics report end to end on loopback: a scenario's engine pods point (pod IP 127.0.0.1,
``prometheus.io/port``) at real exporters; the collector scrapes them over HTTP with its own
schedule, the test drives a known load between its first and last scrape (from the collector's
progress callback: no sleeps), and the report's figures are checked against figures computed
here from the driver's inputs."""

from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace

import pytest
from metrics_exporters import VLLM_TTFT_BUCKETS, FakeVllmPod, Request, drive, interpolated
from test_metrics_loopback import exact_quantile, requests

from grove_mcp.core import capability
from grove_mcp.performance.metrics import MetricsArgs, build_metrics, metrics_targets, scraped
from grove_mcp.reports.metrics import MetricsReport
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.snapshot import fetch_snapshot
from grove_mcp.sources.bundle import BundleSource
from grove_mcp.sources.metrics_collect import (
    Collected,
    MetricsRequest,
    PodSamples,
    ScrapeCollector,
)
from grove_mcp.sources.scrape import DirectFetcher

PCS = "my-inference"


class World:
    """The 'healthy' scenario with every running engine pod served by a loopback exporter;
    ``collected`` is the last window read."""

    collected: Collected

    def __init__(self, stack: ExitStack) -> None:
        bundle = SCENARIOS["healthy"]()
        self.exporters: dict[str, FakeVllmPod] = {}
        objects = []
        for obj in bundle.objects:
            obj = copy.deepcopy(obj)
            name = obj["metadata"]["name"]
            engine = any(role in name for role in ("-prefill-", "-decode-"))
            if obj["kind"] == "Pod" and engine and obj["status"].get("phase") == "Running":
                pod = FakeVllmPod()
                url = stack.enter_context(pod.serve())
                port = url.split(":")[2].split("/")[0]
                obj["status"]["podIP"] = "127.0.0.1"
                obj["metadata"].setdefault("annotations", {})["prometheus.io/port"] = port
                self.exporters[name] = pod
            objects.append(obj)
        self.source = BundleSource(replace(bundle, objects=tuple(objects)), "loopback")
        request = capability("metrics").snapshot_request(bundle.manifest.namespace, PCS)
        assert request is not None
        self.snapshot = fetch_snapshot(self.source, request)

    def role(self, pod: str) -> str:
        return "prefill" if "-prefill-" in pod else "decode"


@pytest.fixture
def world() -> Iterator[World]:
    with ExitStack() as stack:
        yield World(stack)


def collect(world: World, load: dict[str, list[Request]], window: float = 1.0) -> MetricsReport:
    """One window; ``load`` is observed right after the first scrape round."""
    args = MetricsArgs(window=window, scrapes=2, timeout=5.0)
    targets = tuple(t for t in metrics_targets(world.snapshot, PCS, args) if scraped(t))

    def on_progress(fraction: float, _line: str) -> None:
        if fraction < 1:  # after the first round, before the last
            for pod, reqs in load.items():
                drive(world.exporters[pod], reqs)

    request = MetricsRequest(world.snapshot.namespace, targets, window, 2, on_progress=on_progress)
    collector = ScrapeCollector(DirectFetcher(timeout=5.0), "the pod IPs")
    try:
        collected = world.collected = collector.collect(request)
    finally:
        collector.close()
    return build_metrics(world.snapshot, PCS, args, collected)


def driven_rate(world: World, load: dict[str, list[Request]], role: str, tokens: str) -> float:
    """Tokens per second the report must show: each pod's driven tokens over that pod's own
    scrape interval (pods are scraped one after another, so on a busy machine the intervals
    differ), summed over the role's pods."""
    rate = 0.0
    for pod, reqs in load.items():
        if world.role(pod) == role:
            answer = world.collected.answers[pod]
            assert isinstance(answer, PodSamples)
            seconds = answer.samples[-1][0] - answer.samples[0][0]
            rate += sum(getattr(r, tokens) for r in reqs) / seconds
    return rate


def test_throughput_and_latency_are_the_driven_load(world: World) -> None:
    load = {pod: requests(i, 150) for i, pod in enumerate(sorted(world.exporters))}
    report = collect(world, load)

    ttfts = [r.ttft for p, rs in load.items() if world.role(p) == "prefill" for r in rs]
    t = report.throughput
    assert t.output_tokens_per_second is not None and t.input_tokens_per_second is not None
    out_rate = driven_rate(world, load, "decode", "output_tokens")
    assert t.output_tokens_per_second == pytest.approx(out_rate, rel=1e-6)
    assert t.input_tokens_per_second == pytest.approx(
        driven_rate(world, load, "prefill", "prompt_tokens"), rel=1e-6
    )
    # and the report's window is the pods' own, within 5% (on an idle machine within 1%)
    assert t.output_tokens_per_second * report.window_seconds == pytest.approx(
        sum(r.output_tokens for p, rs in load.items() if world.role(p) == "decode" for r in rs),
        rel=0.05,
    )
    assert t.gpus == sum(
        tg.gpus for tg in metrics_targets(world.snapshot, PCS, MetricsArgs()) if tg.holds_gpus
    )
    assert t.output_tokens_per_second_per_gpu == pytest.approx(t.output_tokens_per_second / t.gpus)
    assert report.ttft is not None and report.ttft.source == "the prefill engines"
    for q, got in ((0.5, report.ttft.p50), (0.9, report.ttft.p90), (0.99, report.ttft.p99)):
        assert got is not None and not got.at_least
        assert got.ms == pytest.approx(interpolated(ttfts, q, VLLM_TTFT_BUCKETS) * 1000, rel=1e-9)
        exact = exact_quantile(ttfts, q)
        lower = max([0.0] + [b for b in VLLM_TTFT_BUCKETS if b < exact])
        upper = min(b for b in VLLM_TTFT_BUCKETS if b >= exact)
        assert lower * 1000 <= got.ms <= upper * 1000  # the true value's bucket
    assert report.ttft.mean_ms == pytest.approx(sum(ttfts) / len(ttfts) * 1000, rel=1e-9)
    assert all(p.read for p in report.pods if p.pod in world.exporters)
    assert report.summary.ok  # the healthy scenario stores no plan: nothing to miss


def test_a_pod_that_stops_answering_leaves_a_partial_report_naming_it(world: World) -> None:
    prefill = sorted(p for p in world.exporters if world.role(p) == "prefill")
    gone, kept = prefill[0], prefill[1:]
    world.exporters = {p: e for p, e in world.exporters.items() if p != gone}
    load = {p: requests(7, 40) for p in kept}
    report = collect(_without(world, gone), load)
    row = next(p for p in report.pods if p.pod == gone)
    assert not row.read and row.error and gone in row.error
    assert any(gone in n for n in report.notes)
    ttfts = [r.ttft for p in kept for r in load[p]]
    assert report.ttft is not None and report.ttft.p99 is not None
    assert report.ttft.p99.ms == pytest.approx(
        interpolated(ttfts, 0.99, VLLM_TTFT_BUCKETS) * 1000, rel=1e-9
    )
    assert "pods read" in report.summary.text


def _without(world: World, pod: str) -> World:
    """The world with ``pod`` pointed at a port where nothing listens."""
    with socket.socket() as s:  # a port that was free a moment ago, now closed again
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    objects = []
    for obj in world.source.bundle.objects:
        if obj["metadata"]["name"] == pod:
            obj = copy.deepcopy(obj)
            obj["metadata"]["annotations"]["prometheus.io/port"] = str(dead)
        objects.append(obj)
    world.source = BundleSource(replace(world.source.bundle, objects=tuple(objects)), "loopback")
    request = capability("metrics").snapshot_request(world.snapshot.namespace, PCS)
    assert request is not None
    world.snapshot = fetch_snapshot(world.source, request)
    return world


def test_since_start_reads_once_without_waiting(world: World) -> None:
    for i, pod in enumerate(sorted(world.exporters)):
        drive(world.exporters[pod], requests(i, 30))
    args = MetricsArgs(since_start=True)
    targets = tuple(t for t in metrics_targets(world.snapshot, PCS, args) if scraped(t))
    request = MetricsRequest(world.snapshot.namespace, targets, since_start=True)
    collector = ScrapeCollector(DirectFetcher(timeout=5.0), "the pod IPs")
    try:
        collected = collector.collect(request)
    finally:
        collector.close()
    assert all(len(a.samples) == 1 for a in collected.answers.values())  # type: ignore[union-attr]
    report = build_metrics(world.snapshot, PCS, args, collected)
    assert report.since_start
    ttfts = [
        r.ttft
        for i, p in enumerate(sorted(world.exporters))
        if world.role(p) == "prefill"
        for r in requests(i, 30)
    ]
    assert report.ttft is not None and report.ttft.observations == len(ttfts)
