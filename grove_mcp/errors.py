"""Errors that reach users. Each one says what is wrong and what to do (DESIGN.md rule 6).

GroveError                     base; ``str(err)`` is the one-paragraph message for users
├── InvalidInput               bad names or flags, refused before any API call
├── NotFound                   the PodCliqueSet does not exist; lists what does
├── GroveNotInstalled          Grove's CRDs are absent from the cluster
├── AccessDenied               RBAC said no: verb, resource and namespace
├── ClusterUnreachable         connection refused, DNS, TLS or a timeout: which endpoint
├── ConfigError                kubeconfig / context / in-cluster configuration problems
├── ApiError                   any other error status from the API server
└── BundleError                a diagnostic bundle that cannot be read: path and field
"""

from __future__ import annotations


class GroveError(Exception):
    """Base class. ``code`` is stable for machines; the message is for people."""

    code = "error"
    exit_code = 4

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(GroveError):
    code = "invalid_input"
    exit_code = 2


class NotFound(GroveError):
    code = "not_found"
    exit_code = 3

    def __init__(self, message: str, available: list[str] | None = None) -> None:
        super().__init__(message)
        self.available = available or []


class GroveNotInstalled(GroveError):
    code = "grove_not_installed"


class AccessDenied(GroveError):
    code = "access_denied"

    def __init__(self, message: str, verb: str, resource: str, namespace: str | None) -> None:
        super().__init__(message)
        self.verb = verb
        self.resource = resource
        self.namespace = namespace


class ClusterUnreachable(GroveError):
    code = "cluster_unreachable"


class ConfigError(GroveError):
    code = "config_error"


class ApiError(GroveError):
    code = "api_error"


class ResourceExpired(ApiError):
    code = "resource_expired"


class Conflict(GroveError):
    code = "conflict"


class BundleError(GroveError):
    code = "bundle_error"
