"""The Grove resources and everything the reports read: PodCliqueSets, PodCliques, scaling
groups, PodGangs, pods, nodes, topology bindings, events (``--since``), stored plans, quotas and
KAI Queues, the Grove operator's Deployment. The same LISTs the reports make (by label
selector), so a report on the bundle equals the live one."""

from __future__ import annotations

from datetime import datetime, timedelta

from ...grove.kinds import EVENT
from ...snapshot import SnapshotRequest
from ...sources.base import ListQuery, RawObject
from ...sources.live import LiveSource
from ..base import CaptureRequest, Found, object_key


def queries(request: CaptureRequest) -> list[ListQuery]:
    """Every LIST any report makes for the request (the snapshot with every need on), all
    optional: one denied LIST is a note, not the end of the capture."""
    everything = SnapshotRequest(
        request.namespace,
        request.name,
        events=True,
        cluster_usage=True,
        plans=True,
        quotas=True,
        children=True,
        grove_version=True,
        workloads=True,
        cluster_setup=True,
    )
    return [
        ListQuery(q.kind, q.namespace, q.label_selector, q.field_selector, optional=True)
        for q in everything.queries()
    ]


class Objects:
    name = "objects"
    help = "Grove resources, pods, nodes, topology, events, plans, quotas, the operator"

    def collect(
        self, source: LiveSource, request: CaptureRequest, so_far: list[RawObject]
    ) -> Found:
        found = Found()
        seen: set[tuple[str, str, str, str]] = set()
        since = source.now() - timedelta(seconds=request.since_seconds)
        for result in source.list_many(queries(request)):
            if not result.available:
                if result.served is False:  # e.g. the legacy ClusterTopology: nothing to miss
                    found.unserved.append(result.query.describe())
                else:
                    found.notes.append(result.note or f"{result.query.describe()}: not readable")
                continue
            for obj in result.items:
                key = object_key(obj)
                if key in seen or (result.query.kind == EVENT and _older(obj, since)):
                    continue
                seen.add(key)
                found.objects.append(obj)
        if not found.objects and found.notes:
            found.failed = found.notes[0]
        found.files["tables/pods.txt"] = pod_table(found.objects, request.namespace)
        return found


def pod_table(objects: list[RawObject], namespace: str) -> str:
    """The pods of the namespace as ``kubectl get pods -o wide`` prints them."""
    rows = [("NAME", "READY", "STATUS", "RESTARTS", "NODE", "IP")]
    for pod in sorted(
        (
            o
            for o in objects
            if o.get("kind") == "Pod" and o["metadata"].get("namespace") == namespace
        ),
        key=lambda o: o["metadata"]["name"],
    ):
        status = pod.get("status") or {}
        containers = status.get("containerStatuses") or []
        ready = sum(1 for c in containers if c.get("ready"))
        total = len((pod.get("spec") or {}).get("containers") or [])
        restarts = sum(int(c.get("restartCount") or 0) for c in containers)
        rows.append(
            (
                pod["metadata"]["name"],
                f"{ready}/{total}",
                str(status.get("phase") or "Unknown"),
                str(restarts),
                str((pod.get("spec") or {}).get("nodeName") or "<none>"),
                str(status.get("podIP") or "<none>"),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "".join(
        "   ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n" for r in rows
    )


def _older(event: RawObject, since: datetime) -> bool:
    stamp = (
        event.get("lastTimestamp")
        or event.get("eventTime")
        or (event.get("metadata") or {}).get("creationTimestamp")
    )
    try:
        when = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return False
    return when < since
