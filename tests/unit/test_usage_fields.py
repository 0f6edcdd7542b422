"""Cluster-wide pods keep only what accounting reads (``snapshot.usage_fields``): every figure
read from them is the same as from the whole pod, and a malformed pod is still refused with
the field's path."""

from __future__ import annotations

import copy

import pytest

from grove_mcp.errors import BundleError
from grove_mcp.grove.k8s import Pod
from grove_mcp.snapshot import PART_OF, SnapshotRequest, fetch_snapshot, usage_fields
from grove_mcp.sources import demo_source
from grove_mcp.sources.bundle import Bundle, BundleSource


def _pods() -> list[dict]:
    return [o for o in demo_source().bundle.objects if o["kind"] == "Pod"]


def _accounting(pod: Pod) -> tuple:
    return (
        pod.metadata.namespace,
        pod.name,
        pod.metadata.uid,
        pod.spec.node_name,
        pod.status.phase,
        pod.status.nominated_node_name,
        pod.is_terminated,
        pod.gpus,
        pod.spec.request("cpu"),
        pod.spec.request("memory"),
    )


def test_every_figure_accounting_reads_survives_the_slimming():
    pods = _pods()
    pods[0] = copy.deepcopy(pods[0])
    pods[0]["status"]["nominatedNodeName"] = "node-x"
    pods[0]["spec"]["initContainers"] = [{"name": "i", "resources": {"requests": {"cpu": "64"}}}]
    for raw in pods:
        assert _accounting(Pod.model_validate(usage_fields(raw))) == _accounting(
            Pod.model_validate(raw)
        )


def _source(*pods: dict) -> BundleSource:
    demo = demo_source().bundle
    others = tuple(o for o in demo.objects if o["kind"] != "Pod")
    return BundleSource(Bundle(demo.manifest, (*others, *pods), origin="test"))


def test_a_malformed_cluster_pod_is_refused_with_its_field():
    bad = copy.deepcopy(_pods()[0])
    bad["metadata"]["namespace"] = "elsewhere"
    bad["spec"]["containers"] = "not a list"
    request = SnapshotRequest("default", cluster_usage=True)
    with pytest.raises(BundleError, match=r"spec\.containers"):
        fetch_snapshot(_source(bad), request)


def test_cluster_pods_are_lean_and_namespace_pods_whole():
    raw = next(p for p in _pods() if p["metadata"]["labels"].get(PART_OF) == "my-inference")
    snapshot = fetch_snapshot(
        _source(raw),
        SnapshotRequest(raw["metadata"]["namespace"], "my-inference", cluster_usage=True),
    )
    assert snapshot.cluster_pods is not None
    assert raw["spec"]["containers"][0]["image"]
    assert snapshot.cluster_pods[0].spec.containers[0].image is None
    assert snapshot.pods[0].spec.containers[0] == Pod.model_validate(raw).spec.containers[0]
