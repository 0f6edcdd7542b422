"""Reports for the Slack renderer's tests: the demo's, a few named scenarios', and a big
workload (40 replicas, 200 pods, 12 gangs breached) whose reports overflow one message."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from pydantic import BaseModel

from grove_mcp import core
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.scenarios.builder import ScenarioBuilder
from grove_mcp.scenarios.catalog import (
    CAPTURED_AT,
    GPU_SHORTAGE,
    LEVELS,
    NAMESPACE,
    inference_spec,
)
from grove_mcp.scenarios.specs import PodState
from grove_mcp.sources import BundleSource, demo_source
from grove_mcp.sources.bundle import Bundle

BIG_REPLICAS = 40
BIG_BREACHED = range(28, BIG_REPLICAS)  # replicas with a prefill pod pending for GPUs


def big_workload() -> Bundle:
    """200 pods in 40 gangs over 10 racks; the last 12 gangs lost a prefill pod."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "a 200-pod workload, 12 gangs breached")
    b.topology("gpu-fabric", LEVELS)
    for rack in range(10):
        for host in range(6):
            b.node(
                f"gpu-r{rack:02d}-h{host}",
                {
                    "topology.kubernetes.io/region": "us-east-1",
                    "topology.kubernetes.io/zone": "us-east-1a",
                    "topology.kubernetes.io/rack": f"rack-{rack:02d}",
                },
            )
    breach = timedelta(minutes=18)
    b.workload(
        inference_spec(replicas=BIG_REPLICAS),
        pods={
            f"{r}/prefill/1": PodState(unschedulable=GPU_SHORTAGE, age=breach) for r in BIG_BREACHED
        },
        breaches={f"{r}/prefill": breach for r in BIG_BREACHED},
    )
    return b.bundle()


DEMO = ["list", "status", "topology", "health", "metrics", "compare", "diagnose"]
DEMO += ["plan show", "plan history", "plan diff", "replan"]
CASES: dict[str, tuple[str, str, str | None]] = {  # golden name → (scenario, capability, pcs)
    **{
        f"demo-{c.replace(' ', '-')}": ("demo", c, None if c == "list" else "my-inference")
        for c in DEMO
    },
    **{f"demo-{c}-all": ("demo", c, None) for c in ("status", "topology", "health")},
    "healthy-health": ("healthy", "health", "my-inference"),
    "breached-near-termination-health": ("breached-near-termination", "health", "my-inference"),
    "rolling-update-status": ("rolling-update", "status", "my-inference"),
    "fragmented-tp-topology": ("fragmented-tp", "topology", "my-inference"),
    "decode-saturated-diagnose": ("decode-saturated", "diagnose", "my-inference"),
    "big-health": ("big", "health", "my-inference"),
    "big-status": ("big", "status", "my-inference"),
    "big-topology": ("big", "topology", "my-inference"),
}


@cache
def source(scenario: str) -> BundleSource:
    if scenario == "demo":
        return demo_source()
    return BundleSource(big_workload() if scenario == "big" else SCENARIOS[scenario]())


@cache
def report(case: str) -> BaseModel:
    scenario, capability, pcs = CASES[case]
    return core.run(capability, source(scenario), None, pcs)
