"""grove_metrics and grove_compare through the SDK's in-memory client, on the demo's recorded
scrapes: the same JSON as the CLI, progress notifications, a plan given as text, bad input."""

from __future__ import annotations

import json

import pytest
from mcp import Client
from mcp_helpers import check_answer, text_of
from typer.testing import CliRunner

from grove_mcp.cli.app import app
from grove_mcp.scenarios import SCENARIOS

pytestmark = pytest.mark.anyio
NAME = "my-inference"


def _demo_plan() -> str:
    cm = next(o for o in SCENARIOS["demo"]().objects if o["kind"] == "ConfigMap")
    return cm["data"]["plan.json"]


@pytest.mark.parametrize("tool_name", ["grove_metrics", "grove_compare"])
async def test_answers_like_the_cli_json(demo_server, tool_name):
    command = tool_name.removeprefix("grove_")
    cli = CliRunner().invoke(app, [command, NAME, "--demo", "-o", "json"])
    assert cli.exit_code == 1, cli.output  # the demo misses its TTFT SLA
    async with Client(demo_server) as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == tool_name)
        result = await client.call_tool(tool_name, {"name": NAME})
    content = check_answer(tool, result)
    assert content == json.loads(cli.stdout)
    assert content["summary"]["ok"] is False


async def test_metrics_tells_the_ttft_miss_and_the_saturated_prefill(demo_server):
    async with Client(demo_server) as client:
        result = await client.call_tool("grove_metrics", {"name": NAME})
    data = result.structured_content
    ttft = next(r for r in data["plan"] if r["metric"].startswith("TTFT"))
    assert ttft["met"] is False and ttft["planned"] == 300 and ttft["actual"] > 1000
    prefill = next(r for r in data["roles"] if r["role"] == "prefill")
    assert prefill["verdict"] == "saturated"
    assert "TTFT p99" in text_of(result)


async def test_compare_takes_a_plan_as_text_and_ranks_recommendations(demo_server):
    async with Client(demo_server) as client:
        result = await client.call_tool("grove_compare", {"name": NAME, "plan": _demo_plan()})
    data = result.structured_content
    assert data["plan_source"] == "the plan file given"
    codes = [d["code"] for d in data["diagnosis"]]
    assert "TTFT_PREFILL_QUEUEING" in codes and "SPLIT_PLACEMENT" in codes
    assert [a["priority"] for a in data["recommendations"]] == list(
        range(1, len(data["recommendations"]) + 1)
    )


async def test_progress_is_reported(demo_server):
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with Client(demo_server) as client:
        await client.call_tool("grove_metrics", {"name": NAME}, progress_callback=on_progress)
    assert seen[0][0] == 0 and seen[-1][0] == 1.0 and seen[-1][1] == 1.0
    assert seen[-1][2] == "Answer ready"


async def test_a_malformed_plan_is_a_tool_error_naming_it(demo_server):
    async with Client(demo_server) as client:
        result = await client.call_tool("grove_compare", {"name": NAME, "plan": "{not json"})
    assert result.is_error and "the plan argument" in text_of(result)


async def test_a_window_out_of_range_is_refused_by_the_schema(demo_server):
    async with Client(demo_server) as client:
        result = await client.call_tool("grove_metrics", {"name": NAME, "window": 0})
    assert result.is_error and "greater than or equal to 1" in text_of(result)
