"""The core's entry points: fetch once, run a capability, redact. Every front end calls these.

Each function takes a ``Source`` (live cluster, bundle, demo), a namespace (None: the source's
default) and a PodCliqueSet name (None: all in the namespace, where the report allows it), and
returns a pydantic report — the JSON contract shared by CLI ``-o json``, MCP and bundles.
Invalid names are refused before any API call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

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


def _request(
    source: Source, namespace: str | None, name: str | None, **needs: bool
) -> SnapshotRequest:
    return SnapshotRequest(namespace or source.default_namespace, name, **needs)


@dataclass(frozen=True)
class Report:
    """One report: what to fetch for it, and how to build it for one PodCliqueSet or for all."""

    needs: dict[str, bool]
    one: Callable[[Snapshot, str], Any]
    every: Callable[[Snapshot], Any]

    def build(self, snapshot: Snapshot, name: str | None) -> Any:
        return redact(self.one(snapshot, name) if name else self.every(snapshot))


REPORTS: dict[str, Report] = {
    "status": Report({}, build_status, build_status_all),
    "health": Report({"events": True}, build_health, build_health_all),
    "topology": Report({"cluster_usage": True}, build_topology, build_topology_all),
}


def _run(source: Source, report: str, namespace: str | None, name: str | None) -> Any:
    spec = REPORTS[report]
    snapshot = fetch_snapshot(source, _request(source, namespace, name, **spec.needs))
    return spec.build(snapshot, name)


def status(
    source: Source, namespace: str | None = None, name: str | None = None
) -> StatusReport | StatusList:
    """Status of one PodCliqueSet, or of all in the namespace when ``name`` is None."""
    return _run(source, "status", namespace, name)


def health(
    source: Source, namespace: str | None = None, name: str | None = None
) -> HealthReport | HealthList:
    """Gang health and termination countdowns of one PodCliqueSet, or of all."""
    return _run(source, "health", namespace, name)


def topology(
    source: Source, namespace: str | None = None, name: str | None = None
) -> TopologyReport | TopologyList:
    """Placement, GPU accounting and consolidation advice of one PodCliqueSet, or of all."""
    return _run(source, "topology", namespace, name)


def list_workloads(source: Source, namespace: str | None = None) -> WorkloadList:
    """Every PodCliqueSet of the namespace with a one-line state."""
    snapshot = fetch_snapshot(source, _request(source, namespace, None))
    return redact(build_list(snapshot))


def watch(source: Source, report: str, namespace: str | None, name: str | None) -> Iterator[Any]:
    """Yield the report now and again after every change the watch API reports (live only)."""
    spec = REPORTS[report]
    for snapshot in watch_snapshots(source, _request(source, namespace, name, **spec.needs)):
        yield spec.build(snapshot, name)
