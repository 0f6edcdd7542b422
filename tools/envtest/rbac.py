"""The limited identities of the test API server and the RBAC grants that define them.

- ``viewer``: a Role per namespace to get/list/watch Grove's namespaced kinds, pods, events
  and configmaps there; nothing cluster-wide (no nodes, no pods of other namespaces).
- ``no-grove``: a Role per namespace to list pods, but no Grove kinds.
- ``cluster-viewer``: a ClusterRole to get/list/watch everything grove-mcp reads, everywhere.
- ``no-quota``: as ``cluster-viewer``, but without ResourceQuotas and KAI's Queues (what caps
  GPUs), which grove-mcp reads only when allowed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from typing import Any

from grove_mcp.grove.base import KubeObject
from grove_mcp.grove.kinds import Kind
from grove_mcp.sources.kube import Conflict, KubeClient

VIEWER, NO_GROVE, CLUSTER_VIEWER = "viewer", "no-grove", "cluster-viewer"
NO_QUOTA = "no-quota"
LIMITED_USERS = (VIEWER, NO_GROVE, CLUSTER_VIEWER, NO_QUOTA)
RBAC = "rbac.authorization.k8s.io"
READ = ["get", "list", "watch"]
KINDS = {
    k.kind: k
    for k in (
        Kind("Role", RBAC, "v1", "roles", True, KubeObject, has_status=False),
        Kind("RoleBinding", RBAC, "v1", "rolebindings", True, KubeObject, has_status=False),
        Kind("ClusterRole", RBAC, "v1", "clusterroles", False, KubeObject, has_status=False),
        Kind("ClusterRoleBinding", RBAC, "v1", "clusterrolebindings", False, KubeObject, False),
    )
}

GROVE_NAMESPACED = {
    "grove.io": ["podcliquesets", "podcliques", "podcliquescalinggroups", "podgangmaps"]
}
GROVE_PODGANGS = {"scheduler.grove.io": ["podgangs"]}
CORE_NAMESPACED = {"": ["pods", "events", "configmaps"]}
EVERYTHING_READ = {
    "grove.io": [
        "podcliquesets",
        "podcliques",
        "podcliquescalinggroups",
        "podgangmaps",
        "clustertopologybindings",
        "clustertopologies",
    ],
    **GROVE_PODGANGS,
    "": ["pods", "nodes", "events", "configmaps", "namespaces", "resourcequotas"],
    "resource.k8s.io": ["resourceclaims"],
    "apps": ["deployments"],
    "scheduling.run.ai": ["queues"],
}


def _rules(grants: dict[str, list[str]], verbs: list[str]) -> list[dict[str, Any]]:
    return [
        {"apiGroups": [group], "resources": resources, "verbs": verbs}
        for group, resources in grants.items()
    ]


def _role(kind: str, name: str, namespace: str | None, rules: list[dict[str, Any]]) -> dict:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": f"{RBAC}/v1", "kind": kind, "metadata": meta, "rules": rules}


def _binding(kind: str, role_kind: str, user: str, namespace: str | None) -> dict:
    meta: dict[str, Any] = {"name": f"grove-envtest-{user}"}
    if namespace:
        meta["namespace"] = namespace
    return {
        "apiVersion": f"{RBAC}/v1",
        "kind": kind,
        "metadata": meta,
        "roleRef": {"apiGroup": RBAC, "kind": role_kind, "name": f"grove-envtest-{user}"},
        "subjects": [{"apiGroup": RBAC, "kind": "User", "name": user}],
    }


def namespace_grants(namespace: str) -> list[dict]:
    """Roles and RoleBindings for ``viewer`` and ``no-grove`` in one namespace."""
    viewer = _rules({**GROVE_NAMESPACED, **GROVE_PODGANGS, **CORE_NAMESPACED}, READ)
    no_grove = _rules({"": ["pods"]}, READ)
    return [
        _role("Role", f"grove-envtest-{VIEWER}", namespace, viewer),
        _binding("RoleBinding", "Role", VIEWER, namespace),
        _role("Role", f"grove-envtest-{NO_GROVE}", namespace, no_grove),
        _binding("RoleBinding", "Role", NO_GROVE, namespace),
    ]


QUOTA_KINDS = {"": "resourcequotas", "scheduling.run.ai": "queues"}


def cluster_grants() -> list[dict]:
    """The ClusterRoles and ClusterRoleBindings of ``cluster-viewer`` and ``no-quota``."""
    no_quota = {
        group: [r for r in resources if QUOTA_KINDS.get(group) != r]
        for group, resources in EVERYTHING_READ.items()
    }
    return [
        _role(
            "ClusterRole", f"grove-envtest-{CLUSTER_VIEWER}", None, _rules(EVERYTHING_READ, READ)
        ),
        _binding("ClusterRoleBinding", "ClusterRole", CLUSTER_VIEWER, None),
        _role(
            "ClusterRole",
            f"grove-envtest-{NO_QUOTA}",
            None,
            _rules({g: r for g, r in no_quota.items() if r}, READ),
        ),
        _binding("ClusterRoleBinding", "ClusterRole", NO_QUOTA, None),
    ]


def apply(kube: KubeClient, objects: Iterable[dict]) -> None:
    """Create each object; one that exists already is left as it is."""
    for obj in objects:
        with contextlib.suppress(Conflict):
            kube.request("POST", KINDS[obj["kind"]], obj["metadata"].get("namespace"), body=obj)


REVIEW = Kind(
    "SubjectAccessReview",
    "authorization.k8s.io",
    "v1",
    "subjectaccessreviews",
    False,
    KubeObject,
    has_status=False,
)


def allowed(
    admin: KubeClient,
    user: str,
    verb: str,
    resource: str,
    *,
    group: str = "",
    groups: Sequence[str] = (),
    namespace: str | None = None,
    name: str | None = None,
    subresource: str | None = None,
) -> bool:
    """One SubjectAccessReview: may ``user`` (in ``groups``) ``verb`` the ``resource``
    (``pods/proxy`` names its subresource too)?"""
    plural, _, sub = resource.partition("/")
    attributes: dict[str, Any] = {"verb": verb, "group": group, "resource": plural}
    for key, value in (
        ("namespace", namespace),
        ("name", name),
        ("subresource", subresource or sub),
    ):
        if value:
            attributes[key] = value
    spec: dict[str, Any] = {"user": user, "resourceAttributes": attributes}
    if groups:
        spec["groups"] = list(groups)
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec}
    return bool(admin.request("POST", REVIEW, body=review)["status"].get("allowed"))
