"""The ``--prometheus-url`` backend against a REAL Prometheus server (the Debian package's
/usr/bin/prometheus, started here on loopback), which scrapes fake vLLM pods
(prometheus_client registries on 127.0.0.1) every second while a driver records known requests.

What it proves: the PodFigures that PromQL gives (tok/s, TTFT p50/p90/p99, gauges) agree with
(a) an independent computation from the driver's inputs, within Prometheus' ``increase``
extrapolation, and (b) Prometheus' own ``histogram_quantile`` / ``rate`` over the same window;
and the number of requests per collect does not grow with pods.

Without the binary this file skips, saying why; with ``GROVE_REQUIRE_E2E=1`` (CI) it fails.
Everything is bounded: every wait has a deadline, the server is stopped at the end.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from metrics_exporters import VLLM_TTFT_BUCKETS, FakeSglangPod, FakeVllmPod, Request, drive

from grove_mcp.metrics.catalog import Quantity
from grove_mcp.metrics.discovery import Role, Target
from grove_mcp.metrics.figures import PodFigures
from grove_mcp.sources.metrics_collect import MetricsRequest
from grove_mcp.sources.prometheus import PrometheusCollector
from tools.prometheus_server import (
    PrometheusMissing,
    PrometheusServer,
    ScrapeTarget,
    find_prometheus,
)

NS = "vllm-disagg"
PODS = ("prefill-0", "decode-0")
SGLANG = "sglang-0"  # two DP schedulers × two TP ranks: only tp_rank="0" counts
GHOST = "prefill-1"  # a target pod Prometheus does not scrape
ENGINES = ("0", "1")
STEPS = 5
QUANTILES = (0.5, 0.9, 0.99)
RUNNING = {"0": 3.0, "1": 5.0}
SG_GAUGES = {"0": (4.0, 0.2), "1": (6.0, 0.6)}  # per DP scheduler: running, KV usage (TP rank 0)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("GROVE_REQUIRE_E2E") == "1":
        pytest.fail(f"GROVE_REQUIRE_E2E=1, but Prometheus cannot run: {reason}", pytrace=False)
    pytest.skip(f"real-Prometheus tests skipped: {reason}")


def _binary() -> str:
    try:
        return find_prometheus()
    except PrometheusMissing as err:
        reason = str(err)
    _unavailable(reason)


def requests(seed: int, n: int) -> list[Request]:
    rng = random.Random(seed)
    return [
        Request(
            ttft=rng.lognormvariate(-1.5, 1.0),
            prompt_tokens=rng.randint(50, 4000),
            output_tokens=rng.randint(1, 800),
            engine=ENGINES[i % len(ENGINES)],
        )
        for i in range(n)
    ]


def preload() -> list[Request]:
    """Before the window: many requests in every bucket, so each bucket's counter starts well
    above its increase in the window. Prometheus' ``increase`` then extrapolates every series of
    a pod by the same factor (no series is clipped at "counter started at zero"), which the
    tests below can bound from the raw sample times."""
    out = []
    for i, bound in enumerate((*VLLM_TTFT_BUCKETS, 5000.0)):
        for j in range(600):
            out.append(Request(bound, 4000, 800, ENGINES[(i + j) % len(ENGINES)]))
    return out


def bucket_quantile(values: Sequence[float], bounds: Sequence[float], q: float) -> float:
    """Prometheus' interpolation, on the true bucket counts of ``values`` (computed here, not by
    grove_mcp): rank q·N, linear inside the first bucket whose cumulative count reaches it."""
    counts = [sum(1 for v in values if v <= b) for b in bounds]
    rank = q * len(values)
    lower, below = 0.0, 0
    for upper, cum in zip(bounds, counts, strict=True):
        if cum >= rank:
            return lower + (upper - lower) * (rank - below) / (cum - below)
        lower, below = upper, cum
    raise AssertionError("the quantile is beyond the last bound")


@dataclass
class Scenario:
    prom: PrometheusServer
    pods: dict[str, FakeVllmPod]
    sglang: FakeSglangPod
    sglang_window: list[Request]  # per request: engine = the DP scheduler
    window: dict[str, list[Request]]  # inside the window, per pod
    before: dict[str, list[Request]]  # before it
    at: float  # the evaluation time (epoch seconds)
    seconds: int  # the window's length


def _targets(pods: Sequence[str]) -> tuple[Target, ...]:
    role = Role(None, None, None, None, None)
    return tuple(Target(p, NS, role, None, None, None, None, 1, True, None) for p in pods)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    binary = _binary()
    pods = {p: FakeVllmPod() for p in PODS}
    before = {p: preload() for p in PODS}
    window = {p: requests(20 + i, 400 + 100 * i) for i, p in enumerate(PODS)}
    for p, pod in pods.items():
        drive(pod, before[p])  # every series exists before the window
        for engine, value in RUNNING.items():
            pod.set_running(engine, value)
    sglang = FakeSglangPod()
    for r in preload():  # large counters before the window, as for the vLLM pods
        sglang.record(r.engine, r.ttft, r.prompt_tokens, r.prompt_tokens // 2, r.output_tokens)
    for dp, (running, usage) in SG_GAUGES.items():
        sglang.set_gauges(dp, running, usage, other_ranks=100.0)
    sglang_window = requests(30, 450)
    everyone: dict[str, FakeVllmPod | FakeSglangPod] = {**pods, SGLANG: sglang}
    with pods[PODS[0]].serve() as url0, pods[PODS[1]].serve() as url1, sglang.serve() as url2:
        targets = [
            ScrapeTarget(url, {"namespace": NS, "pod": p})
            for p, url in zip((*PODS, SGLANG), (url0, url1, url2), strict=True)
        ]
        workdir: Path = tmp_path_factory.mktemp("prometheus")
        with PrometheusServer(binary, targets, workdir) as prom:

            def scraped_all(extra: int) -> None:
                goal = {p: pod.scrapes + extra for p, pod in everyone.items()}
                for p, pod in everyone.items():
                    pod.wait_scrapes(goal[p], 15.0)

            scraped_all(2)  # Prometheus holds the state before the window
            start = time.time()
            scraped_all(3)  # baseline samples inside the window
            for step in range(STEPS):  # load while Prometheus scrapes: one chunk per scrape
                for p, pod in pods.items():
                    chunk = window[p][step::STEPS]
                    drive(pod, chunk)
                for r in sglang_window[step::STEPS]:
                    sglang.record(
                        r.engine, r.ttft, r.prompt_tokens, r.prompt_tokens // 2, r.output_tokens
                    )
                scraped_all(1)
            scraped_all(3)  # the last samples hold every request
            seconds = math.ceil(time.time() - start)
            at = start + seconds

            def ingested() -> bool:
                stamps = prom.query(f'timestamp(up{{namespace="{NS}"}})')
                return len(stamps) == len(everyone) and all(
                    float(s["value"][1]) >= at for s in stamps
                )

            prom.wait(ingested, 15.0, "a scrape after the window's end")
            yield Scenario(prom, pods, sglang, sglang_window, window, before, at, seconds)


def extrapolation_bound(s: Scenario, sample_name: str, pod: str) -> float:
    """Prometheus' ``increase`` scales the raw difference of the window's first and last samples
    by (window covered by extrapolation) / (time between them), at most w / (t_last - t_first):
    read the raw sample times from Prometheus, not from grove_mcp."""
    rows = s.prom.query(f'{{__name__="{sample_name}", pod="{pod}"}}[{s.seconds}s]', s.at)
    stamps = [float(t) for t, _ in rows[0]["values"]]
    return s.seconds / (max(stamps) - min(stamps))


def _collect(s: Scenario, pods: Sequence[str], since_start: bool = False) -> tuple[dict, int]:
    collector = PrometheusCollector(s.prom.url, clock=lambda: s.at)
    try:
        got = collector.collect(
            MetricsRequest(NS, _targets(pods), window=float(s.seconds), since_start=since_start)
        )
    finally:
        collector.close()
    assert got.via == f"Prometheus at {s.prom.url}"
    return dict(got.answers), collector.requests


def _figures(answers: dict, pod: str) -> PodFigures:
    fig = answers[pod]
    assert isinstance(fig, PodFigures)
    assert fig.error is None, fig.error
    return fig


def test_throughput_matches_the_driver_and_prometheus_rate(scenario: Scenario) -> None:
    answers, _ = _collect(scenario, [*PODS, GHOST])
    w = scenario.seconds
    for pod in PODS:
        fig = _figures(answers, pod)
        assert fig.engine.value == "vllm"
        assert fig.seconds == w
        factors = []
        for quantity, field in (
            (Quantity.output_tokens, "output_tokens"),
            (Quantity.input_tokens, "prompt_tokens"),
        ):
            f = fig.get(quantity)
            assert f is not None and f.counter is not None and f.per_second is not None
            ours = f.per_second
            truth = sum(getattr(r, field) for r in scenario.window[pod]) / w
            # (b) Prometheus' own rate() over the same window, summed over the pod's series
            theirs = scenario.prom.scalar(
                f'sum(rate({{__name__="{f.metric}", pod="{pod}"}}[{w}s]))', scenario.at
            )
            bound = extrapolation_bound(scenario, f.metric, pod)
            print(
                f"{pod} {quantity.value} ({f.metric}, w={w}s): ours {ours:.3f}/s, "
                f"rate() {theirs:.3f}/s, driver {truth:.3f}/s, ratio {ours / truth:.4f} "
                f"(extrapolation bound {bound:.4f})"
            )
            assert ours == pytest.approx(theirs, rel=1e-9)
            # (a) the driver's figure, scaled by increase()'s extrapolation to the edges
            assert truth * (1 - 1e-9) <= ours <= truth * bound * (1 + 1e-9)
            assert f.counter.series == len(ENGINES)
            factors.append(ours / truth)
        # every series of a pod shares its scrape times: one factor for all of them
        assert factors[0] == pytest.approx(factors[1], rel=1e-6)


def test_ttft_quantiles_match_the_driver_and_histogram_quantile(scenario: Scenario) -> None:
    answers, _ = _collect(scenario, list(PODS))
    w = scenario.seconds
    for pod in PODS:
        fig = _figures(answers, pod)
        f = fig.get(Quantity.ttft)
        assert f is not None and f.histogram is not None
        h = f.histogram
        assert [b for b, _ in h.buckets] == [*VLLM_TTFT_BUCKETS, math.inf]
        values = [r.ttft for r in scenario.window[pod]]
        n = len(values)
        bound = extrapolation_bound(scenario, f.metric + "_count", pod)
        assert n * (1 - 1e-9) <= h.observations <= n * bound * (1 + 1e-9)
        assert h.mean == pytest.approx(sum(values) / n, rel=1e-6)  # the factor cancels
        for q in QUANTILES:
            ours = h.quantile(q)
            assert ours is not None and not ours.at_least
            theirs = scenario.prom.scalar(
                f"histogram_quantile({q}, sum by (le) "
                f'(rate({{__name__="{f.metric}_bucket", pod="{pod}"}}[{w}s])))',
                scenario.at,
            )
            truth = bucket_quantile(values, VLLM_TTFT_BUCKETS, q)
            exact = sorted(values)[max(1, math.ceil(q * n)) - 1]
            print(
                f"{pod} TTFT p{q * 100:g}: ours {ours.value:.5f}s, histogram_quantile "
                f"{theirs:.5f}s, driver buckets {truth:.5f}s, exact {exact:.5f}s"
            )
            assert ours.value == pytest.approx(theirs, rel=1e-9)
            # every bucket is scaled by the same factor, so the interpolation is the driver's
            assert ours.value == pytest.approx(truth, rel=1e-6)
            # and the observation of that rank lies in the bucket found
            assert ours.lower < exact <= ours.upper


def test_gauges_and_the_pod_without_series(scenario: Scenario) -> None:
    answers, _ = _collect(scenario, [*PODS, GHOST])
    for pod in PODS:
        g = _figures(answers, pod).get(Quantity.running)
        assert g is not None and g.gauge is not None
        assert g.gauge.average == pytest.approx(sum(RUNNING.values()))
        assert g.gauge.maximum == pytest.approx(sum(RUNNING.values()))
        assert g.gauge.samples >= 3
    ghost = answers[GHOST]
    assert isinstance(ghost, PodFigures)
    assert ghost.error == (
        f"Prometheus has no series for pod {GHOST} in namespace {NS}: is it scraped? "
        "(its job must attach namespace/pod labels)"
    )


def test_requests_do_not_grow_with_pods(scenario: Scenario) -> None:
    _, one = _collect(scenario, PODS[:1])
    _, three = _collect(scenario, [*PODS, GHOST])
    _, sglang = _collect(scenario, [SGLANG])
    _, everyone = _collect(scenario, [*PODS, SGLANG, GHOST])
    print(f"requests per collect: 1 vLLM pod {one}, 2 vLLM pods + 1 unscraped {three}, ")
    print(f"1 SGLang pod {sglang}, all four {everyone}")
    assert one == three  # the same reads for more pods: no more requests
    # the names query, SGLang's tp_rank query, one per distinct metric read
    assert everyone == one + sglang - 1
    assert everyone <= 12


def test_sglang_counts_tp_rank_0_and_the_modes_it_should(scenario: Scenario) -> None:
    answers, _ = _collect(scenario, [SGLANG])
    fig = _figures(answers, SGLANG)
    assert fig.engine.value == "sglang"
    w = scenario.seconds
    window = scenario.sglang_window
    expected = {
        Quantity.output_tokens: sum(r.output_tokens for r in window) / w,
        Quantity.input_tokens: sum(r.prompt_tokens + r.prompt_tokens // 2 for r in window) / w,
    }
    for quantity, truth in expected.items():
        f = fig.get(quantity)
        assert f is not None and f.counter is not None and f.per_second is not None
        bound = extrapolation_bound(scenario, f.metric, SGLANG)
        print(
            f"{SGLANG} {quantity.value} ({f.metric}): ours {f.per_second:.3f}/s, driver "
            f"{truth:.3f}/s (ratio {f.per_second / truth:.4f}, bound {bound:.4f})"
        )
        # TP rank 1 would double it; the wrong modes would add the other mode's tokens
        assert truth * (1 - 1e-9) <= f.per_second <= truth * bound * (1 + 1e-9)
    ttft = fig.get(Quantity.ttft)
    assert ttft is not None and ttft.histogram is not None
    h = ttft.histogram
    values = [r.ttft for r in window]
    assert h.mean == pytest.approx(sum(values) / len(values), rel=1e-6)
    p99 = h.quantile(0.99)
    assert p99 is not None
    assert p99.value == pytest.approx(bucket_quantile(values, VLLM_TTFT_BUCKETS, 0.99), rel=1e-6)
    running, kv = fig.get(Quantity.running), fig.get(Quantity.kv_usage)
    assert running is not None and running.gauge is not None
    assert kv is not None and kv.gauge is not None
    assert running.gauge.average == pytest.approx(sum(r for r, _ in SG_GAUGES.values()))
    # KV usage is the mean over the schedulers (GAUGE_COMBINE), TP rank 0 only
    assert kv.gauge.average == pytest.approx(0.4)
    assert kv.gauge.maximum == pytest.approx(0.4)


def test_since_start_reads_current_values(scenario: Scenario) -> None:
    answers, _ = _collect(scenario, list(PODS), since_start=True)
    for pod in PODS:
        fig = _figures(answers, pod)
        total = scenario.before[pod] + scenario.window[pod]
        out = fig.get(Quantity.output_tokens)
        assert out is not None and out.counter is not None
        assert out.counter.delta == sum(r.output_tokens for r in total)
        ttft = fig.get(Quantity.ttft)
        assert ttft is not None and ttft.histogram is not None
        assert ttft.histogram.observations == len(total)
        # these exporters serve no process_start_time_seconds: no lifetime to divide by
        assert fig.seconds == 0.0
        assert any("process_start_time_seconds" in n for n in fig.notes)
