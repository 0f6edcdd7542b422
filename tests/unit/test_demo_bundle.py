"""The shipped demo bundle is exactly what the demo scenario builds (no drift)."""

from __future__ import annotations

from grove_mcp.scenarios import demo
from grove_mcp.sources import Bundle, demo_bundle_path


def _key(obj):
    return (obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"])


def test_shipped_demo_matches_the_scenario():
    shipped = Bundle.load(demo_bundle_path())
    built = demo()
    assert shipped.manifest.captured_at == built.manifest.captured_at
    assert shipped.manifest.namespace == "vllm-disagg"
    assert sorted(shipped.objects, key=_key) == sorted(built.objects, key=_key), (
        "grove_mcp/demo/bundle drifted from grove_mcp/scenarios: run 'make demo-bundle'"
    )


def test_demo_tells_the_documented_story():
    kinds = {o["kind"] for o in demo().objects}
    assert {
        "PodCliqueSet",
        "PodClique",
        "PodGang",
        "Pod",
        "Node",
        "ClusterTopologyBinding",
        "Event",
        "ConfigMap",
    } <= kinds
