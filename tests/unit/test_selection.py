"""Grove's children are selected by part-of AND managed-by=grove-operator: a user's own pod
labelled part-of the workload (as Helm charts label everything) is not the workload's."""

from __future__ import annotations

from grove_mcp import core
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.snapshot import SnapshotRequest
from grove_mcp.sources import BundleSource

PCS = "my-inference"
LOOK_ALIKE = "my-inference-loadgen-7c9d5"


def test_children_are_listed_by_part_of_and_managed_by():
    assert SnapshotRequest("ns", PCS).selector == (
        "app.kubernetes.io/part-of=my-inference,app.kubernetes.io/managed-by=grove-operator"
    )
    assert SnapshotRequest("ns").selector.endswith(",app.kubernetes.io/managed-by=grove-operator")


def test_a_look_alike_pod_is_another_workload():
    source = BundleSource(SCENARIOS["look-alike-pod"]())
    status = core.run("status", source, None, PCS)
    assert status.summary.ok and status.summary.pods_desired == 10  # type: ignore[attr-defined]
    topology = core.run("topology", source, None, PCS)
    text = topology.model_dump_json()
    assert LOOK_ALIKE not in text
    [node] = [n for n in _nodes(topology.tree) if n.name == "gpu-a2"]  # type: ignore[attr-defined]
    assert (node.gpus.this_workload, node.gpus.other_workloads, node.gpus.free) == (4, 4, 0)


def _nodes(domains):
    for domain in domains:
        yield from domain.nodes
        yield from _nodes(domain.domains)
