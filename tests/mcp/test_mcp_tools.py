"""Every tool through the SDK's in-memory client, on the embedded demo."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from mcp import Client, MCPError
from mcp_helpers import READ_TOOLS, check_answer, text_of

from grove_mcp import core
from grove_mcp.sources import demo_source

pytestmark = pytest.mark.anyio
SNAPSHOT = Path(__file__).parent / "snapshots" / "tools.json"
NAME = "my-inference"
CORE = {"grove_status": "status", "grove_health": "health", "grove_topology": "topology"}
# Tools about no namespace: grove_validate checks the text it is given (and reads only the
# cluster-scoped ClusterTopologyBindings).
NO_NAMESPACE = {"grove_validate"}


async def tools_by_name(client: Client) -> dict:
    return {t.name: t for t in (await client.list_tools()).tools}


async def test_tool_list_matches_snapshot(demo_server):
    async with Client(demo_server) as client:
        tools = await tools_by_name(client)
    current = {
        name: {
            "title": t.title,
            "description": t.description,
            "annotations": t.annotations.model_dump(mode="json", by_alias=True, exclude_none=True),
            "input_schema": t.input_schema,
            "output_schema": t.output_schema,
        }
        for name, t in sorted(tools.items())
    }
    if os.environ.get("GROVE_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n")
    assert current == json.loads(SNAPSHOT.read_text()), (
        "tool schemas changed: review, then rerun with GROVE_UPDATE_SNAPSHOTS=1"
    )


async def test_every_tool_is_read_only_and_idempotent(demo_server):
    async with Client(demo_server) as client:
        tools = await tools_by_name(client)
    assert sorted(tools) == READ_TOOLS
    for tool in tools.values():
        assert tool.annotations.read_only_hint is True
        assert tool.annotations.destructive_hint is False
        assert tool.annotations.idempotent_hint is True
        if tool.name not in NO_NAMESPACE:
            assert tool.input_schema["properties"]["namespace"]["pattern"]
        else:
            assert "namespace" not in tool.input_schema["properties"]
        assert tool.output_schema["properties"]["truncated"]["description"]


@pytest.mark.parametrize("tool_name", sorted(CORE))
async def test_report_tools_answer_like_the_cli_json(demo_server, tool_name):
    async with Client(demo_server) as client:
        tool = (await tools_by_name(client))[tool_name]
        result = await client.call_tool(tool_name, {"name": NAME})
    content = check_answer(tool, result)
    cli_json = json.loads(core.run(CORE[tool_name], demo_source(), None, NAME).model_dump_json())
    assert content == cli_json
    assert "truncated" not in content
    assert text_of(result).startswith(f"## {NAME} — ")


async def test_list_answers_like_the_cli_json(demo_server):
    async with Client(demo_server) as client:
        tool = (await tools_by_name(client))["grove_list"]
        result = await client.call_tool("grove_list", {"namespace": "vllm-disagg"})
    content = check_answer(tool, result)
    assert content == json.loads(core.run("list", demo_source()).model_dump_json())
    assert "MinAvailableBreached on prefill" in text_of(result)


async def test_markdown_tells_the_story(demo_server):
    async with Client(demo_server) as client:
        health = text_of(await client.call_tool("grove_health", {"name": NAME}))
        topology = text_of(await client.call_tool("grove_topology", {"name": NAME}))
    assert "Termination countdown" in health and "in 3h 42m" in health
    assert "POD_UNSCHEDULABLE" in health
    assert "rack rack-b [fragmented]" in topology
    assert "`kubectl cordon gpu-c1`" in topology


async def test_gang_and_clique_narrow_the_report(demo_server):
    async with Client(demo_server) as client:
        tool = (await tools_by_name(client))["grove_status"]
        result = await client.call_tool(
            "grove_status", {"name": NAME, "gang": "my-inference-1", "clique": "prefill"}
        )
    content = check_answer(tool, result)
    assert [g["name"] for g in content["gangs"]] == ["my-inference-1"]
    assert [c["name"] for c in content["cliques"]] == ["my-inference-1-prefill"]
    assert content["summary"]["gangs_total"] == 2  # summaries count everything


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"name": "nope"}, "PodCliqueSets there: my-inference. [not_found]"),
        ({"name": "My_Inference"}, "Did you mean 'my-inference'? [invalid_input]"),
        ({"name": NAME, "namespace": "Bad NS"}, "not a valid namespace"),
        ({"name": NAME, "gang": "my-inference-9"}, "gangs: my-inference-1, my-inference-0."),
        ({"name": NAME, "clique": "encode"}, "cliques: prefill, decode, router."),
    ],
)
async def test_bad_input_is_a_tool_error_with_the_core_message(demo_server, arguments, expected):
    async with Client(demo_server) as client:
        result = await client.call_tool("grove_health", arguments)
    assert result.is_error
    assert expected in text_of(result)
    assert "Traceback" not in text_of(result)


async def test_out_of_range_limit_is_refused_by_the_schema(demo_server):
    async with Client(demo_server) as client:
        result = await client.call_tool("grove_status", {"name": NAME, "limit": 0})
    assert result.is_error
    assert "greater than or equal to 1" in text_of(result)


async def test_unknown_tool_is_refused(demo_server):
    async with Client(demo_server) as client:
        with pytest.raises(MCPError, match="'grove_delete' refused: no such tool"):
            await client.call_tool("grove_delete", {"name": NAME})


async def test_progress_is_reported(demo_server):
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with Client(demo_server) as client:
        await client.call_tool("grove_topology", {"name": NAME}, progress_callback=on_progress)
    assert [p for p, _, _ in seen] == [0, 1, 2, 3]
    assert seen[1][2] and seen[1][2].startswith("Listed ")


async def test_legacy_handshake_in_memory(demo_server):
    async with Client(demo_server, mode="legacy") as client:
        assert client.protocol_version == "2025-11-25"
        result = await client.call_tool("grove_status", {"name": NAME})
    assert result.structured_content["summary"]["gangs_total"] == 2


@pytest.mark.parametrize("tool_name", sorted(CORE))
async def test_structured_content_is_the_cli_json(demo_server, tool_name):
    """The contract checked from outside: MCP structured content == ``kubectl grove -o json``."""
    from typer.testing import CliRunner

    from grove_mcp.cli.app import app

    command = tool_name.removeprefix("grove_")
    cli = CliRunner().invoke(app, [command, NAME, "--demo", "-o", "json"])
    async with Client(demo_server) as client:
        result = await client.call_tool(tool_name, {"name": NAME})
    assert result.structured_content == json.loads(cli.stdout)


async def test_empty_strings_mean_not_given(demo_server):
    async with Client(demo_server) as client:
        result = await client.call_tool(
            "grove_status", {"name": NAME, "namespace": "", "gang": "", "clique": ""}
        )
    assert not result.is_error
    assert len(result.structured_content["gangs"]) == 2
