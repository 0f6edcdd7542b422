"""Read-only unless --allow-writes; --enabled-tools; unoffered tools are refused with why."""

from __future__ import annotations

import threading
from typing import Annotated

import pytest
from mcp import Client, MCPError
from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel

from grove_mcp.errors import InvalidInput
from grove_mcp.mcp_server import TOOLS, ServerConfig, ToolSpec, build_server
from grove_mcp.mcp_server.main import main
from grove_mcp.sources import demo_source

pytestmark = pytest.mark.anyio


class Stored(BaseModel):
    name: str


async def grove_fake_store(ctx: Context, name: str) -> Annotated[CallToolResult, Stored]:
    """A stand-in for a later write tool (e.g. storing a plan)."""
    return CallToolResult(
        content=[TextContent(type="text", text=f"stored {name}")], structured_content={"name": name}
    )


WRITE = ToolSpec(
    grove_fake_store,
    "Store (test)",
    writes=True,
    annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False),
)
WITH_WRITE = (*TOOLS, WRITE)


async def names(server) -> list[str]:
    async with Client(server) as client:
        return sorted(t.name for t in (await client.list_tools()).tools)


async def test_write_tools_do_not_exist_without_allow_writes():
    server = build_server(ServerConfig(demo=True), tools=WITH_WRITE)
    assert "grove_fake_store" not in await names(server)
    async with Client(server) as client:
        with pytest.raises(MCPError, match="only when grove-mcp runs with --allow-writes"):
            await client.call_tool("grove_fake_store", {"name": "x"})


async def test_allow_writes_registers_write_tools():
    server = build_server(ServerConfig(demo=True, allow_writes=True), tools=WITH_WRITE)
    assert "grove_fake_store" in await names(server)
    async with Client(server) as client:
        result = await client.call_tool("grove_fake_store", {"name": "x"})
    assert result.content[0].text == "stored x"


async def test_enabled_tools_allowlist():
    server = build_server(ServerConfig(demo=True, enabled_tools=frozenset({"grove_status"})))
    assert await names(server) == ["grove_status"]
    async with Client(server) as client:
        with pytest.raises(MCPError, match="not in this server's --enabled-tools"):
            await client.call_tool("grove_topology", {"name": "my-inference"})


@pytest.mark.parametrize(
    ("enabled", "message"),
    [
        ({"grove_nope"}, "unknown tool"),
        ({"grove_fake_store"}, "start the server with --allow-writes"),
    ],
)
def test_bad_allowlist_is_refused_at_start(enabled, message):
    with pytest.raises(InvalidInput, match=message):
        build_server(ServerConfig(demo=True, enabled_tools=frozenset(enabled)), tools=WITH_WRITE)


def test_cli_refuses_a_bad_configuration(capsys):
    assert main(["--demo", "--enabled-tools", "grove_nope"]) == 2
    assert "unknown tool(s): grove_nope" in capsys.readouterr().err
    assert main(["--demo", "--bundle", "/nonexistent"]) == 2


async def test_unreadable_source_answers_every_call_with_what_to_fix(tmp_path):
    server = build_server(ServerConfig(kubeconfig=str(tmp_path / "missing-kubeconfig")))
    async with Client(server) as client:
        result = await client.call_tool("grove_list", {})
    assert result.is_error
    assert "[config_error]" in result.content[0].text


async def test_a_hung_source_times_out_with_what_to_do():
    release = threading.Event()
    demo = demo_source()

    class Hung:
        description = "cluster hung (https://10.0.0.1:6443)"
        default_namespace = demo.default_namespace
        now = demo.now

        def list_many(self, queries):
            release.wait(timeout=30)  # held until the test ends; the call must not wait for it
            return demo.list_many(queries)

    server = build_server(ServerConfig(tool_timeout=0.5), source=Hung)
    try:
        async with Client(server) as client:
            result = await client.call_tool("grove_status", {"name": "my-inference"})
    finally:
        release.set()
    text = result.content[0].text
    assert result.is_error
    assert "No answer from cluster hung (https://10.0.0.1:6443) within 0.5 s" in text
    assert text.endswith("[cluster_unreachable]")
