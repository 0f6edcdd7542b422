"""deploy/rbac.yaml allows every request grove-mcp makes (asked of the API server's RBAC)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from grove_mcp.grove.base import KubeObject
from grove_mcp.grove.kinds import CONFIGMAP, Kind
from grove_mcp.snapshot import SnapshotRequest
from grove_mcp.sources.kube import KubeClient
from tools.envtest.rbac import KINDS as RBAC_KINDS
from tools.envtest.rbac import apply

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "rbac.yaml"
REVIEW = Kind(
    "SubjectAccessReview",
    "authorization.k8s.io",
    "v1",
    "subjectaccessreviews",
    False,
    KubeObject,
    has_status=False,
)
USER = "rbac-manifest-reader"


def _allowed(admin: KubeClient, verb: str, kind: Kind, namespace: str | None) -> bool:
    attributes: dict[str, Any] = {"verb": verb, "group": kind.group, "resource": kind.plural}
    if namespace:
        attributes["namespace"] = namespace
    review = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SubjectAccessReview",
        "spec": {"user": USER, "resourceAttributes": attributes},
    }
    return bool(admin.request("POST", REVIEW, body=review)["status"].get("allowed"))


@pytest.fixture(scope="module")
def bound(admin: KubeClient) -> None:
    roles = list(yaml.safe_load_all(MANIFEST.read_text()))
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": USER},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": "grove-mcp-reader",
        },
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": USER}],
    }
    apply(admin, [*roles, binding])
    assert {r["kind"] for r in roles} <= set(RBAC_KINDS)


@pytest.mark.usefixtures("bound")
def test_every_query_of_every_report_is_allowed(admin: KubeClient) -> None:
    request = SnapshotRequest("vllm-disagg", "my-inference", events=True, cluster_usage=True)
    queries = [*request.queries(), *SnapshotRequest("vllm-disagg").queries()]
    denied = [
        f"{verb} {q.kind.resource} in {q.namespace or 'all namespaces'}"
        for q in queries
        for verb in ("list", "watch")
        if not _allowed(admin, verb, q.kind, q.namespace)
    ]
    assert denied == []
    assert _allowed(admin, "list", CONFIGMAP, "vllm-disagg")  # stored plans
    assert not _allowed(admin, "create", CONFIGMAP, "vllm-disagg")  # the reader writes nothing
