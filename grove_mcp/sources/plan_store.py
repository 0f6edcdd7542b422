"""The one write grove-mcp makes: a plan stored in ConfigMap ``<pcs>-aic-plan`` (DESIGN.md rule 5).

Create or update, with optimistic concurrency: the update carries the ``resourceVersion`` read,
and a conflict (someone else wrote in between, or created it first) is retried once from a fresh
read. Storing the plan that is already current writes nothing. What the ConfigMap holds is
decided by ``stored_plans.next_content`` (pure); this module only reads and writes it.

No owner reference to the PodCliqueSet: the plan history outlives a delete-and-reapply of the
workload, which is when comparing with the plan matters most. Secrets are never touched.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ..errors import AccessDenied, Conflict, NotFound
from ..grove.kinds import CONFIGMAP, ConfigMap
from ..stored_plans import NextContent, PlanInput, config_map_name, next_content
from .kube import KubeClient

Action = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class StoreResult:
    action: Action
    content: NextContent


def store_plan(
    kube: KubeClient, namespace: str, pcs: str, new: PlanInput, now: datetime
) -> StoreResult:
    """Store ``new`` as the current plan of ``pcs``; the PodCliqueSet was checked to exist."""
    name = config_map_name(pcs)
    try:
        for attempt in (1, 2):
            raw = _get(kube, namespace, name)
            existing = ConfigMap.model_validate(raw) if raw is not None else None
            content = next_content(existing, pcs, new, now)
            if content.unchanged:
                return StoreResult("unchanged", content)
            body = _body(raw, namespace, name, content)
            try:
                if raw is None:
                    kube.request("POST", CONFIGMAP, namespace, body=body)
                    return StoreResult("created", content)
                kube.request("PUT", CONFIGMAP, namespace, name, body=body)
                return StoreResult("updated", content)
            except Conflict as err:
                if attempt == 2:
                    err.message = (
                        f"ConfigMap {namespace}/{name} changed while the plan was being stored, "
                        "twice in a row (someone else is storing plans). Retry."
                    )
                    raise
    except AccessDenied as err:
        raise _denied(err, pcs) from err
    raise AssertionError("unreachable")


def _get(kube: KubeClient, namespace: str, name: str) -> dict[str, Any] | None:
    try:
        raw = kube.request("GET", CONFIGMAP, namespace, name)
    except NotFound:
        return None
    return raw if isinstance(raw, dict) else None


def _body(
    raw: dict[str, Any] | None, namespace: str, name: str, content: NextContent
) -> dict[str, Any]:
    """The whole object to send: the one read (annotations, binaryData … kept), new data."""
    body = copy.deepcopy(raw) if raw is not None else {}
    metadata = body.setdefault("metadata", {})
    metadata.update({"name": name, "namespace": namespace, "labels": content.labels})
    body.update({"apiVersion": "v1", "kind": "ConfigMap", "data": content.data})
    return body


def _denied(err: AccessDenied, pcs: str) -> AccessDenied:
    scope = f" in namespace '{err.namespace}'" if err.namespace else ""
    return AccessDenied(
        f"Storing the plan of '{pcs}': {err.message} (plan store needs get, create and update "
        f"on configmaps{scope}.)",
        verb=err.verb,
        resource=err.resource,
        namespace=err.namespace,
    )
