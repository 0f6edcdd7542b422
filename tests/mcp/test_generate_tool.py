"""``grove_generate`` through the SDK's in-memory client, on recorded real AIConfigurator runs
(and the real runner with the protocol stand-in child for progress, timeout and cancellation)."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import anyio.to_thread
import pytest
import yaml
from mcp import Client, MCPError
from mcp_helpers import check_answer, text_of
from recorded_aic import Replay, alive, fake_worker, flags, pcs_of, runner_with, wait_gone

from grove_mcp.aic import RenderOptions, generate
from grove_mcp.core.budget_generate import GENERATE_BUDGET_BYTES
from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.mcp_server.generate_tools import generate_tool
from grove_mcp.mcp_server.tools import CORE_TOOLS

pytestmark = pytest.mark.anyio
QWEN_8 = "qwen3_32b_sglang_8gpu"
DEEPSEEK = "deepseek_v3_sglang_32gpu"


def server(run, **config):
    """A server over the demo offering the core tools and grove_generate with ``run``."""
    return build_server(ServerConfig(demo=True, **config), tools=(*CORE_TOOLS, generate_tool(run)))


async def call(srv, fixture: str, **arguments):
    async with Client(srv) as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == "grove_generate")
        result = await client.call_tool("grove_generate", {**flags(fixture), **arguments})
    return tool, result


def _without_clock(data: dict) -> dict:
    """Fields that depend on when the plan was made: timings, createdAt (also in manifests)."""
    out = {k: v for k, v in data.items() if k != "timings"}
    out["plans"] = [
        {
            **p,
            "plan": {k: v for k, v in p["plan"].items() if k != "createdAt"},
            "manifest": [
                {k: v for k, v in doc.items() if k != "metadata"}
                for doc in yaml.safe_load_all(p["manifest"])
            ],
        }
        for p in data["plans"]
    ]
    return out


async def test_the_tool_is_offered_read_only_with_typed_inputs(demo_server):
    async with Client(demo_server) as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == "grove_generate")
    a = tool.annotations
    assert a and tool.description and tool.output_schema
    assert (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint) == (
        True,
        False,
        True,
        False,
    )
    schema = tool.input_schema
    assert set(schema["required"]) == {"model", "system", "total_gpus", "backend", "ttft_ms"}
    assert schema["properties"]["backend"]["enum"] == ["sglang", "vllm", "trtllm"]
    assert "save_dir" not in schema["properties"]  # the server writes no files
    assert "10-90 s" in tool.description
    assert tool.output_schema["properties"]["truncated"]["description"]


async def test_answer_is_the_core_report_as_structured_content_and_markdown():
    tool, result = await call(server(Replay(QWEN_8)), QWEN_8, namespace="llm")
    content = check_answer(tool, result, GENERATE_BUDGET_BYTES)
    core = generate(Replay(QWEN_8).run.request, RenderOptions(namespace="llm"), run=Replay(QWEN_8))
    assert _without_clock(content) == _without_clock(
        json.loads(core.model_dump_json(by_alias=True))
    )
    assert "truncated" not in content
    text = text_of(result)
    assert text.startswith("## AIConfigurator plans for Qwen/Qwen3-32B\n**OK: Use the aggregated")
    assert "### Plan 1: Prefill-Decode Disaggregated Mode — `qwen3-32b-sglang-disagg`" in text
    assert "- Prefill Workers: 1 (tp4, 4 GPUs)" in text and "- TPOT: 9.94ms" in text
    assert text.count("```yaml\napiVersion: v1\nkind: ServiceAccount") == 2  # what pods need first
    assert text.count("apiVersion: grove.io/v1alpha1\nkind: PodCliqueSet") == 2
    assert "To deploy: `kubectl apply -f qwen3-32b-sglang-agg.yaml`" in text


async def test_progress_from_the_child_arrives_as_increasing_percent():
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    run = runner_with(fake_worker("slow", QWEN_8))  # 1.5 s silent: heartbeats
    async with Client(server(run)) as client:
        result = await client.call_tool(
            "grove_generate", flags(QWEN_8), progress_callback=on_progress
        )
    assert not result.is_error, text_of(result)
    values = [p for p, _, _ in seen]
    assert values == sorted(set(values)), values  # MCP: every notification increases
    assert values[0] == 0 and values[-1] == 100 and {t for _, t, _ in seen} == {100}
    messages = [m or "" for _, _, m in seen]
    assert any(m.startswith("starting AIConfigurator") for m in messages[1:])  # a heartbeat
    assert any(m.startswith("searching_agg") for m in messages)  # the child's own step


async def test_a_large_answer_leaves_out_a_manifest_and_mode_fetches_it_from_cache():
    replay = Replay(DEEPSEEK)
    srv = server(replay, generate_budget_bytes=24 * 1024)
    tool, result = await call(srv, DEEPSEEK)
    content = check_answer(tool, result, 24 * 1024)
    assert content["recommended"] == "disagg"
    assert content["truncated"]["left_out"] == ["agg"]
    agg = next(p for p in content["plans"] if p["mode"] == "agg")
    disagg = next(p for p in content["plans"] if p["mode"] == "disagg")
    assert agg["manifest"] == "" and agg["plan"]["servingMode"] == "agg"
    assert pcs_of(disagg["manifest"])["kind"] == "PodCliqueSet"
    assert text_of(result).startswith("> Manifests left out to fit 24 KB: Call grove_generate")
    _, again = await call(srv, DEEPSEEK, mode="agg")
    content = check_answer(tool, again, 24 * 1024)
    assert [p["mode"] for p in content["plans"]] == ["agg"]
    agg_pcs = pcs_of(content["plans"][0]["manifest"])
    assert agg_pcs["spec"]["replicas"] == 1  # Dynamo's shape: the 4 workers in one clique
    assert agg_pcs["spec"]["template"]["cliques"][1]["spec"]["replicas"] == 4
    assert replay.calls == 1  # the second answer came from the cache


async def test_a_tiny_budget_leaves_out_every_manifest():
    _, result = await call(server(Replay(QWEN_8), generate_budget_bytes=6000), QWEN_8)
    assert result.structured_content["truncated"]["left_out"] == ["disagg", "agg"]
    assert all(p["manifest"] == "" for p in result.structured_content["plans"])
    assert "(manifest left out of this answer)" in text_of(result)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"tpot_ms": None}, "give a TPOT target (--tpot) or a request latency target"),
        ({"system": "H200"}, "is not an AIConfigurator system name"),
        ({"name": "My_Inference"}, "My_Inference"),
        ({"pack_domain": "Rack!"}, "--pack-domain 'Rack!' is not valid"),
        ({"pack_domain": "numa"}, "is not a level of ClusterTopologyBinding 'gpu-fabric'"),
        ({"termination_delay": "soon"}, "--termination-delay 'soon' is not a positive"),
        ({"backend": "tensorrt"}, "backend"),
    ],
)
async def test_bad_input_is_a_tool_error_before_any_run(arguments, expected):
    replay = Replay(QWEN_8)
    _, result = await call(server(replay), QWEN_8, **arguments)
    assert result.is_error and expected in text_of(result)
    assert replay.calls == 0


async def test_the_servers_cluster_names_the_topology_binding():
    tool, result = await call(server(Replay(QWEN_8)), QWEN_8, pack_domain="rack")
    content = check_answer(tool, result, GENERATE_BUDGET_BYTES)
    pcs = pcs_of(content["plans"][0]["manifest"])
    assert pcs["spec"]["template"]["topologyConstraint"] == {
        "topologyName": "gpu-fabric",  # the demo cluster's only binding
        "pack": {"required": "rack"},
    }
    assert any("only ClusterTopologyBinding, 'gpu-fabric'" in n for n in content["notes"])


@pytest.mark.parametrize(
    ("behaviour", "code"),
    [
        ("error:unsupported", "aic_unsupported"),
        ("error:not_installed", "aic_not_installed"),
        ("error:sla_unmeetable", "sla_unmeetable"),
    ],
)
async def test_aiconfigurator_errors_are_tool_errors_with_their_code(behaviour, code):
    _, result = await call(server(runner_with(fake_worker(behaviour))), QWEN_8)
    assert result.is_error
    assert text_of(result).endswith(f"[{code}]") and "Traceback" not in text_of(result)


async def test_the_tool_timeout_stops_the_child(tmp_path: Path, monkeypatch):
    pid_file = tmp_path / "child.pid"
    monkeypatch.setenv("FAKE_PID_FILE", str(pid_file))
    _, result = await call(server(runner_with(fake_worker("hang")), tool_timeout=1.5), QWEN_8)
    assert result.is_error
    assert "did not finish within 1.5 s" in text_of(result)
    assert "larger --tool-timeout" in text_of(result)
    assert not alive(int(pid_file.read_text()))


async def test_a_cancelled_call_stops_the_child(tmp_path: Path, monkeypatch):
    """The client gives up (its read timeout sends notifications/cancelled): the server sets
    the cancel Event and the runner kills the child process."""
    pid_file = tmp_path / "child.pid"
    monkeypatch.setenv("FAKE_PID_FILE", str(pid_file))
    async with Client(server(runner_with(fake_worker("hang")))) as client:
        with pytest.raises(MCPError, match=r"Timed out after 1\.0s"):
            await client.call_tool("grove_generate", flags(QWEN_8), read_timeout_seconds=1.0)
        child = int(pid_file.read_text())
        # the runner notices within 1 s, then SIGTERM: wait for the child's exit event
        assert await anyio.to_thread.run_sync(wait_gone, child, 10.0), "the child outlived it"
