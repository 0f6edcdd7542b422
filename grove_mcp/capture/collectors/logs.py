"""The last lines of every container of the workload's pods (and the previous run's, for a
container that restarted). RBAC: get pods/log. Each container that cannot be read is a note."""

from __future__ import annotations

from ...errors import GroveError
from ...sources.base import RawObject
from ...sources.live import LiveSource
from ..base import CaptureRequest, Found

PART_OF = "app.kubernetes.io/part-of"
MAX_NOTES = 10


def workload_pods(objects: list[RawObject], request: CaptureRequest) -> list[RawObject]:
    """The pods of the captured PodCliqueSet(s), in the request's namespace."""
    pods = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        if obj.get("kind") != "Pod" or meta.get("namespace") != request.namespace:
            continue
        part_of = (meta.get("labels") or {}).get(PART_OF)
        if part_of and (request.name is None or part_of == request.name):
            pods.append(obj)
    return sorted(pods, key=lambda p: p["metadata"]["name"])


def container_logs(
    source: LiveSource, pod: RawObject, lines: int, found: Found, skipped: list[str]
) -> None:
    """Read every container's log of ``pod`` into ``found.files``."""
    meta = pod["metadata"]
    namespace, name = meta["namespace"], meta["name"]
    statuses = {s.get("name"): s for s in (pod.get("status") or {}).get("containerStatuses") or []}
    restarts = {name: int(s.get("restartCount") or 0) for name, s in statuses.items()}
    for container in (pod.get("spec") or {}).get("containers") or []:
        cname = str(container.get("name"))
        if not _started(statuses.get(cname)):
            continue  # never ran (a pending pod): there is no log to read
        runs = [False, True] if restarts.get(cname) else [False]
        for previous in runs:
            suffix = ".previous.log" if previous else ".log"
            try:
                text = source.kube.pod_log(namespace, name, cname, lines, previous=previous)
            except GroveError as err:
                skipped.append(
                    f"{namespace}/{name}/{cname}{' (previous)' if previous else ''}: {err}"
                )
                continue
            found.files[f"logs/{namespace}/{name}/{cname}{suffix}"] = text


def _started(status: dict | None) -> bool:
    state = (status or {}).get("state") or {}
    return bool(
        state.get("running") or state.get("terminated") or (status or {}).get("restartCount")
    )


def started_containers(pods: list[RawObject]) -> int:
    return sum(
        1
        for pod in pods
        for s in (pod.get("status") or {}).get("containerStatuses") or []
        if _started(s)
    )


def summarise(found: Found, skipped: list[str], what: str, total: int) -> Found:
    if skipped:
        found.notes += skipped[:MAX_NOTES]
        if len(skipped) > MAX_NOTES:
            found.notes.append(f"… and {len(skipped) - MAX_NOTES} more {what} not read")
        if not found.files:
            found.failed = f"none of the {total} {what} could be read: {skipped[0]}"
    return found


class Logs:
    name = "logs"
    help = "the last lines of each container's log of the workload's pods (previous run too)"

    def collect(
        self, source: LiveSource, request: CaptureRequest, so_far: list[RawObject]
    ) -> Found:
        found, skipped = Found(), list[str]()
        pods = workload_pods(so_far, request)
        for pod in pods:
            container_logs(source, pod, request.log_lines, found, skipped)
        return summarise(found, skipped, "container logs", started_containers(pods))
