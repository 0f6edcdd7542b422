"""Named scenarios: the demo and the situations the tests (and demos on real clusters) need.

Each function returns a ``Bundle``; ``SCENARIOS`` maps names to them for the seeder's CLI.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from ..sources.bundle import Bundle
from .builder import ScenarioBuilder
from .grove_objects import ALPHA_8, ALPHA_11, ALPHA_12, WITH_PR_792, GroveShape
from .metrics_recording import PodLoad, record
from .specs import CliqueSpec, PodState, ScalingGroupSpec, WorkloadSpec, ts

NAMESPACE = "vllm-disagg"
CAPTURED_AT = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
MODEL = "Qwen/Qwen3-32B"
GPU_SHORTAGE = (
    "0/6 nodes are available: 6 Insufficient nvidia.com/gpu. preemption: 0/6 nodes "
    "are available: 6 No preemption victims found for incoming pod."
)
LEVELS = [
    ("region", "topology.kubernetes.io/region"),
    ("zone", "topology.kubernetes.io/zone"),
    ("rack", "topology.kubernetes.io/rack"),
    ("host", "kubernetes.io/hostname"),
]
RACKS = {
    "rack-a": ("gpu-a1", "gpu-a2"),
    "rack-b": ("gpu-b1", "gpu-b2"),
    "rack-c": ("gpu-c1", "gpu-c2"),
}


def _sglang(mode: str, tp: int, *, metrics: bool = True) -> tuple[str, ...]:
    """An SGLang server's command line; ``metrics=False`` leaves out ``--enable-metrics``."""
    args = (
        "python3",
        "-m",
        "sglang.launch_server",
        "--model-path",
        MODEL,
        "--tp",
        str(tp),
        "--disaggregation-mode",
        mode,
        "--port",
        "30000",
        "--enable-metrics",
    )
    return args if metrics else args[:-1]


# Replica 0 packed in rack-a: prefill on gpu-a1, decode and router on gpu-a2.
REPLICA_0_IN_RACK_A = {
    "0/router/0": PodState(node="gpu-a2"),
    "0/prefill/0": PodState(node="gpu-a1"),
    "0/prefill/1": PodState(node="gpu-a1"),
    "0/decode/0": PodState(node="gpu-a2"),
    "0/decode/1": PodState(node="gpu-a2"),
}
REPLICA_1_IN_RACK_B = {
    "1/router/0": PodState(node="gpu-b2"),
    "1/prefill/0": PodState(node="gpu-b1"),
    "1/prefill/1": PodState(node="gpu-b1"),
    "1/decode/0": PodState(node="gpu-b2"),
    "1/decode/1": PodState(node="gpu-b2"),
}


def gang_1_split(pending: str, age: timedelta) -> dict[str, PodState]:
    """Both gangs' pods: gang 0 packed in rack-a; gang 1 split over racks b and c, one prefill
    pod without a node for ``age``, held back by the scheduler's ``pending`` message."""
    return {
        **REPLICA_0_IN_RACK_A,
        "1/router/0": PodState(node="gpu-c1"),
        "1/prefill/0": PodState(node="gpu-b1"),
        "1/prefill/1": PodState(unschedulable=pending, age=age),
        "1/decode/0": PodState(node="gpu-b1"),
        "1/decode/1": PodState(node="gpu-c1"),
    }


def inference_spec(**overrides: object) -> WorkloadSpec:
    """``my-inference``: router + prefill (2 × TP4) + decode (2 × TP2) per replica, 12 GPUs."""
    spec = WorkloadSpec(
        name="my-inference",
        replicas=2,
        cliques=[
            CliqueSpec(
                "router",
                1,
                gpus=0,
                role="router",
                port=8000,
                cpu="4",
                memory="16Gi",
                image="lmsysorg/sglang:v0.5.5",
                args=(
                    "python3",
                    "-m",
                    "sglang_router.launch_router",
                    "--pd-disaggregation",
                    "--port",
                    "8000",
                ),
            ),
            CliqueSpec("prefill", 2, gpus=4, role="prefill", args=_sglang("prefill", 4)),
            CliqueSpec("decode", 2, gpus=2, role="decode", args=_sglang("decode", 2)),
        ],
        termination_delay="4h",
        pack_preferred="rack",
        topology_name="gpu-fabric",
        labels={"app.kubernetes.io/name": "my-inference"},
    )
    for key, value in overrides.items():
        setattr(spec, key, value)
    return spec


def _cluster(
    b: ScenarioBuilder, training: dict[str, int], levels: list[tuple[str, str]] = LEVELS
) -> None:
    """Three racks of two 8-GPU H200 nodes, plus a training job holding some GPUs."""
    b.topology("gpu-fabric", levels)
    for rack, nodes in RACKS.items():
        for node in nodes:
            b.node(
                node,
                {
                    "topology.kubernetes.io/region": "us-east-1",
                    "topology.kubernetes.io/zone": "us-east-1a",
                    "topology.kubernetes.io/rack": rack,
                },
            )
    for index, (node, gpus) in enumerate(sorted(training.items())):
        b.other_pod(
            "ml-training",
            f"llm-pretrain-worker-{index}",
            node,
            gpus,
            labels={"app": "llm-pretrain", "training.kubeflow.org/job-name": "llm-pretrain"},
        )


def _plan_config_map(b: ScenarioBuilder, tokens_per_gpu: float = 612.4) -> None:
    """The stored AIConfigurator plan (SLA TTFT 300 ms / TPOT 10 ms); ``tokens_per_gpu`` is
    the output tok/s per GPU it expects."""
    plan = {
        "format": "grove-mcp-plan",
        "formatVersion": 1,
        "model": MODEL,
        "system": "h200_sxm",
        "backend": "sglang",
        "backendVersion": "0.5.5",
        "servingMode": "disagg",
        "aiconfiguratorVersion": "0.12.0",
        "createdAt": "2026-11-19T09:12:00Z",
        "inputs": {"totalGpus": 24, "isl": 4000, "osl": 500, "ttftMs": 300, "tpotMs": 10},
        "sla": {"ttftMs": 300, "tpotMs": 10},
        "config": {
            "replicas": 2,
            "prefill": {"workers": 2, "tp": 4, "pp": 1, "gpusPerWorker": 4},
            "decode": {"workers": 2, "tp": 2, "pp": 1, "gpusPerWorker": 2},
            "totalGpus": 24,
        },
        "expected": {
            "tokensPerSecondPerGpu": tokens_per_gpu,
            "tokensPerSecondPerUser": 104.2,
            "ttftMs": 268.0,
            "tpotMs": 9.6,
        },
    }
    b.config_map(
        "my-inference-aic-plan",
        {"plan.json": json.dumps(plan, indent=2)},
        {"grove.io/aic-plan": "my-inference"},
    )


def demo() -> Bundle:
    """The embedded demo: gang 0 packed in rack-a; gang 1 split over racks b and c, one prefill
    pod pending for GPUs, MinAvailableBreached for 18 minutes of a 4h terminationDelay."""
    b = ScenarioBuilder(
        NAMESPACE,
        CAPTURED_AT,
        "my-inference: disaggregated SGLang serving, gang 1 split and breached",
    )
    _cluster(b, {"gpu-a2": 4, "gpu-b1": 1, "gpu-b2": 5, "gpu-c1": 3, "gpu-c2": 8})
    breach = timedelta(minutes=18)
    objects = b.workload(
        inference_spec(),
        pods=gang_1_split(GPU_SHORTAGE, breach),
        breaches={"1/prefill": breach},
    )
    pending = next(
        o
        for n, o in objects.items()
        if n.startswith("my-inference-1-prefill-")
        and o["kind"] == "Pod"
        and not o["spec"].get("nodeName")
    )
    b.event(
        pending,
        "FailedScheduling",
        GPU_SHORTAGE,
        count=14,
        first_ago=breach,
        last_ago=timedelta(minutes=1),
    )
    b.event(
        objects["my-inference-1-prefill"],
        "PodCreateSuccessful",
        f"Created Pod: {pending['metadata']['name']}",
        type_="Normal",
        first_ago=breach,
        last_ago=breach,
        component="grove-operator",
    )
    _plan_config_map(b)
    return _with_recording(b.bundle(), _DEMO_LOADS)


# The demo's traffic: 19.2 req/s of 7,000 → 500 tokens split evenly over the two replicas; the
# plan assumed ISL 4,000, so diagnose names the drift (×1.75) and replan proposes a configuration
# for it (AIConfigurator finds none within 300 ms TTFT at 10,000). Gang 1 has one prefill pod of
# two, so it prefills twice the requests: queued, KV pool nearly full, TTFT p99 far over the plan's
# 300 ms. Decode keeps ITL p99 under 10 ms. A third of the prompt tokens hit the prefix cache.
DEMO_ISL = 7_000
_FAST_PREFILL = PodLoad(
    "prefill",
    4.8,
    DEMO_ISL,
    500,
    ttft_median=0.11,
    ttft_spread=0.25,
    queue=0.3,
    running=3,
    token_usage=0.45,
    cache_hit_rate=0.3,
)
_DEMO_LOADS = {
    "0/prefill": _FAST_PREFILL,
    "1/prefill": PodLoad(
        "prefill",
        9.6,
        DEMO_ISL,
        500,
        ttft_median=0.55,
        ttft_spread=0.35,
        queue=7,
        running=6,
        token_usage=0.94,
        cache_hit_rate=0.3,
    ),
    "decode": PodLoad(
        "decode", 4.8, DEMO_ISL, 500, itl_median=0.0062, running=40, token_usage=0.55
    ),
}


def _with_recording(bundle: Bundle, loads: dict[str, PodLoad]) -> Bundle:
    """The bundle with recorded scrapes of its running, ready engine pods; a pod's load is the
    first of ``loads`` whose key its name contains as ``-<key>-`` (``/`` for ``-``)."""
    chosen: dict[str, PodLoad] = {}
    for obj in bundle.objects:
        name = obj["metadata"]["name"]
        if obj["kind"] != "Pod" or obj["metadata"].get("namespace") != bundle.manifest.namespace:
            continue
        if obj.get("status", {}).get("phase") != "Running" or not _ready(obj):
            continue
        key = next((k for k in loads if f"-{k.replace('/', '-')}-" in name), None)
        if key is not None:
            chosen[name] = loads[key]
    recorded = record(chosen, MODEL)
    ns = bundle.manifest.namespace
    return replace(bundle, metrics={(ns, pod): rows for pod, rows in recorded.items()})


def _ready(pod: dict) -> bool:
    """Whether the pod's Ready condition is True (a crash-looping engine serves no scrape)."""
    conditions = pod.get("status", {}).get("conditions") or []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def healthy() -> Bundle:
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "both gangs packed, every pod ready")
    _cluster(b, {"gpu-a2": 4, "gpu-b2": 4, "gpu-c1": 8})
    b.workload(
        inference_spec(pack_required="rack", pack_preferred="host"),
        pods={
            **REPLICA_0_IN_RACK_A,
            **REPLICA_1_IN_RACK_B,
        },
    )
    return b.bundle()


def split_racks() -> Bundle:
    """Gang 1 runs fully but across racks b and c; rack b has room to take it."""
    return split_racks_world("gang 1 split across racks, room in rack-b").bundle()


def split_racks_world(description: str) -> ScenarioBuilder:
    """The world of :func:`split_racks`, still open for more objects."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, description)
    _cluster(b, {"gpu-a2": 4, "gpu-b2": 2, "gpu-c2": 8})
    b.workload(
        inference_spec(),
        pods={
            **REPLICA_0_IN_RACK_A,
            "1/router/0": PodState(node="gpu-b1"),
            "1/prefill/0": PodState(node="gpu-b1"),
            "1/prefill/1": PodState(node="gpu-c1"),
            "1/decode/0": PodState(node="gpu-b1"),
            "1/decode/1": PodState(node="gpu-b1"),
        },
    )
    return b


def pending_gpus() -> Bundle:
    """Gang 1 was never fully scheduled: two prefill pods pending for GPUs since startup."""
    b = ScenarioBuilder(
        NAMESPACE, CAPTURED_AT, "gang 1 pending for GPUs at startup", shape=WITH_PR_792
    )
    _cluster(b, {"gpu-a2": 4, "gpu-b1": 6, "gpu-b2": 6, "gpu-c1": 5, "gpu-c2": 5})
    young = timedelta(minutes=6)
    b.workload(
        inference_spec(age=young),
        pods={
            "0/router/0": PodState(node="gpu-a2", age=young),
            "0/prefill/0": PodState(node="gpu-a1", age=young),
            "0/prefill/1": PodState(node="gpu-a1", age=young),
            "0/decode/0": PodState(node="gpu-a2", age=young),
            "0/decode/1": PodState(node="gpu-a2", age=young),
            "1/router/0": PodState(node="gpu-b1", age=young),
            "1/prefill/0": PodState(unschedulable=GPU_SHORTAGE, age=young),
            "1/prefill/1": PodState(unschedulable=GPU_SHORTAGE, age=young),
            "1/decode/0": PodState(node="gpu-b1", age=young, ready=False),
            "1/decode/1": PodState(node="gpu-b2", age=young, ready=False),
        },
        breaches={"1/prefill": timedelta(minutes=5), "1/decode": timedelta(minutes=5)},
        never_scheduled={1},
    )
    return b.bundle()


def breached_countdown() -> Bundle:
    """The demo's breach, 3h50m later: ten minutes before Grove recreates replica 1."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "gang 1 breached for 3h50m of 4h")
    _cluster(b, {"gpu-a2": 4, "gpu-b1": 1, "gpu-b2": 5, "gpu-c1": 3, "gpu-c2": 8})
    breach = timedelta(hours=3, minutes=50)
    b.workload(
        inference_spec(age=timedelta(hours=6)),
        pods={
            **REPLICA_0_IN_RACK_A,
            "1/router/0": PodState(node="gpu-c1"),
            "1/prefill/0": PodState(node="gpu-b1"),
            "1/prefill/1": PodState(unschedulable=GPU_SHORTAGE, age=breach),
            "1/decode/0": PodState(node="gpu-b1"),
            "1/decode/1": PodState(
                node="gpu-c1",
                ready=False,
                restarts=7,
                waiting_reason="CrashLoopBackOff",
                last_exit=("Error", 1),
            ),
        },
        breaches={"1/prefill": breach, "1/decode": timedelta(minutes=12)},
    )
    return b.bundle()


def rolling_update() -> Bundle:
    """A rolling recreate in progress on replica 0: one prefill pod already on the new template."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "rolling update of replica 0 in progress")
    _cluster(b, {"gpu-a2": 4, "gpu-b2": 4, "gpu-c1": 8})
    b.workload(
        inference_spec(),
        pods={
            "0/router/0": PodState(node="gpu-a2", updated=False),
            "0/prefill/0": PodState(node="gpu-a1", age=timedelta(minutes=4)),
            "0/prefill/1": PodState(node="gpu-a1", updated=False),
            "0/decode/0": PodState(node="gpu-a2", updated=False),
            "0/decode/1": PodState(node="gpu-a2", updated=False),
            **REPLICA_1_IN_RACK_B,
        },
        updating_replica=0,
    )
    return b.bundle()


def legacy_alpha8() -> Bundle:
    """Grove ≤ alpha.8 shapes: ClusterTopology (levels listed out of order), packDomain,
    rollingUpdateProgress with name lists and a single currentlyUpdating object."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "Grove alpha.8 object shapes", shape=ALPHA_8)
    b.topology("grove-topology", [LEVELS[3], LEVELS[2], LEVELS[0], LEVELS[1]])
    for rack, nodes in RACKS.items():
        for node in nodes:
            b.node(
                node,
                {
                    "topology.kubernetes.io/region": "us-east-1",
                    "topology.kubernetes.io/zone": "us-east-1a",
                    "topology.kubernetes.io/rack": rack,
                },
            )
    b.workload(
        inference_spec(pack_required="rack", pack_preferred=None, topology_name=None),
        pods={
            "0/prefill/0": PodState(node="gpu-a1"),
            "0/prefill/1": PodState(node="gpu-a1"),
            "0/decode/0": PodState(node="gpu-a2", updated=False),
            "0/decode/1": PodState(node="gpu-a2", updated=False),
            "0/router/0": PodState(node="gpu-a2", updated=False),
            "1/prefill/0": PodState(node="gpu-b1"),
            "1/prefill/1": PodState(node="gpu-b1"),
            "1/decode/0": PodState(node="gpu-b2"),
            "1/decode/1": PodState(node="gpu-b2"),
            "1/router/0": PodState(node="gpu-b2"),
        },
        updating_replica=0,
    )
    return b.bundle()


def podgang_without_phase() -> Bundle:
    """PodGangs without status.phase (Grove PR #763) and with Scheduled/Ready conditions."""
    b = ScenarioBuilder(
        NAMESPACE,
        CAPTURED_AT,
        "PodGangs without phase, with PR #792's Scheduled/Ready conditions",
        shape=GroveShape(podgang_phase=False, podgang_ready_conditions=True),
    )
    _cluster(b, {})
    b.workload(inference_spec(replicas=1))
    return b.bundle()


def _multinode_spec(**overrides: object) -> WorkloadSpec:
    """A frontend plus a two-node decode scaling group (leader + worker, 4 GPUs each)."""
    spec = WorkloadSpec(
        name="mn-disagg",
        replicas=1,
        cliques=[
            CliqueSpec("frontend", 1, role="frontend", port=8000, cpu="4"),
            CliqueSpec("dleader", 1, gpus=4, role="dleader"),
            CliqueSpec("dworker", 1, gpus=4, role="dworker"),
        ],
        scaling_groups=[
            ScalingGroupSpec("decode", ("dleader", "dworker"), replicas=2, min_available=1)
        ],
        pack_required="rack",
        topology_name="gpu-fabric",
        termination_delay="15m",
    )
    for key, value in overrides.items():
        setattr(spec, key, value)
    return spec


def _decode_leader_pending(b: ScenarioBuilder) -> None:
    """mn-disagg with decode replica 0's leader pending for GPUs 3 minutes (the group
    breached) and replica 1, a scaled gang, gated behind it; every node full but gpu-a1's 4
    GPUs beside the dworker, so the pending leader's 4 fit nowhere."""
    _cluster(b, {"gpu-a1": 4, "gpu-a2": 8, "gpu-b1": 8, "gpu-b2": 8, "gpu-c1": 8, "gpu-c2": 8})
    b.workload(
        _multinode_spec(),
        pods={
            "0/frontend/0": PodState(node="gpu-a1"),
            "0/decode/0/dleader/0": PodState(unschedulable=GPU_SHORTAGE, age=timedelta(minutes=3)),
            "0/decode/0/dworker/0": PodState(node="gpu-a1", ready=False),
            "0/decode/1/dleader/0": PodState(gated=True),
            "0/decode/1/dworker/0": PodState(gated=True),
        },
        breaches={
            "0/decode/0/dleader": timedelta(minutes=3),
            "0/decode/0/dworker": timedelta(minutes=3),
            "0/decode": timedelta(minutes=3),
        },
    )


def epoch_gangs() -> Bundle:
    """alpha.12 final: epoch-named PodGangs, a multinode decode scaling group with a scaled gang
    whose pods wait, gated, for the base gang."""
    b = ScenarioBuilder(
        NAMESPACE,
        CAPTURED_AT,
        "epoch-named gangs, scaled gang gated",
        shape=GroveShape(epoch_names=True, operator_tag="v0.1.0-alpha.12"),
    )
    _decode_leader_pending(b)
    return b.bundle()


def plan_drift() -> Bundle:
    """The demo's stored plan beside a deployment that drifted from it: prefill scaled to 3
    workers on the live PodCliques (the template still says 2, as after an HPA scale-up), decode
    redeployed at TP4 on 4 GPUs, and an older SGLang image."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "deployment drifted from its stored plan")
    _cluster(b, {})
    image = "lmsysorg/sglang:v0.5.3"
    spec = inference_spec(
        cliques=[
            CliqueSpec("router", 1, gpus=0, role="router", port=8000, cpu="4", image=image),
            CliqueSpec(
                "prefill", 3, gpus=4, role="prefill", image=image, args=_sglang("prefill", 4)
            ),
            CliqueSpec("decode", 2, gpus=4, role="decode", image=image, args=_sglang("decode", 4)),
        ]
    )
    objects = b.workload(spec)
    for clique in objects["my-inference"]["spec"]["template"]["cliques"]:
        if clique["name"] == "prefill":
            clique["spec"]["replicas"] = 2  # scaled on the PodCliques, not in the template
    _plan_config_map(b)
    return b.bundle()


def constraint_not_enforced() -> Bundle:
    """The PodCliqueSet packs by rack, but the ClusterTopologyBinding lost its rack level half
    an hour ago: Grove reports TopologyLevelsUnavailable=True, translates no pack constraint
    into the PodGangs, and gang 1 landed across racks."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "pack constraint names a level the topology lacks")
    _cluster(b, {"gpu-a2": 4, "gpu-b2": 4, "gpu-c2": 8}, [lv for lv in LEVELS if lv[0] != "rack"])
    objects = b.workload(
        inference_spec(pack_required="rack", pack_preferred=None),
        pods={
            **REPLICA_0_IN_RACK_A,
            "1/router/0": PodState(node="gpu-b1"),
            "1/prefill/0": PodState(node="gpu-b1"),
            "1/prefill/1": PodState(node="gpu-c1"),
            "1/decode/0": PodState(node="gpu-b1"),
            "1/decode/1": PodState(node="gpu-b1"),
        },
    )
    for obj in objects.values():
        if obj["kind"] == "PodGang":  # levels the binding lacks cannot be translated
            obj["spec"].pop("topologyConstraint", None)
            obj["metadata"].pop("annotations", None)
        if obj["kind"] == "PodCliqueSet":
            obj["status"]["conditions"] = [
                {
                    "type": "TopologyLevelsUnavailable",
                    "status": "True",
                    "reason": "ClusterTopologyLevelsUnavailable",
                    "message": "Unavailable topology domains: [rack]",
                    "lastTransitionTime": ts(CAPTURED_AT - timedelta(minutes=30)),
                    "observedGeneration": 1,
                }
            ]
    return b.bundle()


KUEUE_GATE = "kueue.x-k8s.io/admission"


def foreign_gate() -> Bundle:
    """Gang 1's PodGang is initialised, so Grove lifted its own gate; its decode pods still
    carry Kueue's admission gate, which only Kueue lifts."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "decode pods held by Kueue's gate, not Grove's")
    _cluster(b, {"gpu-a2": 4, "gpu-b2": 4, "gpu-c1": 8})
    objects = b.workload(
        inference_spec(pack_required="rack"),
        pods={
            **REPLICA_0_IN_RACK_A,
            **REPLICA_1_IN_RACK_B,
            "1/decode/0": PodState(gated=True, ready=False),
            "1/decode/1": PodState(gated=True, ready=False),
        },
        never_scheduled={1},
    )
    for obj in objects.values():
        if obj["kind"] == "Pod" and obj["spec"].get("schedulingGates"):
            obj["spec"]["schedulingGates"] = [{"name": KUEUE_GATE}]
    return b.bundle()


def look_alike_pod() -> Bundle:
    """Healthy, plus a load-generator pod the team labelled part-of=my-inference (as Helm
    charts do) holding a GPU: it is not Grove's, so it is not the workload's."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "a user's pod labelled part-of the workload")
    _cluster(b, {"gpu-a2": 3, "gpu-b2": 4, "gpu-c1": 8})
    b.workload(
        inference_spec(pack_required="rack", pack_preferred="host"),
        pods={
            **REPLICA_0_IN_RACK_A,
            **REPLICA_1_IN_RACK_B,
        },
    )
    b.other_pod(
        NAMESPACE,
        "my-inference-loadgen-7c9d5",
        "gpu-a2",
        1,
        labels={"app.kubernetes.io/part-of": "my-inference", "app": "loadgen"},
    )
    return b.bundle()


def breached_after_scheduled() -> Bundle:
    """Gang 1 never became Ready (PodGang Ready=False, no lastReady), but its decode clique was
    scheduled and then lost a pod to a node failure 40 minutes ago: Grove counts the breach
    (PodCliqueScheduled turned False long after creation) and recreates replica 1 when the
    delay ends, whatever the PodGang says."""
    b = ScenarioBuilder(
        NAMESPACE,
        CAPTURED_AT,
        "decode scheduled, then breached; gang never Ready",
        shape=WITH_PR_792,
    )
    _cluster(b, {"gpu-a2": 4, "gpu-b2": 6, "gpu-c1": 8, "gpu-c2": 8})
    lost = timedelta(minutes=40)
    objects = b.workload(
        inference_spec(pack_required="rack"),
        pods={
            **REPLICA_0_IN_RACK_A,
            "1/router/0": PodState(node="gpu-b2"),
            "1/prefill/0": PodState(node="gpu-b1", ready=False),
            "1/prefill/1": PodState(node="gpu-b1", ready=False),
            "1/decode/0": PodState(node="gpu-b2"),
            "1/decode/1": PodState(unschedulable=GPU_SHORTAGE, age=lost),
        },
        breaches={"1/decode": lost},
    )
    for obj in objects.values():
        if obj["kind"] == "PodGang" and obj["metadata"]["name"] == "my-inference-1":
            obj["status"].pop("lastReady", None)  # never Ready: prefill never got ready
    return b.bundle()


def _never_scheduled(shape: GroveShape, description: str) -> Bundle:
    """Replica 1 started 50 minutes ago and never got all its pods scheduled: one of two
    prefill pods and both decode pods pending for GPUs since startup."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, description, shape=shape)
    _cluster(b, {"gpu-a2": 4, "gpu-b1": 4, "gpu-b2": 8, "gpu-c1": 8, "gpu-c2": 8})
    age = timedelta(minutes=50)
    b.workload(
        inference_spec(age=age),
        pods={
            **{k: PodState(node=v.node, age=age) for k, v in REPLICA_0_IN_RACK_A.items()},
            "1/router/0": PodState(node="gpu-b1", age=age),
            "1/prefill/0": PodState(node="gpu-b1", age=age),
            "1/prefill/1": PodState(unschedulable=GPU_SHORTAGE, age=age),
            "1/decode/0": PodState(unschedulable=GPU_SHORTAGE, age=age),
            "1/decode/1": PodState(unschedulable=GPU_SHORTAGE, age=age),
        },
        breaches={"1/prefill": age - timedelta(minutes=1), "1/decode": age - timedelta(minutes=1)},
        never_scheduled={1},
    )
    return b.bundle()


def never_scheduled_alpha12() -> Bundle:
    """At alpha.12 both cliques are breached, but neither was ever scheduled: Grove leaves the
    replica alone (no countdown)."""
    return _never_scheduled(ALPHA_12, "never scheduled, Grove alpha.12: no termination")


def never_scheduled_alpha11() -> Bundle:
    """The same start at alpha.11: decode (0 scheduled) is not breached at all, prefill (1 of 2
    scheduled) is, and alpha.11 has no ever-scheduled gate: replica 1 is recreated when the
    delay ends."""
    return _never_scheduled(ALPHA_11, "never scheduled, Grove alpha.11: countdown runs")


def pcsg_never_healthy() -> Bundle:
    """The decode scaling group has been below its minAvailable since it was created 20
    minutes ago (its leader never got GPUs): past the 15m delay, yet Grove does not act, since
    the group was never healthy."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "scaling group never healthy", shape=ALPHA_12)
    _cluster(b, {"gpu-a1": 4, "gpu-a2": 8, "gpu-b1": 8, "gpu-b2": 8, "gpu-c1": 8, "gpu-c2": 8})
    age = timedelta(minutes=20)
    b.workload(
        _multinode_spec(age=age),
        pods={
            "0/frontend/0": PodState(node="gpu-a1", age=age),
            "0/decode/0/dleader/0": PodState(unschedulable=GPU_SHORTAGE, age=age),
            "0/decode/0/dworker/0": PodState(node="gpu-a1", age=age),
            "0/decode/1/dleader/0": PodState(gated=True, age=age),
            "0/decode/1/dworker/0": PodState(gated=True, age=age),
        },
        breaches={"0/decode/0/dleader": age - timedelta(minutes=1)},
        never_scheduled={0},
    )
    return b.bundle()


def pcsg_recycling() -> Bundle:
    """Grove already fired: the decode group was breached for longer than its 15m delay, so 4
    minutes ago Grove deleted replica 0's PodCliques and marked the group
    GangTerminationInProgress. The recreated decode pods wait for GPUs; no new countdown runs
    until the group recovers."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "scaling group being recycled", shape=ALPHA_12)
    _cluster(b, {"gpu-a1": 4, "gpu-a2": 8, "gpu-b1": 8, "gpu-b2": 8, "gpu-c1": 8, "gpu-c2": 8})
    fired = timedelta(minutes=4)
    objects = b.workload(
        _multinode_spec(age=timedelta(hours=3)),
        pods={
            "0/frontend/0": PodState(node="gpu-a1", age=fired),
            "0/decode/0/dleader/0": PodState(unschedulable=GPU_SHORTAGE, age=fired),
            "0/decode/0/dworker/0": PodState(node="gpu-a1", ready=False, age=fired),
            "0/decode/1/dleader/0": PodState(gated=True, age=fired),
            "0/decode/1/dworker/0": PodState(gated=True, age=fired),
        },
        breaches={
            "0/decode/0/dleader": fired - timedelta(minutes=1),
            "0/decode/0/dworker": fired - timedelta(minutes=1),
            "0/decode": timedelta(minutes=19),
        },
    )
    group = objects["mn-disagg-0-decode"]
    group["status"]["conditions"].append(
        {
            "type": "GangTerminationInProgress",
            "status": "True",
            "reason": "GangTerminationActive",
            "message": "Gang termination fired at PCS-replica scope for PCS replica 0; this "
            "PCSG's PodCliques were deleted as part of the recycle",
            "lastTransitionTime": ts(CAPTURED_AT - fired),
        }
    )
    b.event(
        objects["mn-disagg"],
        "PodCliqueSetReplicaDeleteSuccessful",
        "PodCliqueSet replica 0 deleted",
        type_="Normal",
        first_ago=fired,
        last_ago=fired,
        component="grove-operator",
    )
    return b.bundle()


def scaled_replica_lost() -> Bundle:
    """mn-disagg at alpha.12 final with its second decode replica's leader lost 10 minutes ago
    (it had run): the group still has minAvailable replicas, so when the 15m delay ends Grove
    recreates that scaling-group replica alone, not the whole PCS replica."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "scaled decode replica lost its leader", ALPHA_12)
    _cluster(b, {"gpu-a2": 8, "gpu-b1": 8, "gpu-b2": 8, "gpu-c1": 8, "gpu-c2": 4})
    b.workload(
        _multinode_spec(),
        pods={
            "0/frontend/0": PodState(node="gpu-a1"),
            "0/decode/0/dleader/0": PodState(node="gpu-a1"),
            "0/decode/0/dworker/0": PodState(node="gpu-a1"),
            "0/decode/1/dleader/0": PodState(unschedulable=GPU_SHORTAGE),
            "0/decode/1/dworker/0": PodState(node="gpu-c2"),
        },
        breaches={"0/decode/1/dleader": timedelta(minutes=10)},
    )
    return b.bundle()


def final_alpha12() -> Bundle:
    """alpha.12 final: gangs named by epoch, a PodGangMap per replica, and no
    grove.io/base-podgang label: the scaled decode gang's dependency is the Tail entry's
    dependsOn, and its pods stay gated until the anchor gang is scheduled."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "alpha.12 final: PodGangMap", shape=ALPHA_12)
    _decode_leader_pending(b)
    return b.bundle()


KAI_SHORTAGE = "0/6 nodes are available: 6 node(s) didn't have enough resources: GPUs."


def _pending_with_room(b: ScenarioBuilder, message: str) -> dict[str, dict]:
    """The demo's gang 1 (split over racks b and c, one prefill pod pending with ``message``)
    in a cluster where gpu-c2 has all its 8 GPUs free."""
    _cluster(b, {"gpu-a2": 4, "gpu-b1": 1, "gpu-b2": 5, "gpu-c1": 3})
    breach = timedelta(minutes=18)
    objects = b.workload(
        inference_spec(), pods=gang_1_split(message, breach), breaches={"1/prefill": breach}
    )
    pending = next(
        o for o in objects.values() if o["kind"] == "Pod" and not o["spec"].get("nodeName")
    )
    b.event(
        pending,
        "FailedScheduling",
        message,
        count=9,
        first_ago=breach,
        last_ago=timedelta(minutes=1),
    )
    return objects


def scheduler_disagrees() -> Bundle:
    """The scheduler reports Insufficient nvidia.com/gpu for a prefill pod, yet gpu-c2 has 8
    free GPUs: preemption has nominated a training pod (8 GPUs) to gpu-c2, which holds that
    room. The namespace's ResourceQuota is full (24 of 24 GPUs), which refuses new GPU pods but
    not this one, admitted before."""
    b = ScenarioBuilder(
        NAMESPACE,
        CAPTURED_AT,
        "scheduler says no GPUs, a node has 8 free: held for a nominated pod",
    )
    _pending_with_room(b, GPU_SHORTAGE)
    b.nominated_pod(
        "ml-training",
        "llm-eval-0",
        "gpu-c2",
        8,
        labels={"app": "llm-eval", "training.kubeflow.org/job-name": "llm-eval"},
    )
    b.resource_quota("gpu-quota", hard_gpus=24, used_gpus=24)
    return b.bundle()


def kai_queue_limit() -> Bundle:
    """The same shortage under KAI-Scheduler: gpu-c2 is free, but the pods' queue ``inference``
    has its 20-GPU limit allocated, so KAI refuses the gang's pending 4 GPUs."""
    b = ScenarioBuilder(
        NAMESPACE, CAPTURED_AT, "KAI says no GPUs, a node has 8 free: the queue is at its limit"
    )
    objects = _pending_with_room(b, KAI_SHORTAGE)
    for obj in objects.values():
        if obj["kind"] == "Pod":
            obj["spec"]["schedulerName"] = "kai-scheduler"
            obj["metadata"]["labels"]["kai.scheduler/queue"] = "inference"
    b.kai_queue("inference-root", quota=-1, limit=-1, allocated=20)
    b.kai_queue("inference", quota=16, limit=20, allocated=20, parent="inference-root")
    return b.bundle()


def advice_whole_gang() -> Bundle:
    """Gang 1 split over racks a and b, and its prefill pod recreated seconds ago (no scheduler
    verdict yet). Rack b, where most of the gang runs, has room for the decode pod from rack a
    but then none for the new pod; rack c, empty, holds the whole gang."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "gang 1 split; only an empty rack holds it all")
    _cluster(b, {"gpu-b1": 1, "gpu-b2": 5})
    young = timedelta(seconds=15)
    objects = b.workload(
        inference_spec(),
        pods={
            **REPLICA_0_IN_RACK_A,
            "1/router/0": PodState(node="gpu-b1"),
            "1/prefill/0": PodState(node="gpu-b1"),
            "1/prefill/1": PodState(unschedulable="(none yet)", age=young),
            "1/decode/0": PodState(node="gpu-b1"),
            "1/decode/1": PodState(node="gpu-a2"),
        },
        breaches={"1/prefill": young},
    )
    for obj in objects.values():
        if obj["kind"] == "Pod" and not obj["spec"].get("nodeName"):
            obj["status"]["conditions"] = []  # the scheduler has not looked at it yet
    return b.bundle()


SCENARIOS: dict[str, Callable[[], Bundle]] = {
    "demo": demo,
    "healthy": healthy,
    "split-racks": split_racks,
    "pending-gpus": pending_gpus,
    "breached-countdown": breached_countdown,
    "rolling-update": rolling_update,
    "legacy-alpha8": legacy_alpha8,
    "podgang-without-phase": podgang_without_phase,
    "epoch-gangs": epoch_gangs,
    "plan-drift": plan_drift,
    "constraint-not-enforced": constraint_not_enforced,
    "foreign-gate": foreign_gate,
    "look-alike-pod": look_alike_pod,
    "breached-after-scheduled": breached_after_scheduled,
    "never-scheduled-alpha12": never_scheduled_alpha12,
    "never-scheduled-alpha11": never_scheduled_alpha11,
    "pcsg-never-healthy": pcsg_never_healthy,
    "pcsg-recycling": pcsg_recycling,
    "final-alpha12": final_alpha12,
    "scaled-replica-lost": scaled_replica_lost,
    "scheduler-disagrees": scheduler_disagrees,
    "kai-queue-limit": kai_queue_limit,
    "advice-whole-gang": advice_whole_gang,
}
