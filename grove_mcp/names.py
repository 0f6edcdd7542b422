"""Validation of user-supplied Kubernetes names, before any API call."""

from __future__ import annotations

import re

from .errors import InvalidInput

DNS_LABEL_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _explain(value: str, what: str, limit: int) -> str:
    hint = value.lower().replace("_", "-").strip("-.")
    suggestion = (
        f" Did you mean '{hint}'?" if hint != value and DNS_LABEL_RE.match(hint or "-") else ""
    )
    return (
        f"'{value}' is not a valid {what}: use at most {limit} lowercase letters, digits and '-', "
        f"starting and ending with a letter or digit.{suggestion}"
    )


def validate_namespace(value: str) -> str:
    """A namespace is a DNS label (RFC 1123, ≤ 63 characters)."""
    if not value or len(value) > 63 or not DNS_LABEL_RE.match(value):
        raise InvalidInput(_explain(value, "namespace", 63))
    return value


def validate_object_name(value: str, what: str = "PodCliqueSet name") -> str:
    """Object names here are DNS subdomains (≤ 253); PodCliqueSet names are also DNS labels."""
    if not value or len(value) > 253 or not DNS_SUBDOMAIN_RE.match(value):
        raise InvalidInput(_explain(value, what, 253))
    return value


def validate_pcs_name(value: str) -> str:
    """PodCliqueSet names become label values and DNS labels of their children: ≤ 63, no dots."""
    if not value or len(value) > 63 or not DNS_LABEL_RE.match(value):
        raise InvalidInput(_explain(value, "PodCliqueSet name", 63))
    return value
