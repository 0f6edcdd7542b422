"""``grove_validate`` through the SDK's in-memory client: the manifest text in, the report (valid
against the tool's output schema) out; the bindings of the server's source; bad input."""

from __future__ import annotations

import pytest
import yaml
from mcp import Client
from mcp_helpers import check_answer, text_of
from recorded_aic import Replay, flags

from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.mcp_server.generate_tools import generate_tool

pytestmark = pytest.mark.anyio
PCS = {
    "apiVersion": "grove.io/v1alpha1",
    "kind": "PodCliqueSet",
    "metadata": {"name": "my-inference"},
    "spec": {
        "template": {
            "topologyConstraint": {"topologyName": "gpu-fabric", "pack": {"required": "rack"}},
            "cliques": [
                {
                    "name": "decode",
                    "spec": {
                        "roleName": "decode",
                        "replicas": 2,
                        "podSpec": {"containers": [{"name": "main", "image": "x:1"}]},
                    },
                }
            ],
        }
    },
}


def manifest(starts_after: list[str] | None = None, **template: object) -> str:
    data = yaml.safe_load(yaml.safe_dump(PCS))
    data["spec"]["template"].update(template)
    if starts_after is not None:
        data["spec"]["template"]["cliques"][0]["spec"]["startsAfter"] = starts_after
    return yaml.safe_dump(data, sort_keys=False)


async def call(server, **arguments):
    async with Client(server) as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == "grove_validate")
        return tool, await client.call_tool("grove_validate", arguments)


async def test_a_good_manifest_passes_against_the_servers_binding(demo_server):
    tool, result = await call(demo_server, manifest=manifest())
    report = check_answer(tool, result)
    assert report["summary"]["ok"] and report["violations"] == []
    assert report["topology_source"].startswith("embedded demo")
    assert report["bindings"] == [
        {"name": "gpu-fabric", "levels": ["region", "zone", "rack", "host"]}
    ]
    assert "pass Grove's admission rules" in text_of(result)


async def test_violations_name_the_field(demo_server):
    bad = manifest(
        topologyConstraint={"topologyName": "gpu-fabric", "pack": {"required": "block"}},
        cliqueStartupType="CliqueStartupTypeExplicit",
        starts_after=["router"],
    )
    tool, result = await call(demo_server, manifest=bad)
    report = check_answer(tool, result)  # a finding, not a tool error
    assert not report["summary"]["ok"] and report["summary"]["severity"] == "critical"
    assert {(v["rule"], v["field"]) for v in report["violations"]} == {
        ("TOPOLOGY_DOMAIN_UNKNOWN", "spec.template.topologyConstraint.pack.required"),
        ("STARTS_AFTER_UNKNOWN", "spec.template.cliques[0].spec.startsAfter[0]"),
    }
    text = text_of(result)
    assert "`spec.template.topologyConstraint.pack.required`" in text and "**Fix:**" in text


async def test_without_a_source_the_levels_are_skipped():
    def no_cluster():
        from grove_mcp.errors import ConfigError

        raise ConfigError("No kubeconfig found.")

    server = build_server(ServerConfig(), source=no_cluster)
    bad = manifest(topologyConstraint={"topologyName": "gpu-fabric", "pack": {"required": "x"}})
    tool, result = await call(server, manifest=bad)
    report = check_answer(tool, result)
    assert report["summary"]["ok"] and report["topology_source"] is None
    assert "TOPOLOGY_DOMAIN_UNKNOWN" in report["skipped_rules"][0]


async def test_malformed_text_is_a_tool_error_with_the_line(demo_server):
    _, result = await call(demo_server, manifest="kind: PodCliqueSet\nspec: [\n")
    assert result.is_error
    assert "manifest, line 3, column 1: not valid YAML" in text_of(result)
    assert "[invalid_input]" in text_of(result)


async def test_grove_generate_refuses_a_render_grove_would_refuse(monkeypatch):
    # The renderer shortens names to Grove's 45-character limit; were that to regress, only the
    # offline check (not the CRD schema) would catch the over-long names. Break it and see.
    fixture = "qwen3_32b_sglang_8gpu"
    long_name = "qwen3-32b-sglang-disaggregated-serving-prod"
    server = build_server(ServerConfig(demo=True), tools=(generate_tool(Replay(fixture)),))
    async with Client(server) as client:
        monkeypatch.setattr("grove_mcp.aic.manifests.fit_name", lambda name, child_length: name)
        refused = await client.call_tool("grove_generate", {**flags(fixture), "name": long_name})
        monkeypatch.undo()
        passed = await client.call_tool("grove_generate", {**flags(fixture), "name": "qwen3"})
    assert refused.is_error
    assert "[admission_refused]" in text_of(refused)
    assert "45" in text_of(refused)
    assert not passed.is_error, text_of(passed)
