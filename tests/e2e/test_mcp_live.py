"""The MCP tools against the real API server: seeded demo, full and RBAC-limited identities.

Lives in the e2e tier (its fixtures and skip policy); the MCP front-end tests are in tests/mcp.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
from mcp import Client

from grove_mcp import core
from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed

pytestmark = pytest.mark.anyio
PCS = "my-inference"
CORE = {"grove_status": "status", "grove_health": "health", "grove_topology": "topology"}
CLOCK_FIELDS = {
    "as_of",
    "age_seconds",
    "remaining_seconds",
    "remaining_fraction",
    "next_termination_seconds",
}
DURATION = re.compile(r"\b\d+[dhms]( \d+[hms])?\b")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def seeded(admin: KubeClient, namespace: str) -> str:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    return namespace


def clockless(value: Any) -> Any:
    """The report without what moves with the clock between two reads of a live cluster."""
    if isinstance(value, dict):
        return {k: clockless(v) for k, v in value.items() if k not in CLOCK_FIELDS}
    if isinstance(value, list):
        return [clockless(v) for v in value]
    if isinstance(value, str):
        return DURATION.sub("<duration>", value)
    return value


async def test_tools_on_a_seeded_cluster_answer_like_the_core(
    cluster_viewer_kubeconfig: str, seeded: str
) -> None:
    server = build_server(ServerConfig(kubeconfig=cluster_viewer_kubeconfig, namespace=seeded))
    source = LiveSource.connect(kubeconfig=cluster_viewer_kubeconfig)
    async with Client(server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        listing = await client.call_tool("grove_list", {})
        assert [i["name"] for i in listing.structured_content["items"]] == [PCS]
        for name, capability in CORE.items():
            result = await client.call_tool(name, {"name": PCS})
            assert not result.is_error, result.content[0].text
            jsonschema.validate(result.structured_content, tools[name].output_schema)
            expected = json.loads(core.run(capability, source, seeded, PCS).model_dump_json())
            assert clockless(result.structured_content) == clockless(expected)
    source.close()


async def test_namespace_scoped_viewer_gets_reports_with_notes(
    viewer_kubeconfig: str, seeded: str
) -> None:
    server = build_server(ServerConfig(kubeconfig=viewer_kubeconfig))
    async with Client(server) as client:
        result = await client.call_tool("grove_topology", {"name": PCS, "namespace": seeded})
    assert not result.is_error, result.content[0].text
    notes = " ".join(result.structured_content["notes"])
    assert "nodes" in notes
    assert "> note:" in result.content[0].text


async def test_denied_namespace_is_a_tool_error_naming_the_permission(
    viewer_kubeconfig: str,
) -> None:
    server = build_server(ServerConfig(kubeconfig=viewer_kubeconfig))
    async with Client(server) as client:
        result = await client.call_tool("grove_status", {"name": PCS, "namespace": "default"})
    text = result.content[0].text
    assert result.is_error
    assert "RBAC denied 'list' on podcliquesets.grove.io in namespace 'default'" in text
    assert text.endswith("[access_denied]")
    assert "Traceback" not in text


async def test_identity_without_grove_access_is_told_what_is_missing(
    no_grove_kubeconfig: str, seeded: str
) -> None:
    server = build_server(ServerConfig(kubeconfig=no_grove_kubeconfig, namespace=seeded))
    async with Client(server) as client:
        for tool in ("grove_list", "grove_health"):
            arguments = {} if tool == "grove_list" else {"name": PCS}
            result = await client.call_tool(tool, arguments)
            assert result.is_error
            assert f"RBAC denied 'list' on podcliquesets.grove.io in namespace '{seeded}'" in (
                result.content[0].text
            )
