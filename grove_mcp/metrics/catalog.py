"""What each inference engine calls the figures of the metrics report, and which engine a pod runs.

Pure knowledge, no I/O. Every fact cites its section of ``shared/reference/inference-metrics.md``
(§0 decisions, A.0 common facts, A.1 vLLM, A.2 SGLang, A.3 TRT-LLM, A.4 Dynamo, A.5 lookup table).

- A :class:`Chain` is the fallback list of metric names for one :class:`Quantity` of one engine;
  the first name the pod serves wins (A.5). Renamed metrics keep their old names further down.
- Names are compared tolerantly (§0.2): ``<engine>:`` and ``<engine>_`` are the same prefix, and a
  counter's ``_total`` suffix is optional. :func:`canonical` is that comparison.
- :func:`detect_engine` tells the engine from the names a pod serves; an :class:`EngineHint` (from
  the container's image and args, or Dynamo's labels, see :func:`hint_from_container`) settles
  ambiguous or absent names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from .exposition import family_key


class Engine(StrEnum):
    """An inference server whose metrics we know (A.1–A.4)."""

    vllm = "vllm"
    sglang = "sglang"
    trtllm = "trtllm"
    dynamo_frontend = "dynamo-frontend"
    dynamo_worker = "dynamo-worker"
    unknown = "unknown"


#: Engines that can run behind a Dynamo worker and pass their metrics through (A.4).
BACKENDS = (Engine.vllm, Engine.sglang, Engine.trtllm)


class MetricType(StrEnum):
    """The Prometheus type of a family as served (A.0)."""

    counter = "counter"
    gauge = "gauge"
    histogram = "histogram"


class Read(StrEnum):
    """How a window turns a family into the quantity (§0.3, §0.4)."""

    delta = "delta"  # counter: difference between two scrapes, with reset detection (B.2)
    sum_delta = "sum_delta"  # histogram: difference of its _sum (Dynamo's input tokens, A.4)
    buckets = "buckets"  # histogram: bucket deltas → quantiles (B.3)
    sample = "sample"  # gauge: sampled several times, avg/max (§0.4)
    rate = "rate"  # gauge that already is a rate (tok/s), averaged over the window (A.2)


class Quantity(StrEnum):
    """A figure the metrics report needs (issue 10; A.5's rows)."""

    output_tokens = "output_tokens"
    input_tokens = "input_tokens"
    ttft = "ttft"
    itl = "itl"
    tpot = "tpot"
    queue = "queue"
    running = "running"
    kv_usage = "kv_usage"
    requests = "requests"
    isl = "isl"  # per-request prompt tokens (histogram)
    osl = "osl"  # per-request generated tokens (histogram)
    prefix_cache_hits = "prefix_cache_hits"  # counter of prompt tokens found in the cache
    prefix_cache_queries = "prefix_cache_queries"  # counter of prompt tokens looked up
    prefix_cache_hit_rate = "prefix_cache_hit_rate"  # a gauge that already is the rate, 0-1


@dataclass(frozen=True)
class Candidate:
    """One metric name that can give a quantity.

    ``where`` restricts the series to label values (each label to one of its values) and the
    matching series are summed, e.g. SGLang's ``realtime_tokens{mode="decode"}``.
    """

    name: str
    type: MetricType
    read: Read
    ref: str
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Chain:
    """Fallback names for one quantity of one engine: the first name served wins (A.5).

    An empty chain means the engine has no such metric; ``note`` says what to use instead.
    """

    quantity: Quantity
    candidates: tuple[Candidate, ...]
    note: str = ""


@dataclass(frozen=True)
class Resolved:
    """The candidate of a chain that a pod serves, and the family name it serves it under."""

    candidate: Candidate
    served_name: str
    fallback: bool  # not the chain's first (newest) name: an older build or a weaker source


@dataclass(frozen=True)
class Defaults:
    """Where an engine serves Prometheus text when nothing on the pod says otherwise."""

    port: int | None
    path: str
    ref: str
    port_args: tuple[str, ...] = ()  # flags that set the port (``--port 30000``)
    port_env: str | None = None  # environment variable that sets the port
    needs: str = ""  # what must be switched on for the endpoint to exist
    needs_args: tuple[str, ...] = ()  # an argument that switches it on, when one does


@dataclass(frozen=True)
class Profile:
    """Everything we know about one engine's metrics."""

    engine: Engine
    defaults: Defaults
    chains: Mapping[Quantity, Chain]
    dedup: str  # how to sum an engine's series into one pod's figure without double counting


# --- name comparison (§0.2) -------------------------------------------------------------------

#: Prefixes served as either ``<p>:`` or ``<p>_`` (§0.1 escaping bug, A.3 Dynamo PR #4269).
_COLON_PREFIXES = ("vllm", "sglang", "trtllm")
_SAMPLE_SUFFIXES = ("_bucket", "_count", "_sum")


def canonical(name: str) -> str:
    """The name as compared: ``<engine>_x`` → ``<engine>:x``, no ``_total`` (§0.2, A.0)."""
    for prefix in _COLON_PREFIXES:
        if name.startswith((f"{prefix}_", f"{prefix}:")):
            name = f"{prefix}:{name[len(prefix) + 1 :]}"
            break
    return name.removesuffix("_total")


def canonical_names(served: Iterable[str]) -> dict[str, str]:
    """Canonical name → a served name. Sample names (``_bucket``, ``_count``, ``_sum``) also
    stand for their family; ``*_created`` families are ignored (A.0)."""
    out: dict[str, str] = {}
    for name in sorted(served):
        if name.endswith("_created"):
            continue
        out.setdefault(canonical(name), name)
        for suffix in _SAMPLE_SUFFIXES:
            if name.endswith(suffix):
                family = name.removesuffix(suffix)
                out.setdefault(canonical(family), family)
    return out


def resolve(chain: Chain, served: Iterable[str]) -> Resolved | None:
    """The first candidate of ``chain`` the pod serves (A.5), or None."""
    names = canonical_names(served)
    for i, candidate in enumerate(chain.candidates):
        hit = names.get(canonical(candidate.name))
        if hit is not None:
            return Resolved(candidate, hit, fallback=i > 0)
    return None


# --- the chains (A.1–A.5) --------------------------------------------------------------------


def _c(
    name: str,
    type_: MetricType,
    read: Read,
    ref: str,
    where: Mapping[str, tuple[str, ...]] | None = None,
    note: str = "",
) -> Candidate:
    return Candidate(name, type_, read, ref, tuple(sorted((where or {}).items())), note)


def _counter(name: str, ref: str, note: str = "", **where: tuple[str, ...]) -> Candidate:
    return _c(name, MetricType.counter, Read.delta, ref, where, note)


def _gauge(name: str, ref: str, note: str = "", **where: tuple[str, ...]) -> Candidate:
    return _c(name, MetricType.gauge, Read.sample, ref, where, note)


def _hist(name: str, ref: str, note: str = "") -> Candidate:
    return _c(name, MetricType.histogram, Read.buckets, ref, None, note)


def _chains(*chains: Chain) -> Mapping[Quantity, Chain]:
    table = {c.quantity: c for c in chains}
    for q in Quantity:
        table.setdefault(q, Chain(q, (), "not served by this engine"))
    return MappingProxyType(table)


Q = Quantity

VLLM = Profile(
    Engine.vllm,
    Defaults(8000, "/metrics", "A.1 Endpoint", port_args=("--port",)),
    _chains(
        Chain(Q.output_tokens, (_counter("vllm:generation_tokens_total", "A.1, A.5"),)),
        Chain(
            Q.input_tokens,
            (_counter("vllm:prompt_tokens_total", "A.1, A.5"),),
            "logical prompt size, prefix-cache hits included; computed prefill is "
            "vllm:prompt_tokens_by_source_total{source=local_compute} (A.1 Semantics)",
        ),
        Chain(Q.ttft, (_hist("vllm:time_to_first_token_seconds", "A.1, A.5"),)),
        Chain(
            Q.itl,
            (
                _hist("vllm:inter_token_latency_seconds", "A.1, A.5"),
                _hist(
                    "vllm:time_per_output_token_seconds",
                    "A.1 Renames",
                    "old name (removed by PR #32661); it measured ITL",
                ),
            ),
        ),
        Chain(
            Q.tpot,
            (_hist("vllm:request_time_per_output_token_seconds", "A.1, A.5", "per request"),),
        ),
        Chain(Q.queue, (_gauge("vllm:num_requests_waiting", "A.1, A.5"),)),
        Chain(Q.running, (_gauge("vllm:num_requests_running", "A.1, A.5"),)),
        Chain(
            Q.kv_usage,
            (
                _gauge("vllm:kv_cache_usage_perc", "A.1, A.5", "fraction 0-1"),
                _gauge("vllm:gpu_cache_usage_perc", "A.1 Renames", "old name (before 0.9)"),
            ),
        ),
        Chain(Q.requests, (_counter("vllm:request_success_total", "A.1"),)),
        Chain(Q.isl, (_hist("vllm:request_prompt_tokens", "A.1", "tokens per request"),)),
        Chain(
            Q.osl,
            (
                _hist(
                    "vllm:request_generation_tokens",
                    "A.1",
                    "tokens per request; a disaggregated prefill worker generates 1",
                ),
            ),
        ),
        Chain(
            Q.prefix_cache_hits,
            (
                _counter("vllm:prefix_cache_hits_total", "A.1"),
                _counter("vllm:gpu_prefix_cache_hits_total", "A.1 Renames", "old name"),
            ),
        ),
        Chain(
            Q.prefix_cache_queries,
            (
                _counter("vllm:prefix_cache_queries_total", "A.1"),
                _counter("vllm:gpu_prefix_cache_queries_total", "A.1 Renames", "old name"),
            ),
        ),
        Chain(
            Q.prefix_cache_hit_rate,
            (_gauge("vllm:gpu_prefix_cache_hit_rate", "A.1 Renames", "V0-engine gauge"),),
            "hit rate = Δprefix_cache_hits ÷ Δprefix_cache_queries (A.1)",
        ),
    ),
    "sum over the `engine` label (data-parallel ranks of one API server) (A.1 Labels)",
)

SGLANG = Profile(
    Engine.sglang,
    Defaults(
        30000,
        "/metrics",
        "A.2 Endpoint",
        port_args=("--port",),
        needs="metrics are off unless the server runs with --enable-metrics",
        needs_args=("--enable-metrics",),
    ),
    _chains(
        Chain(
            Q.output_tokens,
            (
                _counter("sglang:realtime_tokens_total", "A.2, A.5", mode=("decode",)),
                _counter(
                    "sglang:generation_tokens_total",
                    "A.2, A.5",
                    "incremented when a request finishes: lags, comes in bursts",
                ),
                _c(
                    "sglang:gen_throughput",
                    MetricType.gauge,
                    Read.rate,
                    "A.2, A.5",
                    note="instantaneous decode tok/s per scheduler",
                ),
            ),
        ),
        Chain(
            Q.input_tokens,
            (
                _counter(
                    "sglang:realtime_tokens_total",
                    "A.2, A.5",
                    mode=("prefill_compute", "prefill_cache"),
                ),
                _counter("sglang:prompt_tokens_total", "A.2, A.5", "lags: counted at finish"),
            ),
        ),
        Chain(Q.ttft, (_hist("sglang:time_to_first_token_seconds", "A.2, A.5"),)),
        Chain(
            Q.itl,
            (
                _hist("sglang:inter_token_latency_seconds", "A.2, A.5", "token-weighted"),
                _hist(
                    "sglang:time_per_output_token_seconds",
                    "A.2 Renames",
                    "old name (removed by PR #4914)",
                ),
            ),
        ),
        Chain(Q.tpot, (), "no per-request TPOT; mean TPOT ≈ Δ ITL _sum ÷ Δ ITL _count (A.2)"),
        Chain(
            Q.queue,
            (_gauge("sglang:num_queue_reqs", "A.2, A.5"),),
            "PD disaggregation adds its own queue gauges (num_prefill_*_queue_reqs, "
            "num_decode_*_queue_reqs) (A.2)",
        ),
        Chain(Q.running, (_gauge("sglang:num_running_reqs", "A.2, A.5"),)),
        Chain(Q.kv_usage, (_gauge("sglang:token_usage", "A.2, A.5", "fraction 0-1"),)),
        Chain(Q.requests, (_counter("sglang:num_requests_total", "A.2"),)),
        Chain(
            Q.isl,
            (
                _hist(
                    "sglang:prompt_tokens_histogram",
                    "A.2",
                    "older builds: --collect-tokens-histogram",
                ),
            ),
        ),
        Chain(
            Q.osl,
            (
                _hist(
                    "sglang:generation_tokens_histogram",
                    "A.2",
                    "older builds: --collect-tokens-histogram",
                ),
            ),
        ),
        Chain(Q.prefix_cache_hit_rate, (_gauge("sglang:cache_hit_rate", "A.2", "radix cache"),)),
    ),
    'take tp_rank="0" per (pp_rank, dp_rank, engine_type); sum over dp_rank; never sum over '
    "tp_rank (A.2 De-duplication)",
)

_TRTLLM_NEEDS = (
    "the Prometheus route exists only with `return_perf_metrics: true` in the extra LLM API "
    "options; KV gauges also need `enable_iter_perf_stats: true` (A.3)"
)

TRTLLM = Profile(
    Engine.trtllm,
    Defaults(8000, "/prometheus/metrics", "A.3 Endpoints", ("--port",), needs=_TRTLLM_NEEDS),
    _chains(
        Chain(
            Q.output_tokens,
            (_counter("trtllm_generation_tokens_total", "A.3, A.5"),),
            "older builds have no generation counter: use the Dynamo frontend's (A.3)",
        ),
        Chain(Q.input_tokens, (_counter("trtllm_prompt_tokens_total", "A.3, A.5"),)),
        Chain(
            Q.ttft,
            (
                _hist("trtllm_time_to_first_token_seconds", "A.3, A.5"),
                _hist("time_to_first_token_seconds", "A.3", "unprefixed first version (PR #5785)"),
            ),
        ),
        Chain(Q.itl, (), "no ITL histogram (A.3)"),
        Chain(
            Q.tpot,
            (
                _hist("trtllm_time_per_output_token_seconds", "A.3, A.5", "per request"),
                _hist("time_per_output_token_seconds", "A.3", "unprefixed first version"),
            ),
        ),
        Chain(Q.queue, (_gauge("trtllm_num_requests_waiting", "A.3, A.5"),)),
        Chain(Q.running, (_gauge("trtllm_num_requests_running", "A.3, A.5"),)),
        Chain(Q.kv_usage, (_gauge("trtllm_kv_cache_utilization", "A.3, A.5"),)),
        Chain(
            Q.requests,
            (
                _counter("trtllm_request_success_total", "A.3"),
                _counter("request_success_total", "A.3", "unprefixed first version"),
            ),
        ),
        Chain(Q.isl, (), "no per-request token histogram: use the Dynamo frontend's (A.3, A.4)"),
        Chain(Q.osl, (), "no per-request token histogram: use the Dynamo frontend's (A.3, A.4)"),
        Chain(
            Q.prefix_cache_hit_rate,
            (_gauge("trtllm_kv_cache_hit_rate", "A.3", "needs enable_iter_perf_stats"),),
        ),
    ),
    "one series per model_name; nothing to de-duplicate (A.3)",
)

DYNAMO_FRONTEND = Profile(
    Engine.dynamo_frontend,
    Defaults(8000, "/metrics", "A.4 Ports", ("--http-port",), "DYN_HTTP_PORT"),
    _chains(
        Chain(Q.output_tokens, (_counter("dynamo_frontend_output_tokens_total", "A.4, A.5"),)),
        Chain(
            Q.input_tokens,
            (
                _c(
                    "dynamo_frontend_input_sequence_tokens",
                    MetricType.histogram,
                    Read.sum_delta,
                    "A.4, A.5",
                    note="no input counter: the rate of the ISL histogram's _sum",
                ),
            ),
        ),
        Chain(Q.ttft, (_hist("dynamo_frontend_time_to_first_token_seconds", "A.4, A.5"),)),
        Chain(
            Q.itl,
            (_hist("dynamo_frontend_inter_token_latency_seconds", "A.4, A.5", "token-weighted"),),
        ),
        Chain(Q.tpot, (), "no per-request TPOT at the frontend (A.5)"),
        Chain(
            Q.queue,
            (
                _gauge(
                    "dynamo_frontend_stage_requests",
                    "A.4, A.5",
                    "waiting for a first token: sum of the three stages",
                    stage=("preprocess", "route", "dispatch"),
                ),
                _gauge(
                    "dynamo_frontend_queued_requests",
                    "A.4, A.5",
                    "deprecated; includes prefill, not only queueing",
                ),
            ),
        ),
        Chain(
            Q.running,
            (
                _gauge("dynamo_frontend_active_requests", "A.4, A.5"),
                _gauge("dynamo_frontend_inflight_requests", "A.4, A.5", "deprecated name"),
            ),
        ),
        Chain(Q.kv_usage, (), "read KV usage from the workers' engine metric (A.5)"),
        Chain(Q.requests, (_counter("dynamo_frontend_requests_total", "A.4"),)),
        Chain(Q.isl, (_hist("dynamo_frontend_input_sequence_tokens", "A.4", "ISL per request"),)),
        Chain(Q.osl, (_hist("dynamo_frontend_output_sequence_tokens", "A.4", "OSL per request"),)),
        Chain(
            Q.prefix_cache_hit_rate,
            (),
            "the frontend has no prefix-cache figure: read the workers' engine metric (A.4)",
        ),
    ),
    "sum over `model`; the frontend sees every token once, so never add workers' tokens to it",
)

_WORKER_EXTRAS: Mapping[Quantity, tuple[Candidate, ...]] = {
    Q.kv_usage: (
        _gauge(
            "dynamo_component_kvstats_gpu_cache_usage_percent",
            "A.4, A.5",
            "legacy kvstats family, gone from current Dynamo",
        ),
    ),
    Q.running: (_gauge("dynamo_component_inflight_requests", "A.4"),),
    Q.requests: (_counter("dynamo_component_requests_total", "A.4"),),
    Q.prefix_cache_hit_rate: (
        _gauge(
            "dynamo_component_kvstats_gpu_prefix_cache_hit_rate",
            "A.4",
            "legacy kvstats family, gone from current Dynamo",
        ),
    ),
}

PROFILES: Mapping[Engine, Profile] = MappingProxyType(
    {p.engine: p for p in (VLLM, SGLANG, TRTLLM, DYNAMO_FRONTEND)}
)

#: A Dynamo worker's system server (A.4): off by default (-1); the operator sets 9090, `system`.
DYNAMO_WORKER_DEFAULTS = Defaults(
    None,
    "/metrics",
    "A.4 Ports",
    port_env="DYN_SYSTEM_PORT",
    needs="the system server is off unless DYN_SYSTEM_PORT is set (Dynamo's operator sets 9090)",
)


def worker_profile(backend: Engine | None) -> Profile:
    """A Dynamo worker: its backend's pass-through chains (A.4), then Dynamo's own fallbacks."""
    inner = PROFILES.get(backend) if backend in BACKENDS else None
    chains: dict[Quantity, Chain] = {}
    for q in Quantity:
        base = inner.chains[q] if inner else Chain(q, ())
        extra = _WORKER_EXTRAS.get(q, ())
        note = base.note if base.candidates or not extra else ""
        chains[q] = Chain(q, base.candidates + extra, note or ("" if extra else "no such metric"))
    dedup = (inner.dedup if inner else "unknown backend") + "; Dynamo adds labels, never series"
    return Profile(Engine.dynamo_worker, DYNAMO_WORKER_DEFAULTS, MappingProxyType(chains), dedup)


def profile(engine: Engine, backend: Engine | None = None) -> Profile | None:
    """The profile of an engine (a Dynamo worker's is its backend's plus Dynamo's own)."""
    if engine is Engine.dynamo_worker:
        return worker_profile(backend)
    return PROFILES.get(engine)


# --- engine detection ----------------------------------------------------------------------


class Basis(StrEnum):
    """What a detection rests on."""

    names = "names"  # the metric names the pod serves
    names_and_hint = "names+hint"  # names ambiguous; the hint chose among them
    hint = "hint"  # no telling names; the image, args or labels
    none = "none"


@dataclass(frozen=True)
class EngineHint:
    """What a pod's image, args or labels say it runs, and why we think so."""

    engine: Engine
    why: str
    backend: Engine | None = None  # a Dynamo worker's engine, when known


@dataclass(frozen=True)
class Detection:
    """The engine a pod runs, what it rests on, and why (shown to users)."""

    engine: Engine
    basis: Basis
    why: str
    backend: Engine | None = None  # for a Dynamo worker: vLLM, SGLang or TRT-LLM when seen
    evidence: tuple[str, ...] = field(default=())  # up to a few served names that decided it


#: TRT-LLM's first metrics had no prefix (A.3, PR #5785); they prove little on their own.
_TRTLLM_UNPREFIXED = frozenset(
    {
        "request_success",
        "e2e_request_latency_seconds",
        "time_to_first_token_seconds",
        "time_per_output_token_seconds",
        "request_queue_time_seconds",
    }
)

_PREFIX_OF = {
    Engine.vllm: "vllm:",
    Engine.sglang: "sglang:",
    Engine.trtllm: "trtllm:",
    Engine.dynamo_frontend: "dynamo_frontend_",
    Engine.dynamo_worker: "dynamo_component_",
}


def _by_engine(names: Iterable[str]) -> dict[Engine, list[str]]:
    found: dict[Engine, list[str]] = {}
    for name in names:
        for engine, prefix in _PREFIX_OF.items():
            if name.startswith(prefix):
                found.setdefault(engine, []).append(name)
    return found


def detect_engine(served: Iterable[str], hint: EngineHint | None = None) -> Detection:
    """The engine a pod runs, from the metric names it serves; ``hint`` settles ambiguity.

    Rules: Dynamo frontend names → frontend (A.4); ``dynamo_component_*`` → worker, its backend
    from pass-through names (A.4); exactly one of vLLM / SGLang / TRT-LLM prefixes → that engine
    (either prefix form, §0.2); several → the hint if it is one of them; unprefixed TRT-LLM
    names alone → TRT-LLM (A.3); nothing known → the hint, else unknown with the reason.
    """
    as_served = canonical_names(served)
    names = sorted(as_served)
    found = _by_engine(names)

    def evidence(*engines: Engine) -> tuple[str, ...]:
        return tuple(as_served[n] for e in engines for n in found.get(e, [])[:2])

    if Engine.dynamo_frontend in found:
        return Detection(
            Engine.dynamo_frontend,
            Basis.names,
            "serves dynamo_frontend_* metrics (A.4)",
            evidence=evidence(Engine.dynamo_frontend),
        )
    backends = [e for e in BACKENDS if e in found]
    if Engine.dynamo_worker in found:
        backend: Engine | None = backends[0] if len(backends) == 1 else None
        why = "serves dynamo_component_* metrics (A.4)"
        basis = Basis.names
        if len(backends) > 1 and hint and hint.backend in backends:
            backend, basis = hint.backend, Basis.names_and_hint
            why += f"; backend from the hint ({hint.why})"
        elif backend:
            why += f" with {backend.value} pass-through metrics"
        elif hint and hint.backend:
            backend = hint.backend
            why += f"; no pass-through engine metrics, backend from the hint ({hint.why})"
        return Detection(
            Engine.dynamo_worker, basis, why, backend, evidence(Engine.dynamo_worker, *backends)
        )
    if len(backends) == 1:
        (engine,) = backends
        return Detection(
            engine, Basis.names, f"serves {_PREFIX_OF[engine]}* metrics", evidence=evidence(engine)
        )
    if backends:
        listed = ", ".join(e.value for e in backends)
        if hint and hint.engine in backends:
            return Detection(
                hint.engine,
                Basis.names_and_hint,
                f"serves metrics of {listed}; the hint chose: {hint.why}",
                evidence=evidence(*backends),
            )
        return Detection(
            Engine.unknown,
            Basis.none,
            f"serves metrics of several engines ({listed}) and "
            + (f"the hint ({hint.why}) names none of them" if hint else "has no hint"),
            evidence=evidence(*backends),
        )
    unprefixed = sorted(_TRTLLM_UNPREFIXED.intersection(names))
    if len(unprefixed) >= 2 and (hint is None or hint.engine is Engine.trtllm):
        return Detection(
            Engine.trtllm,
            Basis.names_and_hint if hint else Basis.names,
            "serves TRT-LLM's unprefixed first-version metrics (A.3)",
            evidence=tuple(as_served[n] for n in unprefixed[:2]),
        )
    if hint and hint.engine is not Engine.unknown:
        return Detection(
            hint.engine,
            Basis.hint,
            f"no known engine metric among {len(names)} names; {hint.why}",
            hint.backend,
        )
    reason = (
        f"none of the {len(names)} metric names is a known engine's"
        if names
        else "no metric names to look at"
    )
    return Detection(
        Engine.unknown,
        Basis.none,
        reason + (f", and the hint says: {hint.why}" if hint else ", and no image or args hint"),
    )


# --- hints from the image and args ---------------------------------------------------------

#: Dynamo's Python entry points (A.4; dynamo-pod-wiring.md): ``python -m dynamo.<x>``.
_DYNAMO_MODULES = {
    "dynamo.frontend": (Engine.dynamo_frontend, None),
    "dynamo.vllm": (Engine.dynamo_worker, Engine.vllm),
    "dynamo.sglang": (Engine.dynamo_worker, Engine.sglang),
    "dynamo.trtllm": (Engine.dynamo_worker, Engine.trtllm),
}
_COMMAND_PATTERNS = (
    (re.compile(r"(^|\s)vllm\s+serve(\s|$)|vllm\.entrypoints"), Engine.vllm),
    (re.compile(r"sglang\.launch_server"), Engine.sglang),
    (re.compile(r"(^|[\s/])trtllm-serve(\s|$)"), Engine.trtllm),
)
_IMAGE_PATTERNS = (
    (re.compile(r"ai-dynamo/vllm-runtime"), Engine.dynamo_worker, Engine.vllm),
    (re.compile(r"ai-dynamo/sglang-runtime"), Engine.dynamo_worker, Engine.sglang),
    (re.compile(r"ai-dynamo/tensorrtllm-runtime"), Engine.dynamo_worker, Engine.trtllm),
    (re.compile(r"(^|/)vllm-openai(:|@|$)|(^|/)vllm/"), Engine.vllm, None),
    (re.compile(r"(^|/)sglang(:|@|$)"), Engine.sglang, None),
    (re.compile(r"tensorrt-llm|tensorrt_llm|trtllm"), Engine.trtllm, None),
)


def hint_from_container(
    image: str | None, command: Iterable[str] = (), args: Iterable[str] = ()
) -> EngineHint | None:
    """What a container's command line (first) or image (second) says it runs.

    A Dynamo runtime image alone cannot tell a frontend from a worker: it hints a worker whose
    backend is the image's, which Dynamo's labels or the served names then confirm or correct.
    """
    line = " ".join((*command, *args))
    for module, (engine, backend) in _DYNAMO_MODULES.items():
        if re.search(rf"(^|\s){re.escape(module)}(\s|$)", line):
            return EngineHint(engine, f"runs `python -m {module}`", backend)
    if "sglang_router" in line:
        return EngineHint(
            Engine.unknown,
            "runs the SGLang router, not an engine: its metrics are on its own "
            "--prometheus-port (A.2)",
        )
    for pattern, engine in _COMMAND_PATTERNS:
        if pattern.search(line):
            return EngineHint(engine, f"its command line runs {engine.value}")
    for pattern, engine, backend in _IMAGE_PATTERNS:
        if image and pattern.search(image):
            return EngineHint(engine, f"image {image}", backend)
    return None


# --- what a scrape must keep -----------------------------------------------------------------


def _wanted_families() -> frozenset[str]:
    names = {c.name for p in PROFILES.values() for ch in p.chains.values() for c in ch.candidates}
    names |= {c.name for extra in _WORKER_EXTRAS.values() for c in extra}
    names |= _TRTLLM_UNPREFIXED | {"process_start_time_seconds"}
    return frozenset(family_key(n) for n in names)


WANTED_FAMILIES = _wanted_families()


def wanted(family: str) -> bool:
    """Whether the report reads a family (normalized name without suffix, as
    :func:`grove_mcp.metrics.exposition.family_key` gives): every name of every chain, the
    names detection needs, and ``process_start_time_seconds``."""
    return family in WANTED_FAMILIES
