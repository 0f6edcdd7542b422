"""Fake inference pods for tests: real prometheus_client registries with vLLM's metric names
and buckets (inference-metrics.md A.1), served over HTTP on 127.0.0.1, a load driver that
observes known values, and :func:`interpolated` for the quantiles tests expect of them.

Each :class:`FakeVllmPod` owns one ``CollectorRegistry``; ``restart()`` swaps the metrics for
fresh ones (counters back to 0, new ``_created`` times) behind the same HTTP endpoint, as a
restarted engine process would. :func:`drive` records a finite list of requests and returns;
nothing here loops on its own.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from grove_mcp.metrics.exposition import Scrape, parse_exposition

# vLLM's default TTFT buckets (A.1)
VLLM_TTFT_BUCKETS = (
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0,
    2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0,
)  # fmt: skip

TEXT_FORMAT = "text/plain;version=0.0.4"
OPENMETRICS = "application/openmetrics-text;version=1.0.0"


@dataclass(frozen=True)
class Request:
    """One finished request as the engine records it."""

    ttft: float
    prompt_tokens: int
    output_tokens: int
    engine: str = "0"


class _Current(Collector):
    """Delegates to the pod's current metrics, so a restart keeps the endpoint."""

    def __init__(self, pod: FakeVllmPod) -> None:
        self.pod = pod

    def collect(self) -> Iterable[Metric]:
        metrics = list(self.pod.inner.collect())
        self.pod.scraped()
        return metrics


class FakeVllmPod:
    def __init__(self, model: str = "Qwen/Qwen3-32B") -> None:
        self.model = model
        self.registry = CollectorRegistry(auto_describe=False)
        self._scrapes = 0
        self._scraped = threading.Condition()
        self.registry.register(_Current(self))
        self._fresh()

    def scraped(self) -> None:
        """Called once per exposition served (a scrape, ours or a Prometheus server's)."""
        with self._scraped:
            self._scrapes += 1
            self._scraped.notify_all()

    @property
    def scrapes(self) -> int:
        with self._scraped:
            return self._scrapes

    def wait_scrapes(self, count: int, seconds: float = 10.0) -> int:
        """Until ``count`` expositions have been served in all; TimeoutError after ``seconds``."""
        with self._scraped:
            if not self._scraped.wait_for(lambda: self._scrapes >= count, seconds):
                raise TimeoutError(
                    f"{self._scrapes} scrapes after {seconds:g}s, waited for {count}"
                )
            return self._scrapes

    def _fresh(self) -> None:
        self.inner = CollectorRegistry()
        labels = ("model_name", "engine")
        self.ttft = Histogram(
            "vllm:time_to_first_token_seconds",
            "Histogram of time to first token in seconds.",
            labels,
            buckets=VLLM_TTFT_BUCKETS,
            registry=self.inner,
        )
        self.prompt = Counter(
            "vllm:prompt_tokens", "Number of prefill tokens processed.", labels, registry=self.inner
        )
        self.generation = Counter(
            "vllm:generation_tokens",
            "Number of generation tokens processed.",
            labels,
            registry=self.inner,
        )
        self.running = Gauge(
            "vllm:num_requests_running",
            "Number of requests in model execution batches.",
            labels,
            registry=self.inner,
        )

    def restart(self) -> None:
        """The engine process restarted: every metric starts again from zero."""
        self._fresh()

    def set_running(self, engine: str, value: float) -> None:
        self.running.labels(self.model, engine).set(value)

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve /metrics on 127.0.0.1 on a free port; yields the URL; stops the server after."""
        server, thread = start_http_server(0, addr="127.0.0.1", registry=self.registry)
        try:
            yield f"http://127.0.0.1:{server.server_port}/metrics"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


def drive(pod: FakeVllmPod, requests: Sequence[Request]) -> None:
    """Record each request once, as vLLM does when it finishes."""
    for r in requests:
        pod.ttft.labels(pod.model, r.engine).observe(r.ttft)
        pod.prompt.labels(pod.model, r.engine).inc(r.prompt_tokens)
        pod.generation.labels(pod.model, r.engine).inc(r.output_tokens)


def scrape(client: httpx.Client, url: str, accept: str = TEXT_FORMAT) -> Scrape:
    """One scrape over HTTP, stamped with the monotonic midpoint of the request (B.1)."""
    start = time.monotonic()
    response = client.get(url, headers={"Accept": accept})
    end = time.monotonic()
    response.raise_for_status()
    return parse_exposition(response.text, time=(start + end) / 2, source=url)


class FakeSglangPod:
    """An SGLang server with two data-parallel schedulers of two TP ranks each: every TP rank
    reports the same figures (A.2), so only ``tp_rank="0"`` may count."""

    DP = ("0", "1")
    TP = ("0", "1")

    def __init__(self, model: str = "Qwen/Qwen3-32B") -> None:
        self.model = model
        self._scrapes = 0
        self._scraped = threading.Condition()
        self.registry = CollectorRegistry(auto_describe=False)
        inner = CollectorRegistry()
        labels = ("model_name", "engine_type", "tp_rank", "dp_rank")
        self.tokens = Counter(
            "sglang:realtime_tokens",
            "Tokens processed, by mode.",
            (*labels, "mode"),
            registry=inner,
        )
        self.ttft = Histogram(  # tokenizer-side: model_name only, once per request (A.2)
            "sglang:time_to_first_token_seconds",
            "Histogram of time to first token in seconds.",
            ("model_name",),
            buckets=VLLM_TTFT_BUCKETS,
            registry=inner,
        )
        self.running = Gauge("sglang:num_running_reqs", "Running requests.", labels, registry=inner)
        self.usage = Gauge("sglang:token_usage", "KV-cache token usage.", labels, registry=inner)
        self.inner = inner
        self.registry.register(_Current(self))  # type: ignore[arg-type]

    scraped = FakeVllmPod.scraped
    scrapes = FakeVllmPod.scrapes
    wait_scrapes = FakeVllmPod.wait_scrapes
    serve = FakeVllmPod.serve

    def _labels(self, dp: str, tp: str) -> tuple[str, str, str, str]:
        return (self.model, "unified", tp, dp)

    def record(self, dp: str, ttft: float, prefill: int, cached: int, decode: int) -> None:
        """One finished request on scheduler ``dp``, reported identically by every TP rank."""
        self.ttft.labels(self.model).observe(ttft)
        for tp in self.TP:
            labels = self._labels(dp, tp)
            self.tokens.labels(*labels, "prefill_compute").inc(prefill)
            self.tokens.labels(*labels, "prefill_cache").inc(cached)
            self.tokens.labels(*labels, "decode").inc(decode)

    def set_gauges(self, dp: str, running: float, usage: float, other_ranks: float) -> None:
        """TP rank 0 reports ``running``/``usage``; the other ranks ``other_ranks`` (which a
        correct reader never sees)."""
        for tp in self.TP:
            labels = self._labels(dp, tp)
            self.running.labels(*labels).set(running if tp == "0" else other_ranks)
            self.usage.labels(*labels).set(usage if tp == "0" else other_ranks)


# --- the traffic a deployment serves (issue 18): per-request token histograms, cache hits ----

# vLLM's per-request token buckets: the 1-2-5 series (A.1), here up to 20,000
VLLM_TOKEN_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)
# Dynamo's INPUT_SEQUENCE / OUTPUT_SEQUENCE bounds: log-spaced with a leading 0 (A.4)
DYNAMO_ISL_BUCKETS = (0, 50, 100, 200, 410, 830, 1700, 3400, 6900, 14000, 29000, 59000, 128000)
DYNAMO_OSL_BUCKETS = (0, 50, 100, 200, 390, 770, 1500, 3000, 6100, 12000, 32000)
# SGLang's are configurable (--prompt-tokens-buckets, A.2)
SGLANG_TOKEN_BUCKETS = (100, 300, 500, 1000, 2000, 3000, 4000, 6000, 8000, 10000, 15000, 20000)


@dataclass(frozen=True)
class Served:
    """One request as a traffic exporter records it: its lengths and its prefix-cache hits."""

    prompt_tokens: int
    output_tokens: int
    cached_tokens: int = 0
    ttft: float | None = None  # seconds to the first token (None: the engine does not see it)
    itl: float | None = None  # seconds between output tokens (one gap per token after the first)


#: Per engine: ISL and OSL histograms with their buckets (None: the engine serves none).
TRAFFIC_NAMES = {
    "vllm": ("vllm:request_prompt_tokens", "vllm:request_generation_tokens", VLLM_TOKEN_BUCKETS),
    "sglang": (
        "sglang:prompt_tokens_histogram",
        "sglang:generation_tokens_histogram",
        SGLANG_TOKEN_BUCKETS,
    ),
    "trtllm": None,
    "frontend": (
        "dynamo_frontend_input_sequence_tokens",
        "dynamo_frontend_output_sequence_tokens",
        DYNAMO_ISL_BUCKETS,
    ),
}


# SGLang's default TTFT and ITL buckets (A.2); vLLM's ITL buckets (A.1)
SGLANG_TTFT_BUCKETS = (
    0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400,
)  # fmt: skip
SGLANG_ITL_BUCKETS = (
    0.002, 0.004, 0.006, 0.008, 0.010, 0.015, 0.020, 0.025, 0.030, 0.035, 0.040, 0.060,
    0.080, 0.100, 0.200, 0.400, 0.600, 0.800, 1, 2, 4, 6, 8,
)  # fmt: skip
VLLM_ITL_BUCKETS = (
    0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80,
)  # fmt: skip

#: Per engine: the TTFT histogram and the inter-token one with their buckets (A.1-A.5).
#: TRT-LLM serves no ITL histogram: its per-request TPOT (one observation per request) instead.
#: Dynamo's and TRT-LLM's bounds are configurable: SGLang's defaults here.
LATENCY_NAMES = {
    "vllm": (
        ("vllm:time_to_first_token_seconds", VLLM_TTFT_BUCKETS),
        ("vllm:inter_token_latency_seconds", VLLM_ITL_BUCKETS),
    ),
    "sglang": (
        ("sglang:time_to_first_token_seconds", SGLANG_TTFT_BUCKETS),
        ("sglang:inter_token_latency_seconds", SGLANG_ITL_BUCKETS),
    ),
    "trtllm": (
        ("trtllm_time_to_first_token_seconds", SGLANG_TTFT_BUCKETS),
        ("trtllm_time_per_output_token_seconds", SGLANG_ITL_BUCKETS),
    ),
    "frontend": (
        ("dynamo_frontend_time_to_first_token_seconds", SGLANG_TTFT_BUCKETS),
        ("dynamo_frontend_inter_token_latency_seconds", SGLANG_ITL_BUCKETS),
    ),
}


def interpolated(values: Sequence[float], q: float, bounds: Sequence[float]) -> float:
    """histogram_quantile from its definition (inference-metrics.md B.3): count per bucket
    (le: ≤ the bound), find the bucket holding rank q·N, interpolate linearly from its lower
    bound (0 for the first); a bound ≤ 0 is the answer itself."""
    counts = [0] * (len(bounds) + 1)
    for v in values:
        counts[bisect.bisect_left(bounds, v)] += 1
    rank, seen = q * len(values), 0
    for i, c in enumerate(counts[:-1]):
        if seen + c >= rank and c:
            lower = bounds[i - 1] if i else 0.0
            if bounds[i] <= 0:
                return bounds[i]
            return lower + (bounds[i] - lower) * (rank - seen) / c
        seen += c
    raise AssertionError("the test's load stays under the last finite bound")


def itl_observations(s: Served) -> int:
    """How many ITL observations one request adds: one per output token after the first
    (token-weighted, as SGLang and Dynamo count); 0 without an ITL."""
    return max(s.output_tokens - 1, 0) if s.itl is not None else 0


class FakeTrafficPod:
    """An engine (vLLM, SGLang, TRT-LLM) or a Dynamo frontend serving the figures of the traffic
    with its real names (A.1–A.4): per-request token histograms, a request counter, a running
    gauge and the prefix-cache hit figure (vLLM counters, SGLang and TRT-LLM gauges). SGLang
    reports every figure for two TP ranks, rank 1 with nonsense that a correct reader skips."""

    def __init__(self, engine: str, model: str = "Qwen/Qwen3-32B") -> None:
        self.engine, self.model = engine, model
        self._scrapes = 0
        self._scraped = threading.Condition()
        self.registry = CollectorRegistry(auto_describe=False)
        self.inner = r = CollectorRegistry()
        self.registry.register(_Current(self))  # type: ignore[arg-type]
        names = TRAFFIC_NAMES[engine]
        self.isl = self.osl = None
        if names is not None:
            osl_buckets = DYNAMO_OSL_BUCKETS if engine == "frontend" else names[2]
            self.isl = Histogram(names[0], "ISL", ("model_name",), buckets=names[2], registry=r)
            self.osl = Histogram(names[1], "OSL", ("model_name",), buckets=osl_buckets, registry=r)
        prefix = {"vllm": "vllm:", "sglang": "sglang:", "trtllm": "trtllm_"}.get(engine)
        sched = ("model_name", "tp_rank") if engine == "sglang" else ("model_name",)
        self.sched = sched
        if engine == "frontend":
            self.requests = Counter("dynamo_frontend_requests", "Requests", sched, registry=r)
            self.running = Gauge("dynamo_frontend_active_requests", "Active", sched, registry=r)
        else:
            done = {"vllm": "request_success", "sglang": "num_requests"}.get(
                engine, "request_success"
            )
            run = {"sglang": "num_running_reqs"}.get(engine, "num_requests_running")
            self.requests = Counter(f"{prefix}{done}", "Requests", sched, registry=r)
            self.running = Gauge(f"{prefix}{run}", "Running", sched, registry=r)
        (ttft_name, ttft_b), (itl_name, itl_b) = LATENCY_NAMES[engine]
        self.ttft = Histogram(ttft_name, "TTFT", sched, buckets=ttft_b, registry=r)
        self.itl = Histogram(itl_name, "ITL", sched, buckets=itl_b, registry=r)
        self.hits = self.queries = self.hit_rate = None
        if engine == "vllm":
            self.hits = Counter("vllm:prefix_cache_hits", "Hit tokens", sched, registry=r)
            self.queries = Counter("vllm:prefix_cache_queries", "Queried tokens", sched, registry=r)
        elif engine == "sglang":
            self.hit_rate = Gauge("sglang:cache_hit_rate", "Hit rate", sched, registry=r)
        elif engine == "trtllm":
            self.hit_rate = Gauge("trtllm_kv_cache_hit_rate", "Hit rate", sched, registry=r)

    scraped = FakeVllmPod.scraped
    scrapes = FakeVllmPod.scrapes
    wait_scrapes = FakeVllmPod.wait_scrapes
    serve = FakeVllmPod.serve

    def _each(self) -> list[tuple[str, ...]]:
        return (
            [(self.model, tp) for tp in ("0", "1")] if self.engine == "sglang" else [(self.model,)]
        )

    def record(self, requests: Sequence[Served]) -> None:
        """Each request once, as the engine does when it finishes."""
        for s in requests:
            if self.isl is not None and self.osl is not None:
                self.isl.labels(self.model).observe(s.prompt_tokens)
                self.osl.labels(self.model).observe(s.output_tokens)
            for labels in self._each():
                self.requests.labels(*labels).inc()
                self._latencies(labels, s)
            if self.hits is not None and self.queries is not None:
                self.hits.labels(self.model).inc(s.cached_tokens)
                self.queries.labels(self.model).inc(s.prompt_tokens)

    def _latencies(self, labels: tuple[str, ...], s: Served) -> None:
        """TTFT once per request; ITL once per output token after the first (TRT-LLM's TPOT
        once per request). SGLang's TP rank 1 reports ten times the latency: a reader that
        adds ranks (or mixes them in) gets it wrong."""
        wrong = 10.0 if self.engine == "sglang" and labels[-1] == "1" else 1.0
        if s.ttft is not None:
            self.ttft.labels(*labels).observe(s.ttft * wrong)
        if s.itl is not None:
            child = self.itl.labels(*labels)
            for _ in range(1 if self.engine == "trtllm" else itl_observations(s)):
                child.observe(s.itl * wrong)

    def set_gauges(self, running: float, hit_rate: float | None = None) -> None:
        """Rank 0 (the only rank of other engines) reports these; SGLang's rank 1 reports 99."""
        for labels in self._each():
            rank0 = labels[-1] == "0" or self.engine != "sglang"
            self.running.labels(*labels).set(running if rank0 else 99)
            if self.hit_rate is not None and hit_rate is not None:
                self.hit_rate.labels(*labels).set(hit_rate if rank0 else 99)
