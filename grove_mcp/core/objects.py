"""One object at a time, for the terminal UI: its YAML, a describe-like view, a pod's log.

Objects and their Events are read by LISTs narrowed by field selectors (DESIGN.md rule 3), on
a live cluster, a bundle and the demo alike; everything handed out is redacted by
``capture.redaction`` (rule 5). Names are validated before any call (rule 6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import yaml
from pydantic import ValidationError

from ..capture.redaction import redact_log, redact_object
from ..errors import ApiError, InvalidInput, NotFound
from ..grove.k8s_other import Event
from ..grove.kinds import EVENT, NODE, POD, PODCLIQUE, PODCLIQUESET, PODGANG, SCALINGGROUP, Kind
from ..names import validate_namespace, validate_object_name
from ..redact import Redactions
from ..sources.base import ListQuery, ListResult, RawObject, Source

KINDS: dict[str, Kind] = {
    k.kind: k for k in (PODCLIQUESET, PODCLIQUE, SCALINGGROUP, PODGANG, POD, NODE)
}
"""The kinds a user can select by name."""

MAX_TAIL = 100_000  # as ``diag --logs``
PART_OF = "app.kubernetes.io/part-of"


@dataclass(frozen=True)
class Described:
    """An object, the Events about it (newest last) and what could not be shown; redacted."""

    obj: RawObject
    events: list[RawObject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    now: datetime | None = None  # the source's "now", for the ages of events


@dataclass(frozen=True)
class LogText:
    """The last lines of one container's log, redacted; ``note`` says what is missing or chosen."""

    text: str
    container: str | None
    note: str | None = None


def read_object(source: Source, kind: str, namespace: str | None, name: str) -> RawObject:
    """The object ``kind``/``name`` (in ``namespace``, the source's default if None), redacted."""
    spec, ns = _target(source, kind, namespace, name)
    (result,) = source.list_many([ListQuery(spec, ns, field_selector=f"metadata.name={name}")])
    return _found(source, result, spec, ns, name)


def object_yaml(obj: RawObject) -> str:
    """``obj`` as block-style YAML in its own key order, without ``metadata.managedFields``."""
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        obj = {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}
    return yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, allow_unicode=True)


def object_events(source: Source, namespace: str | None, kind: str, name: str) -> list[RawObject]:
    """The Events about ``kind``/``name``, newest last, redacted. A Node's are searched in all
    namespaces. Raises ``AccessDenied`` when Events may not be listed."""
    spec, ns = _target(source, kind, namespace, name)
    (result,) = source.list_many([_events_query(spec, ns, name)])
    return _events(result, spec.kind, name)


def describe_object(source: Source, kind: str, namespace: str | None, name: str) -> Described:
    """The object and its Events, read concurrently; Events that cannot be read (RBAC) become
    a note, not an error."""
    spec, ns = _target(source, kind, namespace, name)
    found, events = source.list_many(
        [
            ListQuery(spec, ns, field_selector=f"metadata.name={name}"),
            _events_query(spec, ns, name, optional=True),
        ]
    )
    obj = _found(source, found, spec, ns, name)
    if not events.available:
        return Described(obj, [], [f"Events not shown: {events.note}"], source.now())
    return Described(obj, _events(events, spec.kind, name), [], source.now())


def read_log(
    source: Source, namespace: str | None, pod: str, container: str | None, tail: int = 200
) -> LogText:
    """The last ``tail`` lines of a container's log (the pod's first container if None):
    from the cluster (RBAC: get pods/log), or from a bundle's ``logs/`` as ``diag`` wrote it.
    The pod is read first: a missing pod or container, or an unscheduled pod, is said."""
    if not 0 < tail <= MAX_TAIL:
        raise InvalidInput(f"tail must be between 1 and {MAX_TAIL} lines, not {tail}.")
    _, ns = _target(source, "Pod", namespace, pod)
    assert ns is not None
    if container is not None:
        validate_object_name(container, "container name")
    obj = read_object(source, "Pod", ns, pod)
    where = f"pod '{ns}/{pod}'"
    container, note = _container(obj, where, container)
    node = (obj.get("spec") or {}).get("nodeName")
    if container is None or not node:
        unscheduled = f"The {where} is not scheduled to a node yet: its containers have not run."
        return LogText("", container, note if container is None else unscheduled)
    kube = getattr(source, "kube", None)
    if kube is not None:
        text = _kubelet_log(kube, ns, pod, container, tail, str(node))
    else:
        files = getattr(getattr(source, "bundle", None), "files", None) or {}
        stored = files.get(f"logs/{ns}/{pod}/{container}.log")
        if stored is None:
            pcs = ((obj.get("metadata") or {}).get("labels") or {}).get(PART_OF)
            return LogText("", container, _no_log(ns, pod, container, pcs, tail))
        text = "".join(stored.splitlines(keepends=True)[-tail:])
    if not text:
        empty = f"Container '{container}' of the {where} has written no log lines yet."
        note = f"{note} {empty}" if note else empty
    return LogText(redact_log(text, Redactions()), container, note)


def _target(source: Source, kind: str, namespace: str | None, name: str) -> tuple[Kind, str | None]:
    """The kind and namespace to read, every input validated; None for cluster-scoped kinds."""
    spec = KINDS.get(kind)
    if spec is None:
        raise InvalidInput(f"Unknown kind '{kind}'. Choose one of {', '.join(KINDS)}.")
    validate_object_name(name, f"{spec.kind} name")
    if not spec.namespaced:
        return spec, None
    return spec, validate_namespace(namespace or source.default_namespace)


def _found(source: Source, result: ListResult, spec: Kind, ns: str | None, name: str) -> RawObject:
    found = [o for o in result.items if (o.get("metadata") or {}).get("name") == name]
    if not found:
        where = f"namespace '{ns}' of " if ns else ""
        raise NotFound(
            f"{spec.kind} '{name}' not found in {where}{source.description}. "
            f"List what exists with: kubectl get {spec.resource}" + (f" -n {ns}" if ns else "")
        )
    return redact_object(found[0], Redactions())


def _events_query(spec: Kind, ns: str | None, name: str, optional: bool = False) -> ListQuery:
    selector = f"involvedObject.kind={spec.kind},involvedObject.name={name}"
    return ListQuery(EVENT, ns, field_selector=selector, optional=optional)


def _events(result: ListResult, kind: str, name: str) -> list[RawObject]:
    counts = Redactions()
    events = [redact_object(e, counts) for e in result.items if _about(e, kind, name)]
    return sorted(events, key=_event_time)


def _about(event: RawObject, kind: str, name: str) -> bool:
    for key in ("involvedObject", "regarding"):
        ref = event.get(key)
        if isinstance(ref, dict) and ref.get("kind") == kind and ref.get("name") == name:
            return True
    return False


def _event_time(event: RawObject) -> tuple[datetime, str]:
    """When the event was last seen (as ``Event`` reads it; unknown sorts first), then its name."""
    try:
        seen = Event.model_validate(event).last_seen
    except ValidationError:
        seen = None
    name = str((event.get("metadata") or {}).get("name") or "")
    seen = seen or datetime.min
    return (seen if seen.tzinfo else seen.replace(tzinfo=UTC)), name


def _container(pod: RawObject, where: str, wanted: str | None) -> tuple[str | None, str | None]:
    """The container to read (the first if none is named) and a note on the choice."""
    spec = pod.get("spec") or {}
    names = [
        c["name"]
        for key in ("containers", "initContainers", "ephemeralContainers")
        for c in spec.get(key) or []
        if isinstance(c, dict) and isinstance(c.get("name"), str)
    ]
    if wanted is not None:
        if wanted not in names:
            raise InvalidInput(
                f"The {where} has no container '{wanted}'; its containers: "
                f"{', '.join(names) or 'none'}."
            )
        return wanted, None
    first = [c.get("name") for c in spec.get("containers") or [] if isinstance(c, dict)]
    if not first or not isinstance(first[0], str):
        return None, f"The {where} has no containers, so it has no log."
    if len(first) == 1:
        return first[0], None
    return first[0], f"Showing container '{first[0]}', the first of: {', '.join(map(str, first))}."


def _kubelet_log(kube: Any, ns: str, pod: str, container: str, tail: int, node: str) -> str:
    """The API server reads the log from the node's kubelet; its failures name the node."""
    try:
        return str(kube.pod_log(ns, pod, container, tail))
    except ApiError as err:
        raise ApiError(
            f"Cannot read the log of container '{container}' of pod '{ns}/{pod}' on node "
            f"'{node}': {err} The API server fetches logs from the node's kubelet; if that is "
            f"down or unreachable, check the node with: kubectl get node {node} -o wide"
        ) from err


def _no_log(ns: str, pod: str, container: str, pcs: Any, tail: int) -> str:
    target = pcs if isinstance(pcs, str) and pcs else "<podcliqueset>"
    return (
        f"This bundle holds no log for container '{container}' of pod '{ns}/{pod}'. To get one, "
        f"capture the cluster with logs: kubectl grove diag {target} -n {ns} --logs {tail} "
        "-o capture.tar.gz, then open it with --bundle capture.tar.gz."
    )
