"""Tool arguments: types, descriptions for the model, and the Kubernetes name rules.

The JSON schema advertises the name rules (``pattern``, ``maxLength``) so clients can check
before calling; the server checks them again with the core's validators, whose messages say
what a valid name looks like (``validate``), before any API call.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..core.budget import DEFAULT_LIMIT, MAX_LIMIT, Narrowing
from ..names import (  # the core's rules, advertised as-is
    DNS_LABEL_RE,
    DNS_SUBDOMAIN_RE,
    validate_namespace,
    validate_object_name,
    validate_pcs_name,
)

DNS_LABEL = DNS_LABEL_RE.pattern
DNS_SUBDOMAIN = DNS_SUBDOMAIN_RE.pattern


def _rule(pattern: str, max_length: int) -> dict[str, object]:
    return {"pattern": pattern, "maxLength": max_length, "minLength": 1}


PcsName = Annotated[
    str,
    Field(
        description="PodCliqueSet name, e.g. my-inference (a DNS label: lowercase letters, "
        "digits and '-', at most 63). Call grove_list to see the names in a namespace.",
        json_schema_extra=_rule(DNS_LABEL, 63),
    ),
]
Namespace = Annotated[
    str | None,
    Field(
        description="Kubernetes namespace of the PodCliqueSet. Omit to use the server's "
        "default (its --namespace, else the kubeconfig context's or the bundle's).",
        json_schema_extra=_rule(DNS_LABEL, 63),
    ),
]
Gang = Annotated[
    str | None,
    Field(
        description="Only this gang (PodGang name, e.g. my-inference-1, as listed in the "
        "report's gangs). Use it to drill into one replica of a large workload.",
        json_schema_extra=_rule(DNS_SUBDOMAIN, 253),
    ),
]
Clique = Annotated[
    str | None,
    Field(
        description="Only this clique role (template clique name such as prefill, decode, "
        "router; not the full PodClique name).",
        json_schema_extra=_rule(DNS_LABEL, 63),
    ),
]
Limit = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_LIMIT,
        description=f"At most this many items per list (default {DEFAULT_LIMIT}). The answer "
        "is also kept under a fixed size; when lists are cut, the result's `truncated` says "
        "what was cut and how to narrow.",
    ),
]


def narrowing(clique: str | None, gang: str | None, limit: int) -> Narrowing:
    """The caller's narrowing arguments, checked against the name rules."""
    if clique is not None:
        validate_object_name(clique, "clique name")
    if gang is not None:
        validate_object_name(gang, "gang name")
    return Narrowing(clique=clique, gang=gang, limit=limit)


def target(namespace: str | None, name: str | None) -> None:
    """Refuse bad names before any API call (the core checks again)."""
    if namespace is not None:
        validate_namespace(namespace)
    if name is not None:
        validate_pcs_name(name)
