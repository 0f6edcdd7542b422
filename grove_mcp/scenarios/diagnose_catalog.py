"""The named situations ``diagnose`` must get right, each with recorded metrics and, where the
situation needs an SLA, the stored plan.

``PLANTED`` maps every scenario ``diagnose`` is judged on to the finding codes that count as its
planted cause (an empty tuple: no warning or critical finding is allowed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from ..sources.bundle import Bundle
from .builder import ScenarioBuilder
from .catalog import (
    CAPTURED_AT,
    GPU_SHORTAGE,
    NAMESPACE,
    REPLICA_0_IN_RACK_A,
    REPLICA_1_IN_RACK_B,
    _cluster,
    _plan_config_map,
    _sglang,
    _with_recording,
    gang_1_split,
    inference_spec,
    kai_queue_limit,
    split_racks_world,
)
from .metrics_recording import PodLoad

ISL, OSL = 4000, 500


def _prefill(rps: float, ttft: float, *, queue: float = 0.0, kv: float = 0.45) -> PodLoad:
    return PodLoad(
        "prefill",
        rps,
        ISL,
        OSL,
        ttft_median=ttft,
        ttft_spread=0.25,
        queue=queue,
        running=3 if queue < 1 else 6,
        token_usage=kv,
    )


def _decode(rps: float, itl: float, *, kv: float = 0.5, queue: float = 0.0) -> PodLoad:
    return PodLoad("decode", rps, ISL, OSL, itl_median=itl, queue=queue, running=40, token_usage=kv)


def _packed(description: str, *, metrics: bool = True) -> ScenarioBuilder:
    """The healthy world: both gangs packed in one rack each, every pod running and ready;
    ``metrics=False`` runs the SGLang servers without ``--enable-metrics``."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, description)
    _cluster(b, {"gpu-a2": 4, "gpu-b2": 4, "gpu-c1": 8})
    spec = inference_spec(pack_required="rack", pack_preferred="host")
    if not metrics:
        spec.cliques = [
            replace(c, args=_sglang(c.name, c.gpus, metrics=False))
            if c.name in ("prefill", "decode")
            else c
            for c in spec.cliques
        ]
    b.workload(spec, pods={**REPLICA_0_IN_RACK_A, **REPLICA_1_IN_RACK_B})
    return b


# 5 req/s of 4000 → 500 tokens per engine pod: 10,000 output tok/s over 24 GPUs = 417 per GPU,
# 87% of the 480 the served plans expect.
SERVED_PLAN_TOKENS_PER_GPU = 480.0
_SERVED = {"prefill": _prefill(5.0, 0.09), "decode": _decode(5.0, 0.005)}


def healthy_served() -> Bundle:
    """Healthy, and serving within the plan: KV use about half, nothing queued, TTFT p99 under
    200 ms, ITL p99 under 8 ms, output tok/s per GPU 87% of the plan's."""
    b = _packed("both gangs packed, serving within the SLA")
    _plan_config_map(b, SERVED_PLAN_TOKENS_PER_GPU)
    return _with_recording(b.bundle(), _SERVED)


def prefill_starved() -> Bundle:
    """Every pod runs, well placed, but 6.5 req/s per pod is more than two TP4 prefill workers
    per replica keep up with: each prefill pod queues about 5 requests with its KV pool 93%
    full, TTFT p99 over a second against the 300 ms SLA; decode keeps ITL p99 under 10 ms."""
    b = _packed("prefill too small for the traffic")
    _plan_config_map(b)
    loads = {
        "prefill": PodLoad(
            "prefill",
            6.5,
            ISL,
            OSL,
            ttft_median=0.7,
            ttft_spread=0.35,
            queue=5,
            running=6,
            token_usage=0.93,
        ),
        "decode": _decode(6.5, 0.0058, kv=0.62),
    }
    return _with_recording(b.bundle(), loads)


def decode_saturated() -> Bundle:
    """Every pod runs, well placed; decode's KV pools are full (about 96%) with requests
    queued, ITL p99 about 13 ms against the 10 ms TPOT SLA; prefill keeps TTFT p99 low."""
    b = _packed("decode KV cache saturated")
    _plan_config_map(b)
    loads = {
        "prefill": _prefill(6.2, 0.09, kv=0.4),
        "decode": PodLoad(
            "decode", 6.2, ISL, OSL, itl_median=0.0095, queue=2, running=64, token_usage=0.96
        ),
    }
    return _with_recording(b.bundle(), loads)


def fragmented_tp() -> Bundle:
    """Gang 1 runs fully, but one TP4 prefill worker landed in rack-c while the rest of its
    gang (its decode peers, which pull its KV cache) is in rack-b, which has room for it: the
    derived placement score is under 1 and the topology report advises consolidating into
    rack-b. Latency stays within the SLA."""
    b = split_racks_world("gang 1's prefill worker split from its rack")
    _plan_config_map(b, SERVED_PLAN_TOKENS_PER_GPU)
    loads = {"prefill": _prefill(5.0, 0.1), "decode": _decode(5.0, 0.0058, kv=0.55)}
    return _with_recording(b.bundle(), loads)


# Light traffic on gang 1 missing a prefill pod: its one prefill pod takes the share of two,
# keeps up without a queue, its KV pool 70% used, TTFT p99 under 200 ms.
_LIGHT = {
    "0/prefill": _prefill(3.0, 0.09),
    "1/prefill": _prefill(6.0, 0.11, kv=0.7),
    "decode": _decode(3.0, 0.0055, kv=0.45),
}


def breached_near_termination() -> Bundle:
    """The demo's breach 3h50m later: gang 1's second prefill pod has been pending for GPUs
    (no node has 4 free) since its clique was breached, and Grove recreates PCS replica 1 in 10
    minutes. The traffic is light: the remaining pods keep TTFT and ITL within the SLA."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "gang 1 breached for 3h50m of 4h")
    _cluster(b, {"gpu-a2": 4, "gpu-b1": 1, "gpu-b2": 5, "gpu-c1": 3, "gpu-c2": 8})
    breach = timedelta(hours=3, minutes=50)
    objects = b.workload(
        inference_spec(age=timedelta(hours=6)),
        pods=gang_1_split(GPU_SHORTAGE, breach),
        breaches={"1/prefill": breach},
    )
    pending = next(
        o for o in objects.values() if o["kind"] == "Pod" and not o["spec"].get("nodeName")
    )
    b.event(
        pending,
        "FailedScheduling",
        GPU_SHORTAGE,
        count=230,
        first_ago=breach,
        last_ago=timedelta(minutes=1),
    )
    _plan_config_map(b)
    return _with_recording(b.bundle(), _LIGHT)


def quota_pending() -> Bundle:
    """Gang 1's prefill pod pending while gpu-c2 has 8 GPUs free: the GPU quota of its KAI
    queue ``inference`` (limit 20, 20 allocated) refuses it (the ``kai-queue-limit`` world),
    with the plan stored and light traffic served by the other pods.

    A namespace ResourceQuota cannot hold back a pod that exists (Kubernetes charges a pod at
    creation and the scheduler does not consult quotas); a scheduler's queue quota can."""
    bundle = kai_queue_limit()
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "pending for the queue's GPU quota, GPUs free")
    _plan_config_map(b)
    world = replace(
        bundle,
        manifest=replace(bundle.manifest, description=b.description),
        objects=(*bundle.objects, *b.objects),
        origin=f"scenario: {b.description}",
    )
    return _with_recording(world, _LIGHT)


def no_metrics() -> Bundle:
    """The healthy world with the plan stored, but the SGLang servers run without
    ``--enable-metrics`` and nothing was recorded: no engine pod can be read."""
    b = _packed("healthy, engine metrics disabled", metrics=False)
    _plan_config_map(b)
    return b.bundle()


DIAGNOSE_SCENARIOS: dict[str, Callable[[], Bundle]] = {
    "healthy-served": healthy_served,
    "prefill-starved": prefill_starved,
    "decode-saturated": decode_saturated,
    "fragmented-tp": fragmented_tp,
    "breached-near-termination": breached_near_termination,
    "quota-pending": quota_pending,
    "no-metrics": no_metrics,
}

PLANTED: dict[str, tuple[str, ...]] = {
    "demo": (
        "FEWER_THAN_PLANNED",
        "POD_UNSCHEDULABLE",
        "TTFT_PREFILL_QUEUEING",
        "MIN_AVAILABLE_BREACHED",
    ),
    "rolling-update": ("ROLLING_UPDATE",),
    "prefill-starved": ("TTFT_PREFILL_QUEUEING",),
    "decode-saturated": ("TPOT_DECODE_SATURATED",),
    "fragmented-tp": ("SPLIT_PLACEMENT", "GANG_SPLIT"),
    "breached-near-termination": ("MIN_AVAILABLE_BREACHED",),
    "quota-pending": ("SCHEDULER_DISAGREES",),
    "no-metrics": ("METRICS_UNREADABLE",),
    "healthy-served": (),
}
