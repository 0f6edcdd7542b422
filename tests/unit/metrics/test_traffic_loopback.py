"""The traffic the report observes (issue 18 step 1), end to end on loopback: the 'healthy'
scenario's engine pods (and, for Dynamo, its router pods turned into frontends) point at real
exporters serving each engine's real names; the collector scrapes them over HTTP, the test
records known requests between its first and last scrape. Expected ISL/OSL statistics, request
rates, hit rates and concurrency are computed here from the recorded requests and the buckets
the exporters serve, never from our output."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import replace

import pytest
from metrics_exporters import (
    DYNAMO_OSL_BUCKETS,
    TRAFFIC_NAMES,
    FakeTrafficPod,
    Served,
    interpolated,
)

from grove_mcp.core import capability
from grove_mcp.performance.metrics import MetricsArgs, build_metrics, metrics_targets, scraped
from grove_mcp.reports.metrics import MetricsReport, TokenDistribution
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.snapshot import fetch_snapshot
from grove_mcp.sources.bundle import BundleSource
from grove_mcp.sources.metrics_collect import MetricsRequest, PodSamples, ScrapeCollector
from grove_mcp.sources.scrape import DirectFetcher

PCS = "my-inference"


def served(seed: int, n: int, isl: int, osl: int, cached: float = 0.0) -> list[Served]:
    """n requests around ``isl`` / ``osl`` tokens; a share ``cached`` of each prompt cached."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        prompt = max(1, round(rng.lognormvariate(0, 0.4) * isl))
        out.append(
            Served(prompt, max(1, round(rng.lognormvariate(0, 0.4) * osl)), round(prompt * cached))
        )
    return out


class World:
    """Every running prefill/decode pod served by a :class:`FakeTrafficPod` of its role's
    engine; with ``frontend``, the router pods run ``python -m dynamo.frontend`` and serve
    the frontend's figures."""

    def __init__(self, stack: ExitStack, engines: dict[str, str], frontend: bool = False) -> None:
        bundle = SCENARIOS["healthy"]()
        self.pods: dict[str, FakeTrafficPod] = {}
        self.roles: dict[str, str] = {}
        objects = []
        for obj in bundle.objects:
            obj = copy.deepcopy(obj)
            name = obj["metadata"]["name"]
            role = next((r for r in ("prefill", "decode", "router") if f"-{r}-" in name), None)
            running = obj["kind"] == "Pod" and obj["status"].get("phase") == "Running"
            if running and (role in engines or (role == "router" and frontend)):
                engine = "frontend" if role == "router" else engines[role]
                pod = FakeTrafficPod(engine)
                url = stack.enter_context(pod.serve())
                obj["status"]["podIP"] = "127.0.0.1"
                port = url.split(":")[2].split("/")[0]
                obj["metadata"].setdefault("annotations", {})["prometheus.io/port"] = port
                if engine == "frontend":  # Dynamo's frontend: its port named http (A.4)
                    container = obj["spec"]["containers"][0]
                    container["args"] = ["python3", "-m", "dynamo.frontend"]
                    container["ports"] = [{"name": "http", "containerPort": int(port)}]
                self.pods[name], self.roles[name] = pod, role
            objects.append(obj)
        source = BundleSource(replace(bundle, objects=tuple(objects)), "loopback")
        request = capability("metrics").snapshot_request(bundle.manifest.namespace, PCS)
        assert request is not None
        self.snapshot = fetch_snapshot(source, request)
        self.seconds: dict[str, float] = {}

    def of(self, role: str) -> list[str]:
        return sorted(p for p, r in self.roles.items() if r == role)

    def collect(self, load: dict[str, list[Served]]) -> MetricsReport:
        """One window of two scrapes; ``load`` is recorded between them."""
        args = MetricsArgs(window=1.0, scrapes=2, timeout=5.0)
        targets = tuple(t for t in metrics_targets(self.snapshot, PCS, args) if scraped(t))

        def on_progress(fraction: float, _line: str) -> None:
            if fraction < 1:
                for pod, reqs in load.items():
                    self.pods[pod].record(reqs)

        request = MetricsRequest(self.snapshot.namespace, targets, 1.0, 2, on_progress=on_progress)
        collector = ScrapeCollector(DirectFetcher(timeout=5.0), "the pod IPs")
        try:
            collected = collector.collect(request)
        finally:
            collector.close()
        for pod, answer in collected.answers.items():
            if isinstance(answer, PodSamples) and answer.samples:
                self.seconds[pod] = answer.samples[-1][0] - answer.samples[0][0]
        return build_metrics(self.snapshot, PCS, args, collected)


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as s:
        yield s


def check(
    dist: TokenDistribution | None, values: list[int], bounds: Sequence[float], source: str
) -> None:
    """A distribution against the recorded values: exact mean, p50/p90 as interpolated."""
    assert dist is not None
    assert dist.requests == len(values)
    assert dist.mean == pytest.approx(sum(values) / len(values), rel=1e-12)
    assert dist.p50 == pytest.approx(interpolated(values, 0.5, bounds), rel=1e-12)
    assert dist.p90 == pytest.approx(interpolated(values, 0.9, bounds), rel=1e-12)
    assert dist.source == source


def test_vllm_disagg_reads_isl_from_prefill_and_osl_from_decode(stack: ExitStack) -> None:
    """A disaggregated vLLM prefill worker generates 1 token per request: OSL must come from
    decode alone, each request counted once; the hit rate is Δhits ÷ Δqueries of prefill."""
    world = World(stack, {"prefill": "vllm", "decode": "vllm"})
    bounds = TRAFFIC_NAMES["vllm"][2]  # type: ignore[index]
    load: dict[str, list[Served]] = {}
    for i, pod in enumerate(world.of("prefill")):
        load[pod] = [replace(s, output_tokens=1) for s in served(i, 60, 3000, 400, cached=0.25)]
    for i, pod in enumerate(world.of("decode")):
        load[pod] = served(100 + i, 60, 3000, 400)
    for i, pod in enumerate(world.of("decode")):
        world.pods[pod].set_gauges(running=10 + i)
    report = world.collect(load)
    t = report.traffic

    prefill = [s for p in world.of("prefill") for s in load[p]]
    decode = [s for p in world.of("decode") for s in load[p]]
    check(t.isl, [s.prompt_tokens for s in prefill], bounds, "the prefill engines")
    check(t.osl, [s.output_tokens for s in decode], bounds, "the decode engines")
    assert t.osl is not None and t.osl.mean is not None and t.osl.mean > 100  # never prefill's 1
    hits = sum(s.cached_tokens for s in prefill)
    assert t.prefix_cache_hit_rate == pytest.approx(hits / sum(s.prompt_tokens for s in prefill))
    assert t.prefix_cache_metric and "vllm:prefix_cache_hits" in t.prefix_cache_metric
    rate = sum(len(load[p]) / world.seconds[p] for p in world.of("decode"))
    assert t.requests_per_second == pytest.approx(rate, rel=1e-9)
    assert "the decode engines" in t.requests_source
    assert t.concurrency == pytest.approx(sum(10 + i for i in range(len(world.of("decode")))))
    assert t.not_observed == []


def test_sglang_counts_tp_rank_0_only(stack: ExitStack) -> None:
    world = World(stack, {"prefill": "sglang", "decode": "sglang"})
    bounds = TRAFFIC_NAMES["sglang"][2]  # type: ignore[index]
    load = {p: served(i, 50, 5000, 300) for i, p in enumerate(sorted(world.pods))}
    rates = {p: 0.2 + 0.1 * i for i, p in enumerate(world.of("prefill"))}
    for p, r in rates.items():
        world.pods[p].set_gauges(running=3, hit_rate=r)
    report = world.collect(load)
    t = report.traffic
    check(
        t.isl,
        [s.prompt_tokens for p in world.of("prefill") for s in load[p]],
        bounds,
        "the prefill engines",
    )
    check(
        t.osl,
        [s.output_tokens for p in world.of("decode") for s in load[p]],
        bounds,
        "the decode engines",
    )
    assert t.prefix_cache_hit_rate == pytest.approx(sum(rates.values()) / len(rates))
    assert t.prefix_cache_metric and t.prefix_cache_metric.startswith("sglang:cache_hit_rate")
    rate = sum(len(load[p]) / world.seconds[p] for p in world.of("decode"))
    assert t.requests_per_second == pytest.approx(rate, rel=1e-9)  # rank 1 not added


def test_dynamo_frontend_counts_each_request_once(stack: ExitStack) -> None:
    """With a frontend read, ISL, OSL, rate and concurrency are the frontend's; the engines'
    own histograms (which see the same requests again) are not added."""
    world = World(stack, {"prefill": "vllm", "decode": "vllm"}, frontend=True)
    fronts = world.of("router")
    assert fronts
    load = {p: served(i, 40, 2000, 800) for i, p in enumerate(fronts)}
    for p in world.of("prefill") + world.of("decode"):  # the same requests, seen again
        load[p] = served(7, 40, 2000, 800)
    for p in fronts:
        world.pods[p].set_gauges(running=12)
    report = world.collect(load)
    t = report.traffic
    front = [s for p in fronts for s in load[p]]
    check(
        t.isl,
        [s.prompt_tokens for s in front],
        TRAFFIC_NAMES["frontend"][2],  # type: ignore[index]
        "the Dynamo frontend",
    )
    check(t.osl, [s.output_tokens for s in front], DYNAMO_OSL_BUCKETS, "the Dynamo frontend")
    rate = sum(len(load[p]) / world.seconds[p] for p in fronts)
    assert t.requests_per_second == pytest.approx(rate, rel=1e-9)
    assert t.concurrency == pytest.approx(12 * len(fronts))
    assert "Dynamo frontend" in t.concurrency_source


def test_trtllm_behind_the_frontend_takes_lengths_from_it_and_hits_from_the_engine(
    stack: ExitStack,
) -> None:
    world = World(stack, {"prefill": "trtllm", "decode": "trtllm"}, frontend=True)
    fronts = world.of("router")
    load = {p: served(20 + i, 30, 8000, 200) for i, p in enumerate(fronts)}
    rates = {p: 0.1 * (i + 1) for i, p in enumerate(world.of("prefill"))}
    for p, r in rates.items():
        world.pods[p].set_gauges(running=2, hit_rate=r)
    report = world.collect(load)
    t = report.traffic
    front = [s for p in fronts for s in load[p]]
    check(
        t.isl,
        [s.prompt_tokens for s in front],
        TRAFFIC_NAMES["frontend"][2],  # type: ignore[index]
        "the Dynamo frontend",
    )
    assert t.prefix_cache_hit_rate == pytest.approx(sum(rates.values()) / len(rates))
    assert t.prefix_cache_metric and "trtllm_kv_cache_hit_rate" in t.prefix_cache_metric


def test_trtllm_alone_says_isl_and_osl_are_not_observed(stack: ExitStack) -> None:
    world = World(stack, {"prefill": "trtllm", "decode": "trtllm"})
    report = world.collect({p: served(1, 5, 100, 10) for p in world.pods})
    t = report.traffic
    assert t.isl is None and t.osl is None
    isl, osl = (next(n for n in t.not_observed if n.startswith(w)) for w in ("ISL", "OSL"))
    assert "prefill" in isl and "trtllm" in isl and "Dynamo frontend" in isl
    assert "decode" in osl
    assert t.requests_per_second is not None  # the request counter still counts
