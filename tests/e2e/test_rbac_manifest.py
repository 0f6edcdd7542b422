"""deploy/rbac.yaml allows every request grove-mcp makes (asked of the API server's RBAC): the
list comes from the capability table, so a new capability's requests are checked too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from grove_mcp.core.access import api_requests
from grove_mcp.grove.kinds import Kind
from grove_mcp.sources.kube import KubeClient
from tools.envtest.rbac import KINDS as RBAC_KINDS
from tools.envtest.rbac import allowed, apply

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "rbac.yaml"
USER = "rbac-manifest-reader"
WRITER = "rbac-manifest-writer"


def _allowed(
    admin: KubeClient, verb: str, kind: Kind, namespace: str | None, user: str = USER
) -> bool:
    return allowed(admin, user, verb, kind.plural, group=kind.group, namespace=namespace)


def _binding(user: str, role: str) -> dict[str, Any]:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": f"{user}-{role}"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
    }


@pytest.fixture(scope="module")
def bound(admin: KubeClient) -> None:
    roles = list(yaml.safe_load_all(MANIFEST.read_text()))
    bindings = [
        _binding(USER, "grove-mcp-reader"),
        _binding(USER, "grove-mcp-grove-version"),
        _binding(USER, "grove-mcp-metrics"),
        _binding(USER, "grove-mcp-logs"),
        _binding(WRITER, "grove-mcp-reader"),
        _binding(WRITER, "grove-mcp-plan-writer"),
    ]
    apply(admin, [*roles, *bindings])
    assert {r["kind"] for r in roles} <= set(RBAC_KINDS)


@pytest.mark.usefixtures("bound")
def test_every_request_of_every_capability_is_allowed(admin: KubeClient) -> None:
    requests = api_requests()
    assert {r.capability for r in requests} >= {
        "status", "topology", "health", "plan store", "metrics", "compare"
    }  # fmt: skip
    assert any(r.kind.plural == "pods/proxy" for r in requests)
    assert any(r.kind.plural == "pods/log" for r in requests)
    reads = [r for r in requests if not r.writes]
    writes = [r for r in requests if r.writes]
    denied = [r.describe() for r in reads if not _allowed(admin, r.verb, r.kind, r.namespace)]
    assert denied == []
    writer_denied = [
        r.describe() for r in writes if not _allowed(admin, r.verb, r.kind, r.namespace, WRITER)
    ]
    assert writer_denied == []
    changes = [r for r in writes if r.verb in ("create", "update")]
    assert changes, "the write path creates and updates"
    assert [r for r in changes if _allowed(admin, r.verb, r.kind, r.namespace)] == []
