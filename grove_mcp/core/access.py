"""What the capabilities ask of the API server, from the table: the list RBAC must allow
(``deploy/rbac.yaml``, checked against a real API server by the RBAC test)."""

from __future__ import annotations

from dataclasses import dataclass

from ..capture import CaptureRequest
from ..capture.collectors.objects import queries as capture_queries
from ..capture.collectors.scheduler import WHERE as SCHEDULERS
from ..grove.kinds import Kind
from ..sources.configmap_write import WRITE_REQUESTS
from ..sources.kube import PODS_LOG, PODS_PROXY
from .table import CAPABILITIES, Capability, Need, Scope

EXAMPLE_NAMESPACE = "vllm-disagg"
EXAMPLE_NAME = "my-inference"


@dataclass(frozen=True)
class ApiRequest:
    """One kind of request: a verb on a resource, in a namespace or cluster-wide."""

    capability: str
    verb: str
    kind: Kind
    namespace: str | None
    writes: bool = False

    def describe(self) -> str:
        where = f"in {self.namespace}" if self.namespace else "cluster-wide"
        return f"{self.capability}: {self.verb} {self.kind.resource} {where}"


def requests_of(cap: Capability) -> list[ApiRequest]:
    """Every request ``cap`` makes, for one PodCliqueSet and for all (as its scope allows)."""
    names: dict[Scope, list[str | None]] = {
        Scope.one: [EXAMPLE_NAME],
        Scope.all: [None],
        Scope.both: [EXAMPLE_NAME, None],
        Scope.none: [None],
    }
    verbs = ("list", "watch") if cap.watch else ("list",)
    found: dict[tuple[str, str, str | None], ApiRequest] = {}
    for name in names.get(cap.scope, []):
        request = cap.snapshot_request(EXAMPLE_NAMESPACE, name)
        for query in request.queries() if request is not None else []:
            for verb in verbs:
                found.setdefault(
                    (verb, query.kind.plural, query.namespace),
                    ApiRequest(cap.name, verb, query.kind, query.namespace),
                )
    if Need.metrics in cap.needs:  # scraping from outside the cluster: the pod proxy
        found.setdefault(
            ("get", PODS_PROXY.plural, EXAMPLE_NAMESPACE),
            ApiRequest(cap.name, "get", PODS_PROXY, EXAMPLE_NAMESPACE),
        )
    if Need.capture in cap.needs:  # every LIST of the reports, and the containers' logs
        for query in capture_queries(CaptureRequest(EXAMPLE_NAMESPACE, EXAMPLE_NAME)):
            found.setdefault(
                ("list", query.kind.plural, query.namespace),
                ApiRequest(cap.name, "list", query.kind, query.namespace),
            )
        for query, _ in SCHEDULERS.values():
            found.setdefault(
                ("list", query.kind.plural, query.namespace),
                ApiRequest(cap.name, "list", query.kind, query.namespace),
            )
        found.setdefault(
            ("get", PODS_LOG.plural, EXAMPLE_NAMESPACE),
            ApiRequest(cap.name, "get", PODS_LOG, EXAMPLE_NAMESPACE),
        )
    if cap.writes and not cap.files:
        for verb, kind in WRITE_REQUESTS:
            found.setdefault(
                (verb, kind.plural, EXAMPLE_NAMESPACE),
                ApiRequest(cap.name, verb, kind, EXAMPLE_NAMESPACE, writes=True),
            )
    return list(found.values())


def api_requests() -> list[ApiRequest]:
    """Every request of every capability in the table."""
    return [r for cap in CAPABILITIES for r in requests_of(cap)]
