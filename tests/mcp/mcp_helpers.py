"""Shared checks: structured content against the tool's output schema, answer sizes."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import jsonschema
from mcp_types import CallToolResult, Tool

from grove_mcp.core.budget import BUDGET_BYTES
from grove_mcp.mcp_server import TOOLS
from grove_mcp.scenarios import PodState, ScenarioBuilder
from grove_mcp.scenarios.catalog import CAPTURED_AT, GPU_SHORTAGE, NAMESPACE, inference_spec
from grove_mcp.sources.bundle import Bundle
from tools.mcp_http import free_port, grove_mcp_command, serving

# What a server without --allow-writes offers: every tool of the table but the write tools.
READ_TOOLS = sorted(s.name for s in TOOLS if not s.writes)
BIG_REPLICAS = 40
BROKEN_GANG = "big-inference-37"


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def check_answer(tool: Tool, result: CallToolResult, budget: int = BUDGET_BYTES) -> dict[str, Any]:
    """A successful answer: valid structured content, within the budget; returns the content."""
    assert not result.is_error, text_of(result)
    assert tool.output_schema is not None
    jsonschema.validate(result.structured_content, tool.output_schema)
    assert len(text_of(result).encode()) <= budget
    compact = json.dumps(result.structured_content, separators=(",", ":"), ensure_ascii=False)
    assert len(compact.encode()) <= budget
    return result.structured_content


@contextmanager
def http_server(*args: str, token: str | None = None, deadline: float = 30.0) -> Iterator[str]:
    """``grove-mcp --http`` as a subprocess on a free loopback port; yields its base URL once
    ``/healthz`` answers (polled until ``deadline``), and stops it afterwards."""
    port = free_port()
    env = {**os.environ, "GROVE_MCP_TOKEN": token or ""}
    command = [*grove_mcp_command(), "--http", "--port", str(port), *args]
    with serving(command, port, env, deadline=deadline) as base:
        yield base


def big_bundle(replicas: int = BIG_REPLICAS, breached: int = 37) -> Bundle:
    """40 replicas (200 pods, 480 GPUs) on 64 nodes in 8 racks; replica 37 is breached (other
    sizes: ``replicas`` of 5 pods each, ``breached`` < replicas)."""
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "a large workload for the response budget")
    b.topology("gpu-fabric", [("rack", "topology.kubernetes.io/rack")])
    racks = max(8, -(-replicas * 12 // 64) + 1)  # 12 GPUs a replica, 64 GPUs a rack
    for rack in range(racks):
        for host in range(8):
            b.node(f"gpu-r{rack}-h{host}", {"topology.kubernetes.io/rack": f"rack-{rack}"})
    age = timedelta(minutes=5)
    b.workload(
        inference_spec(name="big-inference", replicas=replicas, labels={}),
        pods={f"{breached}/prefill/1": PodState(unschedulable=GPU_SHORTAGE, age=age)},
        breaches={f"{breached}/prefill": age},
    )
    return b.bundle()
