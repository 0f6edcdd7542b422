"""Fixtures for the MCP server tests: servers over the demo and over a large scenario."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.scenarios.builder import PodState, ScenarioBuilder
from grove_mcp.scenarios.catalog import CAPTURED_AT, GPU_SHORTAGE, NAMESPACE, inference_spec
from grove_mcp.sources import BundleSource
from grove_mcp.sources.bundle import Bundle

BIG_REPLICAS = 40
BROKEN_GANG = "big-inference-37"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def demo_server():
    return build_server(ServerConfig(demo=True))


def big_bundle() -> Bundle:
    """40 replicas (200 pods, 480 GPUs) on 64 nodes in 8 racks; replica 37 is breached."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "a large workload for the response budget")
    b.topology("gpu-fabric", [("rack", "topology.kubernetes.io/rack")])
    for rack in range(8):
        for host in range(8):
            b.node(f"gpu-r{rack}-h{host}", {"topology.kubernetes.io/rack": f"rack-{rack}"})
    age = timedelta(minutes=5)
    b.workload(
        inference_spec(name="big-inference", replicas=BIG_REPLICAS, labels={}),
        pods={"37/prefill/1": PodState(unschedulable=GPU_SHORTAGE, age=age)},
        breaches={"37/prefill": age},
    )
    return b.bundle()


@pytest.fixture(scope="session")
def big_source() -> BundleSource:
    return BundleSource(big_bundle(), label="big scenario")


@pytest.fixture
def big_server(big_source):
    return build_server(ServerConfig(), source=lambda: big_source)
