"""grove_diagnose through the SDK's in-memory client: one call answers, within the budget the
issue sets (≤ 6 KB of text for a 64-pod PodCliqueSet), the top causes whole."""

from __future__ import annotations

import json

import pytest
from mcp import Client
from mcp_helpers import big_bundle, check_answer, text_of
from typer.testing import CliRunner

from grove_mcp.cli.app import app
from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.sources import BundleSource

pytestmark = pytest.mark.anyio
NAME = "my-inference"


async def test_one_call_answers_like_the_cli_json(demo_server):
    cli = CliRunner().invoke(app, ["diagnose", NAME, "--demo", "-o", "json"])
    assert cli.exit_code == 1, cli.output
    async with Client(demo_server) as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == "grove_diagnose")
        result = await client.call_tool("grove_diagnose", {"name": NAME})
    content = check_answer(tool, result)
    assert content == json.loads(cli.stdout)
    text = text_of(result)
    assert text.startswith(f"## {NAME} — diagnosis") and "Most likely cause:" in text
    assert content["findings"][0]["rank"] == 1


@pytest.mark.parametrize(("replicas", "limit"), [(13, 6 * 1024), (60, None)])
async def test_the_text_answer_of_a_large_workload_stays_small(replicas, limit, record_property):
    bundle = big_bundle(replicas=replicas, breached=replicas - 3)
    pods = sum(
        1 for o in bundle.objects if o["kind"] == "Pod" and "big-inference" in o["metadata"]["name"]
    )
    server = build_server(ServerConfig(), source=lambda: BundleSource(bundle, "big"))
    async with Client(server) as client:
        result = await client.call_tool("grove_diagnose", {"name": "big-inference"})
    size = len(text_of(result).encode())
    record_property(f"diagnose_text_bytes_{pods}_pods", size)
    print(f"{pods} pods: {size} bytes of text")
    assert not result.is_error
    top = [f["code"] for f in result.structured_content["findings"][:2]]
    assert top == ["SCHEDULER_DISAGREES", "MIN_AVAILABLE_BREACHED"]  # the cause, then the countdown
    if limit is not None:
        assert size <= limit
