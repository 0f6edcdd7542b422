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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from grove_mcp.grove.base import KubeObject
from grove_mcp.grove.kinds import Kind
from grove_mcp.sources.kube import _VERBS, Conflict, KubeClient

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


# --- the RBAC matrix: one shipped permission taken away at a time --------------------------


@dataclass(frozen=True, order=True)
class Permission:
    """One verb on one resource of one API group, as an RBAC rule grants it."""

    verb: str
    group: str
    resource: str  # the plural, with a subresource where there is one (``pods/proxy``)

    @property
    def slug(self) -> str:
        """``list-podgangs``, ``get-pods-proxy``: for test ids and user names."""
        return f"{self.verb}-{self.resource.replace('/', '-')}"


@dataclass(frozen=True)
class Use:
    """One request a client made: the permission it needed, and where (None: cluster-wide)."""

    permission: Permission
    namespace: str | None
    namespaced: bool  # the resource lives in namespaces (a cluster-wide use spans them all)


def manifest_rules(path: Path) -> list[dict[str, Any]]:
    """Every rule of every ClusterRole in an RBAC manifest (deploy/rbac.yaml)."""
    documents = [d for d in yaml.safe_load_all(path.read_text()) if d]
    return [rule for d in documents if d["kind"] == "ClusterRole" for rule in d["rules"]]


def permissions(rules: Iterable[dict[str, Any]]) -> set[Permission]:
    """The permissions the rules grant, one per (verb, group, resource)."""
    return {
        Permission(verb, group, resource)
        for rule in rules
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }


def rules_without(rules: Iterable[dict[str, Any]], removed: Permission) -> list[dict[str, Any]]:
    """The rules, less one permission: one rule per (group, resource), sorted."""
    granted: dict[tuple[str, str], set[str]] = {}
    for p in permissions(rules) - {removed}:
        granted.setdefault((p.group, p.resource), set()).add(p.verb)
    return [
        {"apiGroups": [group], "resources": [resource], "verbs": sorted(verbs)}
        for (group, resource), verbs in sorted(granted.items())
    ]


def user_grant(user: str, rules: list[dict[str, Any]]) -> list[dict]:
    """A ClusterRole with ``rules`` and its ClusterRoleBinding to ``user``, both named after it."""
    role = _role("ClusterRole", f"grove-envtest-{user}", None, rules)
    return [role, _binding("ClusterRoleBinding", "ClusterRole", user, None)]


def record_uses(kube: KubeClient) -> list[Use]:
    """Record, on ``kube`` (an impersonating clone, typically), every request it sends from
    now on, as the permission it needs; the list grows as requests go out, answered or not."""
    uses: list[Use] = []
    send = kube._call

    def recording(method: str, path: str, params: Any, body: Any, *rest: Any, **kw: Any) -> Any:
        kind, namespace, name = rest[1], rest[2], rest[3]
        verb = _VERBS.get(method, method.lower())
        if method == "GET":
            verb = "watch" if ("watch", "true") in params else ("get" if name else "list")
        scope = namespace if kind.namespaced else None
        uses.append(Use(Permission(verb, kind.group, kind.plural), scope, kind.namespaced))
        return send(method, path, params, body, *rest, **kw)

    kube.__dict__["_call"] = recording
    return uses


SERVICE_ACCOUNT = Kind("ServiceAccount", "", "v1", "serviceaccounts", True, KubeObject)


def service_account_kubeconfig(
    admin: KubeClient, admin_kubeconfig: Path, namespace: str, name: str, out: Path
) -> str:
    """A kubeconfig for a new ServiceAccount (a TokenRequest: no controller is needed), so a
    child process runs as an identity the test makes; RBAC knows it as the returned user name."""
    body = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}}
    admin.request("POST", SERVICE_ACCOUNT, namespace, body=body)
    request = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}}
    answer = admin.request("POST", SERVICE_ACCOUNT, namespace, name, sub="token", body=request)
    config = yaml.safe_load(admin_kubeconfig.read_text())
    for user in config["users"]:
        user["user"] = {"token": answer["status"]["token"]}
    out.write_text(yaml.safe_dump(config, sort_keys=False))
    return f"system:serviceaccount:{namespace}:{name}"
