"""The bed is real: Grove's CRD schema is enforced, status goes through its subresource, and
watches see the writes."""

from __future__ import annotations

import copy
import time
from datetime import timedelta

import pytest

from grove_mcp.errors import ApiError
from grove_mcp.grove.kinds import PODCLIQUE, PODCLIQUESET
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.snapshot import SnapshotRequest, fetch
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import prepare, seed

WATCH_DEADLINE = 15.0


def _pcs(namespace: str) -> dict:
    """The healthy scenario's PodCliqueSet, ready to create in ``namespace``."""
    bundle = SCENARIOS["healthy"]().with_namespace(namespace)
    objects, _ = prepare(bundle, timedelta(0))
    pcs = next(o for o in objects if o["kind"] == "PodCliqueSet")
    return {k: v for k, v in pcs.items() if k != "status"}


def _refused(admin: KubeClient, namespace: str, pcs: dict) -> ApiError:
    with pytest.raises(ApiError) as caught:
        admin.request("POST", PODCLIQUESET, namespace, body=pcs)
    assert caught.value.__cause__.status == 422  # type: ignore[union-attr]
    assert "The API server refused the PodCliqueSet as invalid" in str(caught.value)
    return caught.value


def test_crd_schema_requires_role_name(admin: KubeClient, namespace: str) -> None:
    pcs = _pcs(namespace)
    del pcs["spec"]["template"]["cliques"][0]["spec"]["roleName"]

    err = _refused(admin, namespace, pcs)

    assert "spec.template.cliques[0].spec.roleName: Required value" in str(err)


def test_crd_refuses_pack_domain_on_new_objects(admin: KubeClient, namespace: str) -> None:
    pcs = _pcs(namespace)
    pcs["spec"]["template"]["topologyConstraint"] = {"packDomain": "rack"}

    err = _refused(admin, namespace, pcs)

    assert "packDomain" in str(err)


def test_status_subresource_write_is_seen_by_a_watch(
    admin: KubeClient, admin_kubeconfig: str, namespace: str
) -> None:
    seed(admin, SCENARIOS["healthy"](), namespace=namespace)
    source = LiveSource.connect(kubeconfig=admin_kubeconfig)
    results, snapshot = fetch(source, SnapshotRequest(namespace, "my-inference"))
    name = snapshot.podcliques[0].name
    pclq = admin.request("GET", PODCLIQUE, namespace, name)
    changed = copy.deepcopy(pclq)
    changed["status"]["readyReplicas"] = 0
    changed["spec"]["replicas"] = 7  # the status subresource must ignore spec

    written = admin.request("PUT", PODCLIQUE, namespace, name, sub="status", body=changed)

    assert written["status"]["readyReplicas"] == 0
    assert written["spec"]["replicas"] == pclq["spec"]["replicas"]
    seen = _first_modification(source, results, name)
    assert seen["status"]["readyReplicas"] == 0
    assert seen["metadata"]["resourceVersion"] == written["metadata"]["resourceVersion"]
    source.close()


def test_main_resource_write_ignores_status(admin: KubeClient, namespace: str) -> None:
    seed(admin, SCENARIOS["healthy"](), namespace=namespace)
    pclq = admin.request("GET", PODCLIQUE, namespace, "my-inference-0-router")
    pclq["status"]["readyReplicas"] = 0

    written = admin.request("PUT", PODCLIQUE, namespace, "my-inference-0-router", body=pclq)

    assert written["status"]["readyReplicas"] == 1


def _first_modification(source: LiveSource, results: list, name: str) -> dict:
    """The first MODIFIED event for PodClique ``name``, waiting at most WATCH_DEADLINE."""
    deadline = time.monotonic() + WATCH_DEADLINE
    batches = source.watch(results, tick=0.2)
    try:
        for batch in batches:
            for event in batch:
                if event.type == "MODIFIED" and event.obj["metadata"]["name"] == name:
                    return event.obj
            if time.monotonic() > deadline:
                break
    finally:
        batches.close()  # type: ignore[attr-defined]
    pytest.fail(f"no MODIFIED event for PodClique {name} within {WATCH_DEADLINE}s")
