"""Prompts from prompts/*.md and the grove:// resources, through the in-memory client."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp import Client, MCPError

from grove_mcp import core
from grove_mcp.mcp_server.prompts import load_templates, prompts_dir
from grove_mcp.mcp_server.resources import resource_capabilities, uri_template
from grove_mcp.sources import demo_source

pytestmark = pytest.mark.anyio
PROMPTS = {
    "diagnose_slow_deployment": {"name": "my-inference", "symptom": "TTFT p99 doubled"},
    "check_gang_health": {"name": "my-inference", "namespace": "vllm-disagg"},
    "plan_deployment_aiconfigurator": {
        "model": "Qwen/Qwen3-32B",
        "system": "h200_sxm",
        "total_gpus": "24",
    },
}


def test_templates_declare_every_placeholder(tmp_path: Path):
    templates = load_templates()  # refuses a template using a placeholder it does not declare
    assert {t.name for t in templates} == set(PROMPTS)
    assert prompts_dir().is_dir()
    shipped = (prompts_dir() / "check_gang_health.md").read_text()
    (tmp_path / "check_gang_health.md").write_text(shipped + "Colour: {{ colour }}\n")
    with pytest.raises(
        ValueError, match=r"gang_health\.md: placeholders not declared: \['colour'\]"
    ):
        load_templates(tmp_path)


async def test_prompts_are_listed_with_their_arguments(demo_server):
    async with Client(demo_server) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert set(prompts) == set(PROMPTS)
    diagnose = {a.name: a for a in prompts["diagnose_slow_deployment"].arguments}
    assert diagnose["name"].required and not diagnose["namespace"].required
    assert all(a.description for p in prompts.values() for a in p.arguments)


@pytest.mark.parametrize("prompt", sorted(PROMPTS))
async def test_every_prompt_renders(demo_server, prompt):
    async with Client(demo_server) as client:
        result = await client.get_prompt(prompt, PROMPTS[prompt])
    text = result.messages[0].content.text
    assert "{{" not in text
    for value in PROMPTS[prompt].values():
        assert value in text


async def test_prompt_refuses_bad_names_and_unknown_arguments(demo_server):
    async with Client(demo_server) as client:
        with pytest.raises(MCPError, match="Did you mean 'my-inference'"):
            await client.get_prompt("check_gang_health", {"name": "My_Inference"})
        with pytest.raises(MCPError, match="has no argument"):
            await client.get_prompt("check_gang_health", {"name": "x", "colour": "red"})
        with pytest.raises(MCPError):
            await client.get_prompt("check_gang_health", {})


async def test_resource_templates_are_listed(demo_server):
    async with Client(demo_server) as client:
        templates = (await client.list_resource_templates()).resource_templates
    listed = sorted(t.uri_template for t in templates)
    assert listed == sorted(uri_template(cap) for cap in resource_capabilities())
    assert {
        f"grove://{{namespace}}/{{name}}/{r}" for r in ("health", "plan-diff", "status")
    } <= set(listed)
    assert {t.mime_type for t in templates} == {"application/json"}


@pytest.mark.parametrize("cap", resource_capabilities(), ids=lambda c: c.name)
async def test_resources_hold_the_report_json(demo_server, cap):
    async with Client(demo_server) as client:
        uri = f"grove://vllm-disagg/my-inference/{cap.name.replace(' ', '-')}"
        result = await client.read_resource(uri)
    expected = core.run(cap, demo_source(), "vllm-disagg", "my-inference")
    assert json.loads(result.contents[0].text) == json.loads(expected.model_dump_json())


async def test_missing_resource_says_what_exists(demo_server):
    async with Client(demo_server) as client:
        with pytest.raises(MCPError, match="PodCliqueSets there: my-inference"):
            await client.read_resource("grove://vllm-disagg/nope/status")
