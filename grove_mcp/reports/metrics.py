"""The metrics report: how fast a PodCliqueSet serves over a window, per role and per pod, and
against its stored plan. Every figure says where it came from; "no data" is null, never 0."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from .common import ReportHeader, ReportModel, Summary


class QuantileValue(ReportModel):
    """One latency quantile, in milliseconds."""

    ms: float = Field(description="The quantile, ms (Prometheus histogram_quantile interpolation).")
    at_least: bool = Field(
        default=False,
        description="True when the quantile fell in the +Inf bucket: the true value is at least "
        "ms (the last finite bucket bound).",
    )


class Latency(ReportModel):
    """A latency histogram over the window."""

    p50: QuantileValue | None = Field(description="Median; null when the window has no data.")
    p90: QuantileValue | None = Field(description="90th percentile; null without data.")
    p99: QuantileValue | None = Field(description="99th percentile; null without data.")
    mean_ms: float | None = Field(description="Exact mean (Δsum / Δcount), ms; null without data.")
    observations: float = Field(description="Observations in the window (requests or tokens).")
    metric: str = Field(
        description="The histogram read, as served, e.g. vllm:time_to_first_token_seconds."
    )
    source: str = Field(
        description="Where the deployment-level figure comes from: the Dynamo frontend (what "
        "users feel) or the engines of a role."
    )


class GaugeValue(ReportModel):
    """A gauge sampled several times in the window."""

    avg: float = Field(description="Average over the scrapes.")
    max: float = Field(description="Maximum over the scrapes.")
    samples: int = Field(description="Scrapes that had it (fewer than 3 says little).")


class Verdict(StrEnum):
    saturated = "saturated"
    underutilized = "underutilized"
    ok = "ok"
    unknown = "unknown"


class Throughput(ReportModel):
    """Tokens per second of the deployment."""

    input_tokens_per_second: float | None = Field(description="Prompt tokens/s; null without data.")
    output_tokens_per_second: float | None = Field(
        description="Generated tokens/s; null without data."
    )
    requests_per_second: float | None = Field(description="Finished requests/s; null without data.")
    gpus: int = Field(
        description="GPUs the per-GPU figure divides by: nvidia.com/gpu requests of every pod of "
        "every role that is bound to a node and not finished (read or not)."
    )
    output_tokens_per_second_per_gpu: float | None = Field(
        description="output_tokens_per_second / gpus; null without data or GPUs."
    )
    source: str = Field(
        description="Where the tokens were counted (one layer only, never summed twice): the "
        "Dynamo frontend, or the engines of the decode/prefill (or aggregated) roles."
    )


class RoleMetrics(ReportModel):
    """One role (prefill, decode, a scaling group, a clique) over the window."""

    role: str = Field(description="The role: Dynamo sub-component type, scaling group or clique.")
    kind: str = Field(description="prefill, decode, aggregated, frontend or other.")
    engine: str = Field(description="The engine its pods run (vllm, sglang, trtllm, dynamo-…).")
    pods: int = Field(description="Pods of the role.")
    pods_read: int = Field(description="Pods whose metrics were read.")
    gpus: int = Field(description="GPUs of the role's pods that hold GPUs.")
    input_tokens_per_second: float | None = Field(description="Prompt tokens/s of its engines.")
    output_tokens_per_second: float | None = Field(description="Generated tokens/s of its engines.")
    ttft: Latency | None = Field(description="Engine-side time to first token.")
    itl: Latency | None = Field(description="Engine-side inter-token latency.")
    tpot: Latency | None = Field(description="Engine-side time per output token (per request).")
    kv_cache_usage: GaugeValue | None = Field(
        description="KV-cache usage, fraction 0-1, mean over its pods per scrape."
    )
    running: GaugeValue | None = Field(
        description="Running requests, summed over its pods (max: the sum of each pod's "
        "maximum, an upper bound of the simultaneous peak)."
    )
    waiting: GaugeValue | None = Field(
        description="Queued requests, summed over its pods (max as for running)."
    )
    verdict: Verdict = Field(description="saturated, underutilized, ok, or unknown without gauges.")
    verdict_reason: str = Field(description="Why, with the thresholds applied.")


class PodMetrics(ReportModel):
    """One pod: how it was read, and its main figures."""

    pod: str = Field(description="Pod name.")
    role: str = Field(description="Its role.")
    engine: str = Field(description="The engine detected (from the names it serves, else hints).")
    engine_why: str = Field(description="What the detection rests on.")
    endpoint: str | None = Field(description="port and path scraped, and how they were found.")
    read: bool = Field(description="Whether its metrics were read.")
    error: str | None = Field(description="Why not (or why only partly), when not read.")
    gpus: int = Field(description="GPUs it requests.")
    output_tokens_per_second: float | None = Field(description="Generated tokens/s.")
    ttft_p99_ms: float | None = Field(description="Its engine-side TTFT p99, ms.")
    kv_cache_usage_avg: float | None = Field(description="Its KV-cache usage, average, 0-1.")
    running_avg: float | None = Field(description="Running requests, average.")
    waiting_avg: float | None = Field(description="Queued requests, average.")
    notes: list[str] = Field(default_factory=list, description="Renames, restarts, filters used.")


class PlanRow(ReportModel):
    """One figure against the stored plan."""

    metric: str = Field(description="What is compared.")
    planned: float | None = Field(description="The plan's value (SLA target or expectation).")
    actual: float | None = Field(description="Measured; null without data.")
    unit: str = Field(description="Unit of both values.")
    delta_percent: float | None = Field(description="(actual - planned) / planned x 100.")
    met: bool | None = Field(
        description="True ✓ / false ✗ against the target (latency: at most; throughput: at "
        "least 80% of the plan); null when it cannot be told."
    )
    note: str = Field(default="", description="What the row rests on.")


class TokenDistribution(ReportModel):
    """Tokens per request over the window, from a per-request histogram (each request once)."""

    mean: float | None = Field(description="Exact mean (Δsum / Δcount), tokens; null without data.")
    p50: float | None = Field(
        description="Median, tokens, interpolated in the buckets as Prometheus histogram_quantile "
        "does (as the latencies are); null without data."
    )
    p90: float | None = Field(description="90th percentile, tokens, interpolated likewise.")
    requests: float = Field(description="Requests observed in the window (the histogram's count).")
    metric: str = Field(description="The histogram read, as served.")
    source: str = Field(
        description="The layer that counted each request once: the Dynamo frontend, or the "
        "engines of a role (prefill/aggregated for ISL, decode/aggregated for OSL)."
    )
    note: str = Field(
        default="",
        description="A caveat: a quantile in the +Inf bucket (then it is the last finite bound, "
        "the true value at least that), or a restart inside the window.",
    )


class Traffic(ReportModel):
    """The traffic actually served over the window: how many requests, how long, how cached."""

    requests_per_second: float | None = Field(
        description="Finished requests per second, deployment-wide; null without data."
    )
    requests_source: str = Field(description="The counter (and layer) the request rate is from.")
    isl: TokenDistribution | None = Field(
        description="Input sequence length (prompt tokens per request); null when not observed."
    )
    osl: TokenDistribution | None = Field(
        description="Output sequence length (generated tokens per request); null when not "
        "observed. Never from a disaggregated prefill worker (it generates 1 token per request)."
    )
    prefix_cache_hit_rate: float | None = Field(
        description="Share of prompt tokens found in the prefix cache, 0-1: vLLM Δhits ÷ "
        "Δqueries of its counters; SGLang and TRT-LLM the average of their hit-rate gauge. "
        "Read from the prefill (or aggregated) engines; null where not served."
    )
    prefix_cache_metric: str | None = Field(
        description="The metric(s) the hit rate is from; null when not observed."
    )
    concurrency: float | None = Field(
        description="Average running requests, deployment-wide: the Dynamo frontend's active "
        "requests, else the running requests of the decode (or aggregated) engines (requests "
        "still in a disaggregated prefill are not counted); null without data."
    )
    concurrency_source: str = Field(
        default="", description="The gauge (and layer) the concurrency is from."
    )
    not_observed: list[str] = Field(
        description="Each figure of the traffic that was not observed, and why."
    )


class MetricsReport(ReportHeader):
    """How fast a PodCliqueSet serves over a window."""

    report: Literal["metrics"] = Field(default="metrics", description="Report type.")
    name: str = Field(description="PodCliqueSet name.")
    read_via: str = Field(
        description="How the metrics were read (pod proxy, pod IP, recorded, Prometheus)."
    )
    window_seconds: float = Field(description="Length of the window the rates and quantiles cover.")
    since_start: bool = Field(
        description="Lifetime figures (since each process started), no window."
    )
    summary: Summary = Field(
        description="The verdict: not ok when an SLA row misses or nothing could be read."
    )
    throughput: Throughput = Field(description="Deployment throughput.")
    ttft: Latency | None = Field(description="Deployment time to first token.")
    itl: Latency | None = Field(description="Deployment inter-token latency.")
    tpot: Latency | None = Field(
        description="Deployment time per output token (per request), where served."
    )
    waiting: GaugeValue | None = Field(description="Requests queued, deployment-wide.")
    running: GaugeValue | None = Field(description="Requests running, deployment-wide.")
    traffic: Traffic = Field(
        description="The traffic served: request rate, ISL and OSL distributions, prefix-cache "
        "hit rate, concurrency (what a plan assumes, observed)."
    )
    roles: list[RoleMetrics] = Field(description="Per role, sorted by role.")
    pods: list[PodMetrics] = Field(description="Per pod, sorted by role then pod.")
    plan: list[PlanRow] = Field(
        description="Against the stored plan (SLA and expected throughput); empty without one."
    )
    thresholds: list[str] = Field(description="The verdict rules applied, with their thresholds.")
