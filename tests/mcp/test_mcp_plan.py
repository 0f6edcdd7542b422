"""The plan tools through the SDK's in-memory client: show/history/diff on the demo, the write
tool grove_plan_store only with --allow-writes (storing on a live cluster: tests/e2e)."""

from __future__ import annotations

import json

import pytest
from mcp import Client, MCPError
from mcp_helpers import check_answer, text_of

from grove_mcp import core
from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import BundleSource, demo_source

pytestmark = pytest.mark.anyio
PCS = "my-inference"
READ = {
    "grove_plan_show": "plan show",
    "grove_plan_history": "plan history",
    "grove_plan_diff": "plan diff",
}


async def tools_of(client: Client) -> dict:
    return {t.name: t for t in (await client.list_tools()).tools}


@pytest.mark.parametrize("tool_name", sorted(READ))
async def test_read_tools_answer_like_the_core(demo_server, tool_name):
    async with Client(demo_server) as client:
        tool = (await tools_of(client))[tool_name]
        result = await client.call_tool(tool_name, {"name": PCS})
    content = check_answer(tool, result)
    expected = core.run(READ[tool_name], demo_source(), None, PCS)
    assert content == json.loads(expected.model_dump_json())
    assert tool.annotations.read_only_hint is True


async def test_markdown_of_the_plan_tools(demo_server):
    async with Client(demo_server) as client:
        show = text_of(await client.call_tool("grove_plan_show", {"name": PCS}))
        diff = text_of(await client.call_tool("grove_plan_diff", {"name": PCS}))
    assert show.startswith("## my-inference — stored plan")
    assert "Prefill Workers: 2 (tp4) / Decode Workers: 2 (tp2)" in show
    assert "**OK: Deployment matches plan where it can be told" in diff
    assert "| Decode TP | 2 | 2 | match |  |" in diff


async def test_diff_reports_drift_as_not_ok():
    source = BundleSource(SCENARIOS["plan-drift"](), label="plan-drift")
    server = build_server(ServerConfig(), source=lambda: source)
    async with Client(server) as client:
        tool = (await tools_of(client))["grove_plan_diff"]
        result = await client.call_tool("grove_plan_diff", {"name": PCS})
    content = check_answer(tool, result)
    assert content["summary"]["ok"] is False
    assert "**NOT OK: Deployment drifts from plan: Prefill Workers, Decode TP" in text_of(result)


async def test_a_pcs_without_a_plan_is_a_tool_error_saying_how_to_store_one():
    bundle = SCENARIOS["healthy"]()
    server = build_server(ServerConfig(), source=lambda: BundleSource(bundle))
    async with Client(server) as client:
        result = await client.call_tool("grove_plan_show", {"name": PCS})
    assert result.is_error
    assert "No plan stored for PodCliqueSet 'my-inference'" in text_of(result)
    assert text_of(result).endswith("[not_found]")


async def test_store_does_not_exist_without_allow_writes(demo_server):
    async with Client(demo_server) as client:
        assert "grove_plan_store" not in await tools_of(client)
        with pytest.raises(MCPError, match="only when grove-mcp runs with --allow-writes"):
            await client.call_tool("grove_plan_store", {"name": PCS, "plan": "{}"})


async def test_store_with_allow_writes_refuses_a_capture_and_a_malformed_plan():
    server = build_server(ServerConfig(demo=True, allow_writes=True))
    plan = core.run("plan show", demo_source(), None, PCS).plan.to_json_dict()
    async with Client(server) as client:
        tool = (await tools_of(client))["grove_plan_store"]
        assert tool.annotations.read_only_hint is False
        assert tool.annotations.destructive_hint is False
        assert tool.annotations.idempotent_hint is True
        assert set(tool.input_schema["required"]) == {"name", "plan"}
        for given in (plan, json.dumps(plan)):
            result = await client.call_tool("grove_plan_store", {"name": PCS, "plan": given})
            assert result.is_error
            assert "is a read-only capture" in text_of(result)
        bad = await client.call_tool("grove_plan_store", {"name": PCS, "plan": {"format": "x"}})
    assert bad.is_error
    assert text_of(bad) == (
        "tool argument: field 'format': expected 'grove-mcp-plan', found 'x' [plan_error]"
    )
