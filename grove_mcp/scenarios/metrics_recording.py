"""Recorded metric scrapes for scenarios: what SGLang pods would have served, scrape by scrape.

Each engine pod gets a real prometheus_client registry with SGLang's metric names, types, labels
and default buckets (inference-metrics.md A.2); a seeded load observes a known traffic between
scrapes, and every scrape is the registry's classic text exposition. Deterministic: the same
:class:`PodLoad` gives the same bytes (no process metrics, no ``_created`` samples).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

# SGLang's current default buckets (A.2)
TTFT_BUCKETS = (0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400)
ITL_BUCKETS = (
    0.002, 0.004, 0.006, 0.008, 0.010, 0.015, 0.020, 0.025, 0.030, 0.035, 0.040,
    0.060, 0.080, 0.100, 0.200, 0.400, 0.600, 0.800, 1, 2, 4, 6, 8,
)  # fmt: skip
# Per-request token counts: SGLang's are configurable (--prompt-tokens-buckets,
# --generation-tokens-buckets, A.2); the recording's servers set these.
TOKEN_BUCKETS = (
    50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 8000,
    10000, 12000, 16000, 20000, 32000, 64000, 128000,
)  # fmt: skip


@dataclass(frozen=True)
class PodLoad:
    """What one SGLang pod serves per second over the recording, and its steady gauges."""

    mode: str  # "prefill" | "decode"
    requests_per_second: float
    isl: int  # mean prompt tokens per request: each request's varies by ``length_spread``
    osl: int  # mean generated tokens per request, likewise
    ttft_median: float = 0.0  # seconds (prefill), lognormal around it
    ttft_spread: float = 0.3
    itl_median: float = 0.0  # seconds (decode)
    itl_spread: float = 0.15
    queue: float = 0.0  # waiting requests, average
    running: float = 0.0
    token_usage: float = 0.0  # KV pool used, 0-1
    history_seconds: float = 300.0  # served before the first scrape (lifetime figures)
    cache_hit_rate: float = 0.0  # prefix (radix) cache hit rate of a prefill pod, 0-1
    length_spread: float = 0.35  # lognormal sigma of the per-request token counts


def lengths(rng: random.Random, n: int, mean: int, spread: float) -> list[int]:
    """``n`` per-request token counts around ``mean`` (lognormal) that add up to exactly
    ``n × mean``, so the token counters read as if every request had the mean length."""
    if n <= 0:
        return []
    draws = [rng.lognormvariate(0, spread) for _ in range(n)]
    scale = mean * n / sum(draws)
    out = [max(1, round(d * scale)) for d in draws]
    out[out.index(max(out))] += mean * n - sum(out)  # the rounding rest, on the longest
    return out


class _SglangPod:
    def __init__(self, model: str, load: PodLoad, seed: int) -> None:
        self.load = load
        self.rng = random.Random(seed)
        self.lengths_rng = random.Random(seed + 1000)  # apart: latencies stay as recorded
        self.registry = CollectorRegistry(auto_describe=False)
        sched = {"model_name": model, "engine_type": load.mode, "tp_rank": "0", "pp_rank": "0"}
        self.sched = sched
        labels = list(sched)
        r = self.registry
        self.ttft = Histogram(
            "sglang:time_to_first_token_seconds",
            "Time to first token",
            ["model_name"],
            buckets=TTFT_BUCKETS,
            registry=r,
        ).labels(model)
        self.itl = Histogram(
            "sglang:inter_token_latency_seconds",
            "Inter-token latency",
            ["model_name"],
            buckets=ITL_BUCKETS,
            registry=r,
        ).labels(model)
        self.prompt = Counter(
            "sglang:prompt_tokens", "Prompt tokens", ["model_name"], registry=r
        ).labels(model)
        self.generation = Counter(
            "sglang:generation_tokens", "Generation tokens", ["model_name"], registry=r
        ).labels(model)
        self.prompt_hist = Histogram(
            "sglang:prompt_tokens_histogram",
            "Prompt tokens per request",
            ["model_name"],
            buckets=TOKEN_BUCKETS,
            registry=r,
        ).labels(model)
        self.generation_hist = Histogram(
            "sglang:generation_tokens_histogram",
            "Generation tokens per request",
            ["model_name"],
            buckets=TOKEN_BUCKETS,
            registry=r,
        ).labels(model)
        self.requests = Counter(
            "sglang:num_requests", "Requests", ["model_name"], registry=r
        ).labels(model)
        self.realtime = Counter(
            "sglang:realtime_tokens", "Tokens by mode", [*labels, "mode"], registry=r
        )
        self.running = Gauge("sglang:num_running_reqs", "Running", labels, registry=r)
        self.queue = Gauge("sglang:num_queue_reqs", "Queued", labels, registry=r)
        self.usage = Gauge("sglang:token_usage", "KV token pool use", labels, registry=r)
        self.hit_rate = Gauge("sglang:cache_hit_rate", "Prefix cache hit rate", labels, registry=r)

    def serve(self, seconds: float, wobble: float) -> None:
        """Observe ``seconds`` of traffic; gauges set around their averages by ``wobble``."""
        load, rng = self.load, self.rng
        n = round(load.requests_per_second * seconds)
        prefill = load.mode == "prefill"
        sizes = lengths(self.lengths_rng, n, load.isl if prefill else load.osl, load.length_spread)
        for size in sizes:
            self.requests.inc()
            if prefill:
                self.ttft.observe(rng.lognormvariate(0, load.ttft_spread) * load.ttft_median)
                self.prompt.inc(size)
                self.prompt_hist.observe(size)
                self.realtime.labels(**self.sched, mode="prefill_compute").inc(size)
            else:
                for _ in range(load.osl // 100):  # token-weighted; one sample per 100 tokens here
                    self.itl.observe(rng.lognormvariate(0, load.itl_spread) * load.itl_median)
                self.generation.inc(size)
                self.generation_hist.observe(size)
                self.realtime.labels(**self.sched, mode="decode").inc(size)
        self.running.labels(**self.sched).set(round(load.running * wobble, 2))
        self.queue.labels(**self.sched).set(round(load.queue * wobble))
        self.usage.labels(**self.sched).set(round(min(load.token_usage * wobble, 1.0), 3))
        if load.mode == "prefill":
            self.hit_rate.labels(**self.sched).set(round(min(load.cache_hit_rate * wobble, 1.0), 3))

    def exposition(self) -> str:
        """The classic text exposition without the ``*_created`` families: prometheus_client
        stamps them with the wall clock, and a recording must not change from run to run."""
        lines = generate_latest(self.registry).decode().splitlines()
        return "\n".join(line for line in lines if not _created(line)) + "\n"


def record(
    loads: Mapping[str, PodLoad],
    model: str,
    offsets: tuple[float, ...] = (0.0, 10.0, 20.0, 30.0),
    seed: int = 7,
) -> dict[str, tuple[tuple[float, str], ...]]:
    """Per pod: a scrape at each offset (seconds after the first), with the load in between."""
    pods = {
        name: _SglangPod(model, load, seed + i)
        for i, (name, load) in enumerate(sorted(loads.items()))
    }
    out: dict[str, list[tuple[float, str]]] = {name: [] for name in pods}
    wobbles = (1.0, 1.1, 0.9, 1.05, 0.95)
    for pod in pods.values():
        pod.serve(pod.load.history_seconds, 1.0)
    previous = offsets[0]
    for i, at in enumerate(offsets):
        for name, pod in pods.items():
            if i:
                pod.serve(at - previous, wobbles[i % len(wobbles)])
            out[name].append((at, pod.exposition()))
        previous = at
    return {name: tuple(rows) for name, rows in out.items()}


def _created(line: str) -> bool:
    """A sample or HELP/TYPE line of a ``*_created`` family."""
    name = line.split()[2] if line.startswith("#") and len(line.split()) > 2 else line
    return name.split("{")[0].split(" ")[0].endswith("_created")
