"""The server as a subprocess over stdio: the SDK's client (current and handshake-era) and a
raw 2024-11-05 client."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from child_process import read_until
from mcp import Client, StdioServerParameters
from mcp_helpers import READ_TOOLS, grove_mcp_command

from grove_mcp import core
from grove_mcp.sources import demo_source

pytestmark = pytest.mark.anyio


def params(*args: str) -> StdioServerParameters:
    command, *rest = grove_mcp_command()
    # The SDK passes the server only a safe default environment: keep PYTHONPATH, so that it
    # runs the grove_mcp under test, as this process does.
    env = {k: v for k, v in os.environ.items() if k == "PYTHONPATH"}
    return StdioServerParameters(command=command, args=[*rest, *args], env=env)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_stdio_serves_every_tool(mode):
    async with Client(params("--demo"), mode=mode) as client:
        tools = sorted(t.name for t in (await client.list_tools()).tools)
        status = await client.call_tool("grove_status", {"name": "my-inference"})
        listing = await client.call_tool("grove_list", {})
    assert tools == READ_TOOLS
    expected = json.loads(core.run("status", demo_source(), None, "my-inference").model_dump_json())
    assert status.structured_content == expected
    assert listing.structured_content["items"][0]["name"] == "my-inference"


def test_raw_2024_11_05_client_over_stdio():
    """An old client: newline-delimited JSON-RPC, the initialize handshake, then tools."""
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2024-11-05",
                "capabilities": {},
                "clientInfo": {"name": "old-ide", "version": "0.1"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "grove_health", "arguments": {"name": "my-inference"}},
        },
    ]
    process = subprocess.Popen(
        [*grove_mcp_command(), "--demo"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    answers = {}
    try:
        for message in messages:
            process.stdin.write(json.dumps(message) + "\n")
            process.stdin.flush()
            if "id" in message:
                why = f"the answer to request {message['id']}"
                answers[message["id"]] = json.loads(read_until(process.stdout, "\n", 30, why))
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    assert answers[1]["result"]["protocolVersion"] == "2024-11-05"
    assert len(answers[2]["result"]["tools"]) == len(READ_TOOLS)
    call = answers[3]["result"]
    assert not call.get("isError")
    assert "Termination countdown" in call["content"][0]["text"]
