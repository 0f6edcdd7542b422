"""The core's entry points: fetch once, run a capability, redact. Every front end calls these.

Each function takes a ``Source`` (live cluster, bundle, demo), a namespace (None: the source's
default) and a PodCliqueSet name (None: all in the namespace, where the report allows it), and
returns a pydantic report — the JSON contract shared by CLI ``-o json``, MCP and bundles.
Invalid names are refused before any API call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from pydantic import BaseModel

from .capabilities.health import build_health, build_health_all
from .capabilities.listing import build_list
from .capabilities.status import build_status, build_status_all
from .capabilities.topology import build_topology, build_topology_all
from .redact import redact
from .reports.health import HealthList, HealthReport
from .reports.listing import WorkloadList
from .reports.status import StatusList, StatusReport
from .reports.topology import TopologyList, TopologyReport
from .snapshot import Snapshot, SnapshotRequest, fetch_snapshot
from .sources.base import Source
from .watching import watch_snapshots

R = TypeVar("R", bound=BaseModel)


def _request(
    source: Source, namespace: str | None, name: str | None, **needs: bool
) -> SnapshotRequest:
    return SnapshotRequest(namespace or source.default_namespace, name, **needs)


def _run(
    source: Source,
    request: SnapshotRequest,
    one: Callable[[Snapshot, str], R],
    every: Callable[[Snapshot], Any],
) -> Any:
    snapshot = fetch_snapshot(source, request)
    return redact(one(snapshot, request.name) if request.name else every(snapshot))


def status(
    source: Source, namespace: str | None = None, name: str | None = None
) -> StatusReport | StatusList:
    """Status of one PodCliqueSet, or of all in the namespace when ``name`` is None."""
    return _run(source, _request(source, namespace, name), build_status, build_status_all)


def health(
    source: Source, namespace: str | None = None, name: str | None = None
) -> HealthReport | HealthList:
    """Gang health and termination countdowns of one PodCliqueSet, or of all."""
    return _run(
        source, _request(source, namespace, name, events=True), build_health, build_health_all
    )


def topology(
    source: Source, namespace: str | None = None, name: str | None = None
) -> TopologyReport | TopologyList:
    """Placement, GPU accounting and consolidation advice of one PodCliqueSet, or of all."""
    return _run(
        source,
        _request(source, namespace, name, cluster_usage=True),
        build_topology,
        build_topology_all,
    )


def list_workloads(source: Source, namespace: str | None = None) -> WorkloadList:
    """Every PodCliqueSet of the namespace with a one-line state."""
    snapshot = fetch_snapshot(source, _request(source, namespace, None))
    return redact(build_list(snapshot))


REPORTS: dict[str, tuple[Callable[..., Any], dict[str, bool]]] = {
    "status": (status, {}),
    "health": (health, {"events": True}),
    "topology": (topology, {"cluster_usage": True}),
}


def watch(source: Source, report: str, namespace: str | None, name: str | None) -> Iterator[Any]:
    """Yield the report now and again after every change the watch API reports (live only)."""
    builders = {
        "status": (build_status, build_status_all),
        "health": (build_health, build_health_all),
        "topology": (build_topology, build_topology_all),
    }
    one, every = builders[report]
    request = _request(source, namespace, name, **REPORTS[report][1])
    for snapshot in watch_snapshots(source, request):
        yield redact(one(snapshot, name) if name else every(snapshot))
