"""The one write grove-mcp makes: a ConfigMap created or updated (DESIGN.md rule 5), used by
``plan store`` for ``<pcs>-aic-plan``.

Create or update, with optimistic concurrency: the update carries the ``resourceVersion`` read,
and a conflict (someone else wrote in between, or created it first) is retried once from a fresh
read. What the ConfigMap should hold is decided by the caller's pure ``decide`` function (for
plans: ``plans.configmap.next_content``); this module only reads and writes. Content that
``decide`` marks unchanged writes nothing. Secrets are never touched.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

from ..errors import Conflict, NotFound
from ..grove.kinds import CONFIGMAP, ConfigMap, Kind
from .kube import PLAN_STORE, KubeClient

Action = Literal["created", "updated", "unchanged"]
# What a write asks of the API server, for the RBAC check: (verb, kind), in the namespace.
WRITE_REQUESTS: tuple[tuple[str, Kind], ...] = (
    ("get", CONFIGMAP),
    ("create", CONFIGMAP),
    ("update", CONFIGMAP),
)


class Content(Protocol):
    """What a ConfigMap should hold after the write, decided from what it holds now."""

    @property
    def unchanged(self) -> bool: ...
    @property
    def data(self) -> dict[str, str]: ...
    @property
    def labels(self) -> dict[str, str]: ...


C = TypeVar("C", bound=Content)


@dataclass(frozen=True)
class WriteResult(Generic[C]):
    action: Action
    content: C


def write_config_map(
    kube: KubeClient, namespace: str, name: str, decide: Callable[[ConfigMap | None], C]
) -> WriteResult[C]:
    """Create or update ConfigMap ``name`` with what ``decide(existing)`` returns."""
    for attempt in (1, 2):
        raw = _get(kube, namespace, name)
        content = decide(ConfigMap.model_validate(raw) if raw is not None else None)
        if content.unchanged:
            return WriteResult("unchanged", content)
        body = _body(raw, namespace, name, content)
        try:
            if raw is None:
                kube.request("POST", CONFIGMAP, namespace, body=body, purpose=PLAN_STORE)
                return WriteResult("created", content)
            kube.request("PUT", CONFIGMAP, namespace, name, body=body, purpose=PLAN_STORE)
            return WriteResult("updated", content)
        except Conflict as err:
            if attempt == 2:
                err.message = (
                    f"ConfigMap {namespace}/{name} changed while it was being written, twice "
                    "in a row (someone else is writing it too). Retry."
                )
                raise
    raise AssertionError("unreachable")


def _get(kube: KubeClient, namespace: str, name: str) -> dict[str, Any] | None:
    try:
        raw = kube.request("GET", CONFIGMAP, namespace, name)
    except NotFound:
        return None
    return raw if isinstance(raw, dict) else None


def _body(
    raw: dict[str, Any] | None, namespace: str, name: str, content: Content
) -> dict[str, Any]:
    """The whole object to send: the one read (annotations, binaryData … kept), new data."""
    body = copy.deepcopy(raw) if raw is not None else {}
    metadata = body.setdefault("metadata", {})
    metadata.update({"name": name, "namespace": namespace, "labels": content.labels})
    body.update({"apiVersion": "v1", "kind": "ConfigMap", "data": content.data})
    return body
