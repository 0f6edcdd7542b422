"""The shipped demo bundle is exactly what the demo scenario builds (no drift)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import yaml

from grove_mcp import core
from grove_mcp.reports.common import DerivedPlacement
from grove_mcp.reports.topology import DomainPlacement, NodePlacement
from grove_mcp.scenarios import demo
from grove_mcp.sources import Bundle, demo_bundle_path, demo_source


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
    # the recorded scrapes too, to the byte (the recorder writes no wall-clock _created lines)
    assert shipped.metrics == built.metrics, "recorded metrics drifted: run 'make demo-bundle'"


def test_the_demo_objects_read_alike_by_a_reader_that_parses_every_file_as_yaml():
    """The demo's objects are JSON (read without YAML, for a quick start); JSON is YAML too,
    so a reader that parses every object file as YAML (as readers before it did) reads them."""
    files = sorted((demo_bundle_path() / "objects").iterdir())
    as_yaml = [
        item
        for path in files
        for doc in yaml.safe_load_all(path.read_text())
        for item in (doc["items"] if doc["kind"].endswith("List") else [doc])
    ]
    assert as_yaml == list(Bundle.load(demo_bundle_path()).objects)
    assert {path.suffix for path in files} == {".json"}


def test_demo_tells_the_documented_story():
    """README.md "The demo", as the reports tell it."""
    source = demo_source()
    [workload] = core.run("list", source).items
    status = core.run("status", source, None, "my-inference")
    health = core.run("health", source, None, "my-inference")
    topology = core.run("topology", source, None, "my-inference")
    plan = core.run("plan show", source, None, "my-inference")
    assert (status.namespace, workload.name) == ("vllm-disagg", "my-inference")

    # router, prefill 2 x TP4, decode 2 x TP2; two replicas, two gangs
    replicas = {c.clique: c.replicas for c in status.cliques}
    assert replicas == {"router": 1, "prefill": 2, "decode": 2}
    pods = [pod for node in _nodes(topology.tree) for pod in node.pods]
    assert {(p.clique, p.gpus) for p in pods} == {("router", 0), ("prefill", 4), ("decode", 2)}
    assert status.overview.replicas == 2
    gang0, gang1 = health.gangs
    assert [gang0.name, gang1.name] == ["my-inference-0", "my-inference-1"]

    # gang 0 packed in rack-a; gang 1 split across racks b and c, one prefill pod pending
    placed = {g.name: _domains(g.derived_placement, "rack") for g in topology.gangs}
    assert placed == {"my-inference-0": ["rack-a"], "my-inference-1": ["rack-b", "rack-c"]}
    assert gang0.state == "Healthy" and gang0.termination is None
    [pending] = topology.gangs[1].unscheduled_pods
    assert (pending.clique, pending.phase, pending.gpus) == ("prefill", "Pending", 4)
    # ... for lack of GPUs: no node has 4 free
    assert max(node.gpus.free for node in _nodes(topology.tree)) < pending.gpus
    unschedulable = next(i for i in gang1.issues if i.code == "POD_UNSCHEDULABLE")
    assert "Insufficient nvidia.com/gpu" in unschedulable.message

    # MinAvailableBreached for 18 minutes of a 4 h terminationDelay
    assert gang1.state == "Breached" and "MinAvailableBreached" in gang1.reason
    countdown = gang1.termination
    assert countdown is not None and countdown.subject == "podclique/my-inference-1-prefill"
    assert health.as_of - countdown.breached_since == timedelta(minutes=18)
    assert countdown.termination_delay_seconds == health.termination_delay_seconds == 4 * 3600

    # ClusterTopologyBinding region > zone > rack > host; six 8-GPU nodes, shared
    assert topology.topology is not None and topology.topology.kind == "ClusterTopologyBinding"
    levels = " > ".join(level.domain for level in topology.topology.levels)
    assert levels == "region > zone > rack > host"
    nodes = list(_nodes(topology.tree))
    assert len(nodes) == 6 and {n.gpus.allocatable for n in nodes} == {8}
    assert sum(n.gpus.other_workloads for n in nodes) > 0  # the training job

    # a stored plan for Qwen3-32B on h200_sxm with SLA TTFT 300 ms, TPOT 10 ms
    stored = plan.stored
    assert (stored.model, stored.system) == ("Qwen/Qwen3-32B", "h200_sxm")
    assert (stored.sla_ttft_ms, stored.sla_tpot_ms) == (300, 10)
    assert [(r.role, r.workers, r.tp) for r in stored.roles] == [
        ("prefill", 2, 4),
        ("decode", 2, 2),
    ]


def _nodes(domains: list[DomainPlacement]) -> Iterator[NodePlacement]:
    for domain in domains:
        yield from domain.nodes
        yield from _nodes(domain.domains)


def _domains(placement: DerivedPlacement | None, level: str) -> list[str]:
    assert placement is not None
    return next(lvl.domains for lvl in placement.levels if lvl.domain == level)
