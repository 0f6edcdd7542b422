"""``topology``: tree, GPU accounting, verdicts, warnings and feasible consolidation advice."""

from __future__ import annotations

from unit_helpers import scenario_snapshot

from grove_mcp.capabilities.topology import build_topology


def _topology(name: str, pcs: str = "my-inference", **needs: bool):
    needs.setdefault("cluster_usage", True)
    return build_topology(scenario_snapshot(name, pcs, **needs), pcs)


def _nodes(report):
    def walk(domain):
        yield from domain.nodes
        for child in domain.domains:
            yield from walk(child)

    return {n.name: n for d in report.tree for n in walk(d)}


def test_demo_tree_and_gpu_accounting():
    report = _topology("demo")
    assert [lv.domain for lv in report.topology.levels] == ["region", "zone", "rack", "host"]
    zone = report.tree[0].domains[0]
    racks = {d.name: d for d in zone.domains}
    assert {n: d.verdict for n, d in racks.items()} == {
        "rack-a": "optimal",
        "rack-b": "fragmented",
        "rack-c": "fragmented",
    }
    nodes = _nodes(report)
    b2 = nodes["gpu-b2"].gpus
    assert (b2.allocatable, b2.this_workload, b2.other_workloads, b2.free) == (8, 0, 5, 3)
    assert [p.clique for p in nodes["gpu-a1"].pods] == ["prefill", "prefill"]
    assert report.placement_score == 0.65 and report.reported_placement_score is None
    assert [p.name for p in report.gangs[1].unscheduled_pods] == [
        p.name for p in report.gangs[1].unscheduled_pods if p.clique == "prefill"
    ]


def test_demo_recommendation_is_feasible_with_the_free_gpus_shown():
    report = _topology("demo")
    [rec] = report.recommendations
    assert rec.feasible and rec.gang == "my-inference-1"
    assert (rec.level, rec.target_domain) == ("rack", "rack-b")
    free = {n: node.gpus.free for n, node in _nodes(report).items()}
    for move in rec.moves:
        assert move.from_domain == "rack-c"
        assert free[move.to_node] >= move.gpus
        free[move.to_node] -= move.gpus
    assert (rec.score_before, rec.score_after) == (0.65, 0.8)
    assert rec.pending_pods_fit is False
    assert any(cmd.startswith("kubectl delete pod -n vllm-disagg") for cmd in rec.commands)
    codes = {w.code for w in report.warnings}
    assert {"GANG_SPLIT", "PODS_UNSCHEDULED", "NO_PACK_CONSTRAINT"} <= codes


def test_split_racks_consolidates_to_one():
    [rec] = _topology("split-racks").recommendations
    assert rec.feasible and rec.score_after == 1.0
    assert [m.to_node for m in rec.moves] == ["gpu-b2"]


def test_no_recommendation_when_optimal():
    report = _topology("healthy")
    assert report.recommendations == [] and report.placement_score == 1.0
    assert not [w for w in report.warnings if w.severity != "info"]


def test_infeasible_consolidation_says_what_is_missing():
    report = _topology("pending-gpus")
    [rec] = report.recommendations
    assert not rec.feasible and rec.moves == []
    assert "No feasible consolidation" in rec.explanation


def test_without_cluster_wide_pods_free_gpus_are_unknown():
    report = _topology("demo", cluster_usage=False)
    assert _nodes(report)["gpu-b2"].gpus.free is None
    assert "GPU_USAGE_UNKNOWN" in {w.code for w in report.warnings}
    [rec] = report.recommendations
    assert not rec.feasible and "Free GPUs are unknown" in rec.explanation


def test_legacy_cluster_topology_and_pack_domain():
    report = _topology("legacy-alpha8")
    assert report.topology.kind == "ClusterTopology"
    assert report.topology.name == "grove-topology"
    assert [lv.domain for lv in report.topology.levels] == ["region", "zone", "rack", "host"]
    assert report.constraints[0].legacy_pack_domain
    assert "LEGACY_PACK_DOMAIN" in {w.code for w in report.warnings}


def test_dra_allocated_gpus_count_per_pod():
    """GPUs allocated through DRA ResourceClaims count toward this/other workloads."""
    from grove_mcp.scenarios import demo
    from grove_mcp.snapshot import SnapshotRequest, fetch_snapshot
    from grove_mcp.sources import Bundle, BundleSource

    bundle = demo()
    pods = [o for o in bundle.objects if o["kind"] == "Pod"]
    ours = next(p for p in pods if p["metadata"]["name"].startswith("my-inference-0-router"))
    theirs = next(
        p
        for p in pods
        if p["metadata"]["namespace"] == "ml-training" and p["spec"]["nodeName"] == "gpu-b2"
    )

    def claim(name: str, pod: dict, devices: int) -> dict:
        return {
            "apiVersion": "resource.k8s.io/v1",
            "kind": "ResourceClaim",
            "metadata": {"name": name, "namespace": pod["metadata"]["namespace"]},
            "status": {
                "allocation": {
                    "devices": {
                        "results": [
                            {
                                "request": "gpu",
                                "driver": "gpu.nvidia.com",
                                "pool": "p",
                                "device": f"gpu-{i}",
                            }
                            for i in range(devices)
                        ]
                    }
                },
                "reservedFor": [
                    {
                        "resource": "pods",
                        "name": pod["metadata"]["name"],
                        "uid": pod["metadata"]["uid"],
                    }
                ],
            },
        }

    extended = Bundle(
        bundle.manifest,
        (*bundle.objects, claim("router-gpus", ours, 1), claim("train-gpus", theirs, 2)),
    )
    snapshot = fetch_snapshot(
        BundleSource(extended), SnapshotRequest("vllm-disagg", "my-inference", cluster_usage=True)
    )
    report = build_topology(snapshot, "my-inference")
    nodes = _nodes(report)
    assert nodes["gpu-a2"].gpus.this_workload == 5  # 4 device-plugin + 1 DRA
    assert nodes["gpu-b2"].gpus.other_workloads == 7  # 5 device-plugin + 2 DRA
    router = next(p for p in nodes["gpu-a2"].pods if p.clique == "router")
    assert router.gpus == 1


def test_unreadable_nodes_are_unknown_not_down():
    """An identity that cannot list nodes sees its pods' nodes as unknown, never NotReady."""
    from dataclasses import replace

    from grove_mcp.grove.kinds import NODE
    from grove_mcp.scenarios import demo
    from grove_mcp.snapshot import SnapshotRequest, fetch_snapshot
    from grove_mcp.sources import BundleSource

    class NoNodes(BundleSource):
        def list_many(self, queries):
            return [
                replace(r, items=(), available=False, note="RBAC denied 'list' on nodes")
                if r.query.kind == NODE
                else r
                for r in super().list_many(queries)
            ]

    snapshot = fetch_snapshot(
        NoNodes(demo()), SnapshotRequest("vllm-disagg", "my-inference", cluster_usage=True)
    )
    report = build_topology(snapshot, "my-inference")
    a1 = _nodes(report)["gpu-a1"]
    assert (a1.ready, a1.schedulable) == (None, None)
    assert (a1.gpus.allocatable, a1.gpus.this_workload, a1.gpus.free) == (None, 8, None)
    assert all(g.verdict == "unscored" for g in report.gangs)
    assert "RBAC denied 'list' on nodes" in report.notes
    assert "NODES_UNREADABLE" in {w.code for w in report.warnings}
