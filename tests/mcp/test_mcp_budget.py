"""The response budget on a large workload: bounded answers that say what was cut."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp_helpers import BIG_REPLICAS, BROKEN_GANG, check_answer, text_of

from grove_mcp import core
from grove_mcp.core.budget import Narrowing, attention, cut, filter_rows, fit
from grove_mcp.render import render_markdown
from grove_mcp.sources import demo_source

NAME = "big-inference"


@pytest.mark.anyio
@pytest.mark.parametrize("tool_name", ["grove_status", "grove_health", "grove_topology"])
async def test_large_workload_is_summarised_within_budget(big_server, tool_name):
    async with Client(big_server) as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == tool_name)
        result = await client.call_tool(tool_name, {"name": NAME})
    content = check_answer(tool, result)
    truncated = content["truncated"]
    gangs = next(c for c in truncated["lists"] if c["path"] == "gangs")
    assert gangs["total"] == BIG_REPLICAS and gangs["shown"] < BIG_REPLICAS
    assert f"gang= one of {BROKEN_GANG}, " in truncated["how_to_narrow"], "problems first"
    assert BROKEN_GANG in [g["name"] for g in content["gangs"]], "problems are kept first"
    assert text_of(result).startswith("> Truncated to ")


@pytest.mark.anyio
async def test_narrowing_to_a_gang_fits_without_truncation(big_server):
    async with Client(big_server) as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == "grove_health")
        result = await client.call_tool("grove_health", {"name": NAME, "gang": BROKEN_GANG})
    content = check_answer(tool, result)
    assert "truncated" not in content
    assert [g["name"] for g in content["gangs"]] == [BROKEN_GANG]
    assert content["gangs"][0]["termination"] is not None


@pytest.mark.anyio
async def test_explicit_limit_cuts_and_says_so(big_server):
    async with Client(big_server) as client:
        result = await client.call_tool("grove_status", {"name": NAME, "limit": 3})
    truncated = result.structured_content["truncated"]
    assert truncated["limit"] == 3
    assert {"path": "gangs", "shown": 3, "total": BIG_REPLICAS} in truncated["lists"]


def test_topology_filter_drops_emptied_placement_containers():
    report = core.run("topology", demo_source(), None, "my-inference")
    data = filter_rows(report.model_dump(mode="json"), None, "my-inference-1")
    racks = data["tree"][0]["domains"][0]["domains"]
    assert [r["name"] for r in racks] == ["rack-b", "rack-c"]  # rack-a held only gang 0
    pods = [p["gang"] for r in racks for n in r["nodes"] for p in n["pods"]]
    assert set(pods) == {"my-inference-1"}
    assert [g["name"] for g in data["gangs"]] == ["my-inference-1"]


def test_cut_keeps_items_needing_attention_in_original_order():
    rows = [{"name": f"g{i}", "state": "Healthy"} for i in range(5)]
    rows[3]["state"] = "Breached"
    cuts: dict[str, list[int]] = {}
    kept = cut({"gangs": rows}, 2, cuts)
    assert [r["name"] for r in kept["gangs"]] == ["g0", "g3"]
    assert cuts == {"gangs": [2, 5]}
    assert attention({"severity": "critical"}) > attention({"severity": "info"})


def test_levels_are_never_cut():
    data = {"levels": [1, 2, 3, 4], "gangs": [{"levels": [1, 2, 3]}] * 3}
    assert cut(data, 1, {}) == {"levels": [1, 2, 3, 4], "gangs": [{"levels": [1, 2, 3]}]}


@pytest.mark.parametrize("budget", [2048, 4096, 8192])
def test_fit_respects_any_budget(big_source, budget):
    report = core.run("topology", big_source, None, NAME)
    fitted = fit(report, Narrowing(), render_markdown, budget)
    assert len(fitted.text.encode()) <= budget
    assert fitted.truncation is not None and fitted.truncation.budget_bytes == budget
    type(report).model_validate({k: v for k, v in fitted.data.items() if k != "truncated"})


def test_small_report_is_untouched():
    report = core.run("status", demo_source(), None, "my-inference")
    fitted = fit(report, Narrowing(), render_markdown)
    assert fitted.truncation is None
    assert fitted.data == report.model_dump(mode="json")
    assert fitted.text == render_markdown(report)
