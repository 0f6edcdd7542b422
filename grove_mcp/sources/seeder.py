"""Apply a bundle (a scenario or a capture) to a cluster: objects, their status, their ages.

``seed`` creates the namespaces, then every object in dependency order (Nodes and the
ClusterTopologyBinding, then PodCliqueSet → PodCliqueScalingGroup → PodClique → PodGang →
Pod, ConfigMaps, Events), and writes each ``status`` through the status subresource, as the
operator, scheduler and kubelet would have. Server-assigned metadata is dropped and owner
references point at the uids the server gave the owners (a garbage collector deletes children
of unknown owners). An object that exists already is updated in place. Fields the server's
schema prunes (a bundle newer than the cluster's Grove CRDs) are reported, not hidden.

Times: by default every timestamp is moved by (now − capture time), so ages, breach durations
and termination countdowns mean on the cluster what they meant at capture. Only
``creationTimestamp`` cannot follow: the API server always sets it to the time of creation.

Seed a test API server or a scratch cluster: where controllers run (Grove's operator, the
scheduler, kubelets, node lifecycle) they act on what is seeded.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import AccessDenied, ApiError, GroveError, GroveNotInstalled, InvalidInput, NotFound
from ..grove.kinds import KINDS, NAMESPACE, Kind
from .base import RawObject
from .bundle import Bundle
from .kube import Conflict, KubeClient

ORDER = (
    "Node",
    "ClusterTopologyBinding",
    "Queue",  # KAI-Scheduler's (scheduling.run.ai/v2), cluster-scoped
    "PodCliqueSet",
    "PodCliqueScalingGroup",
    "PodClique",
    "PodGang",
    "PodGangMap",
    "ResourceClaim",
    "Deployment",
    "Pod",
    # After the pods: quota admission charges pods created once a quota exists, and no quota
    # controller runs here to recount; created last, the quota keeps the bundle's status.used.
    "ResourceQuota",
    "ConfigMap",
    "Event",
)
GROVE_CREATED = ("PodCliqueSet", "PodCliqueScalingGroup", "PodClique")
SERVER_ASSIGNED = (
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "generation",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "finalizers",  # no controller here would ever remove them
)
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@dataclass(frozen=True)
class SeedResult:
    """What ``seed`` did; ``shift`` is how far every timestamp was moved."""

    created: tuple[str, ...]
    updated: tuple[str, ...]
    namespaces: tuple[str, ...]
    shift: timedelta
    dropped: tuple[tuple[str, str], ...] = ()  # (kind, field path) the server's schema pruned
    notes: tuple[str, ...] = ()
    as_of: datetime | None = None  # the capture time, moved: when to judge the seeded world


def check_seedable(bundle: Bundle) -> None:
    """Refuse, before any API call, what today's Grove CRDs would refuse."""
    legacy = [
        f"ClusterTopology '{o['metadata']['name']}' (a kind Grove renamed "
        "ClusterTopologyBinding in alpha.9; its CRD is gone)"
        for o in bundle.objects
        if o["kind"] == "ClusterTopology"
    ]
    legacy += [
        f"topologyConstraint.packDomain in PodCliqueSet '{o['metadata']['name']}' (Grove's CRD "
        "refuses it on new objects; use pack.required)"
        for o in bundle.objects
        if o["kind"] == "PodCliqueSet" and _has_key(o.get("spec"), "packDomain")
    ]
    if legacy:
        raise InvalidInput(
            "This bundle has Grove ≤ alpha.8 shapes that cannot be created on a cluster with "
            f"today's Grove CRDs: {'; '.join(legacy)}. Read it with --bundle instead of seeding "
            "it."
        )


def rebase(value: Any, shift: timedelta) -> Any:
    """A copy of ``value`` with every RFC 3339 timestamp string moved by ``shift``. Pure."""
    if isinstance(value, dict):
        return {k: rebase(v, shift) for k, v in value.items()}
    if isinstance(value, list):
        return [rebase(v, shift) for v in value]
    if isinstance(value, str) and _TIMESTAMP.match(value):
        moved = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC) + shift
        pattern = "%Y-%m-%dT%H:%M:%S.%fZ" if "." in value else "%Y-%m-%dT%H:%M:%SZ"
        return moved.strftime(pattern)
    return value


def prepare(bundle: Bundle, shift: timedelta) -> tuple[list[RawObject], list[str]]:
    """The objects to create, in order, stripped and rebased; and notes on what is skipped."""
    unknown = sorted({o["kind"] for o in bundle.objects if o["kind"] not in ORDER})
    notes = [f"skipped objects of kinds the seeder does not create: {', '.join(unknown)}"]
    objects = [rebase(_stripped(o), shift) for o in bundle.objects if o["kind"] in ORDER]
    objects.sort(key=lambda o: (ORDER.index(o["kind"]), _namespace(o) or "", _name(o)))
    return objects, notes if unknown else []


def seed(
    kube: KubeClient,
    bundle: Bundle,
    *,
    namespace: str | None = None,
    at_capture_time: bool = False,
    now: datetime | None = None,
    as_created: bool = False,
) -> SeedResult:
    """Apply ``bundle`` (moved into ``namespace`` when given) to the cluster behind ``kube``.

    ``as_created`` moves the times so that the oldest Grove object's creation is now: the API
    server stamps every object's creationTimestamp itself, so only then does every condition
    that flipped after its object's creation (Grove's ever-scheduled test compares the two)
    stay after it. The capture time then lies ahead: judge the seeded world at ``as_of``. The
    server stamps every object "now", so this holds for bundles whose Grove objects were created
    within Grove's 5 s grace of each other (the scenarios are); an object created later than the
    oldest would look older to Grove's rule than it was.
    """
    check_seedable(bundle)
    if namespace:
        bundle = bundle.with_namespace(namespace)
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    start = _oldest_creation(bundle) if as_created else None
    anchor = start if start is not None else bundle.manifest.captured_at
    shift = timedelta(0) if at_capture_time else moment - anchor
    shift = timedelta(seconds=int(shift.total_seconds()))
    objects, notes = prepare(bundle, shift)
    namespaces = sorted({ns for o in objects if (ns := _namespace(o))})
    _check_served(kube, objects)
    for ns in namespaces:
        _ensure_namespace(kube, ns)
    uids: dict[tuple[str, str | None, str], str] = {}
    created: list[str] = []
    updated: list[str] = []
    dropped: dict[tuple[str, str], int] = {}
    for obj in objects:
        body = _with_owner_uids(obj, uids, notes)
        action, server = _apply(kube, body)
        uids[(obj["kind"], _namespace(obj), _name(obj))] = server["metadata"]["uid"]
        (created if action == "created" else updated).append(_describe(obj))
        for path in _missing(body, server):
            dropped[(obj["kind"], path)] = dropped.get((obj["kind"], path), 0) + 1
    notes += [
        f"the API server dropped {kind} {path} from {count} object(s): its schema (Grove's "
        "CRD version) lacks the field, so reports on this cluster cannot show it"
        for (kind, path), count in sorted(dropped.items())
    ]
    return SeedResult(
        tuple(created),
        tuple(updated),
        tuple(namespaces),
        shift,
        tuple(sorted(dropped)),
        tuple(notes),
        bundle.manifest.captured_at + shift,
    )


def _oldest_creation(bundle: Bundle) -> datetime | None:
    """When the bundle's first Grove object was created (its PodCliqueSets and children);
    timestamps that are not RFC 3339 are left out."""
    times = []
    for o in bundle.objects:
        stamp = o["metadata"].get("creationTimestamp")
        if o["kind"] in GROVE_CREATED and isinstance(stamp, str) and _TIMESTAMP.match(stamp):
            times.append(datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC))
    return min(times, default=None)


# --- one object -----------------------------------------------------------------------------


def _apply(kube: KubeClient, obj: RawObject) -> tuple[str, RawObject]:
    """Create (or update) the object, then write its status; return the server's object."""
    kind, ns, name = _kind(obj), _namespace(obj), _name(obj)
    body = {k: v for k, v in obj.items() if k != "status"}
    action = "created"
    try:
        try:
            server = kube.request("POST", kind, ns, body=body)
        except Conflict:
            current = kube.request("GET", kind, ns, name)
            body["metadata"] = {
                **body["metadata"],
                "resourceVersion": current["metadata"]["resourceVersion"],
            }
            action, server = "updated", kube.request("PUT", kind, ns, name, body=body)
        server = _undo_admission_taints(kube, body, server)
        if kind.has_status and "status" in obj:
            server = kube.request(
                "PUT", kind, ns, name, sub="status", body={**server, "status": obj["status"]}
            )
    except AccessDenied as err:
        raise _seeding_denied(err, obj) from err
    except GroveError as err:
        err.message = f"Seeding {_describe(obj)} failed: {err.message}"
        if action == "updated":
            err.message += (
                " If it exists from an earlier seeding with different content, seed into a "
                "fresh namespace (-n) or delete it first."
            )
        raise
    return action, server


def _undo_admission_taints(kube: KubeClient, body: RawObject, server: RawObject) -> RawObject:
    """A new node gets ``node.kubernetes.io/not-ready:NoSchedule`` from the API server's
    TaintNodesByCondition admission, and no node controller runs here to lift it once the
    node is Ready: write the node's taints back as the bundle has them."""
    if body.get("kind") != "Node":
        return server
    wanted = (body.get("spec") or {}).get("taints") or []
    if ((server.get("spec") or {}).get("taints") or []) == wanted:
        return server
    fixed = {**server, "spec": {**(server.get("spec") or {}), "taints": wanted}}
    result: RawObject = kube.request("PUT", _kind(body), None, _name(body), body=fixed)
    return result


def _seeding_denied(err: AccessDenied, obj: RawObject) -> AccessDenied:
    scope = f" in namespace '{err.namespace}'" if err.namespace else ""
    flag = f" -n {err.namespace}" if err.namespace else ""
    return AccessDenied(
        f"Seeding {_describe(obj)}: RBAC denied '{err.verb}' on {err.resource}{scope}. Seeding "
        "needs create, get and update on every kind in the bundle and update on their /status "
        "subresources, plus cluster-scoped Nodes and ClusterTopologyBindings: use an admin "
        f"identity on a test cluster. Check with: kubectl auth can-i {err.verb} "
        f"{err.resource}{flag}",
        verb=err.verb,
        resource=err.resource,
        namespace=err.namespace,
    )


def _with_owner_uids(
    obj: RawObject, uids: dict[tuple[str, str | None, str], str], notes: list[str]
) -> RawObject:
    """Point owner references (and an event's involvedObject) at the server's uids."""
    body = copy.deepcopy(obj)
    meta = body["metadata"]
    owners = []
    for ref in meta.get("ownerReferences") or []:
        key = (ref.get("kind", ""), ref.get("name", ""))
        uid = uids.get((key[0], _namespace(obj), key[1])) or uids.get((key[0], None, key[1]))
        if uid:
            owners.append({**ref, "uid": uid})
        else:
            notes.append(
                f"dropped the owner reference of {_describe(obj)} to {ref.get('kind')} "
                f"'{ref.get('name')}', which the bundle lacks (a garbage collector would "
                "delete the object)"
            )
    if owners:
        meta["ownerReferences"] = owners
    else:
        meta.pop("ownerReferences", None)
    involved = body.get("involvedObject")
    if isinstance(involved, dict):
        uid = uids.get(
            (involved.get("kind", ""), involved.get("namespace"), involved.get("name", ""))
        )
        if uid:
            involved["uid"] = uid
        else:
            involved.pop("uid", None)
    return body


# --- namespaces and CRDs --------------------------------------------------------------------


def _check_served(kube: KubeClient, objects: Iterable[RawObject]) -> None:
    """Fail before creating anything when a kind of the bundle (Grove's CRDs) is not served."""
    checked: set[str] = set()
    for obj in objects:
        kind = _kind(obj)
        if kind.kind in checked or not kind.group:
            continue
        checked.add(kind.kind)
        try:
            kube.request("GET", kind, _namespace(obj), params=[("limit", "1")])
        except GroveNotInstalled as err:
            err.message = f"Cannot seed {kind.kind} objects: {err.message}"
            raise
        except AccessDenied:
            pass  # listing is not needed to seed; creating may still be allowed


def _ensure_namespace(kube: KubeClient, name: str) -> None:
    try:
        current = kube.request("GET", NAMESPACE, name=name)
    except NotFound:
        try:
            kube.request(
                "POST",
                NAMESPACE,
                body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
            )
        except AccessDenied as err:
            raise _seeding_denied(err, {"kind": "Namespace", "metadata": {"name": name}}) from err
        return
    except AccessDenied:
        return  # may not read namespaces; creating objects in it will tell
    if (current.get("status") or {}).get("phase") == "Terminating":
        raise ApiError(
            f"Namespace '{name}' is being deleted (Terminating), so nothing can be created in it. "
            "Seed into another namespace with -n."
        )


# --- small helpers --------------------------------------------------------------------------


def _stripped(obj: RawObject) -> RawObject:
    body = copy.deepcopy(obj)
    for key in SERVER_ASSIGNED:
        body["metadata"].pop(key, None)
    return body


def _missing(sent: Any, stored: Any, path: str = "") -> list[str]:
    """Paths of fields in ``sent`` that ``stored`` lacks: pruned by the server's schema."""
    if isinstance(sent, dict) and isinstance(stored, dict):
        found: list[str] = []
        for key, value in sent.items():
            where = f"{path}.{key}" if path else key
            if value in ("", {}, [], None):
                continue  # omitempty: the server leaves empty values out
            found += _missing(value, stored[key], where) if key in stored else [where]
        return found
    if isinstance(sent, list) and isinstance(stored, list) and len(sent) == len(stored):
        pairs = zip(sent, stored, strict=True)
        return sorted({p for a, b in pairs for p in _missing(a, b, f"{path}[]")})
    return []


def _has_key(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return key in value or any(_has_key(v, key) for v in value.values())
    if isinstance(value, list):
        return any(_has_key(v, key) for v in value)
    return False


def _kind(obj: RawObject) -> Kind:
    return KINDS[obj["kind"]]


def _namespace(obj: RawObject) -> str | None:
    return obj["metadata"].get("namespace") if _kind(obj).namespaced else None


def _name(obj: RawObject) -> str:
    return str(obj["metadata"]["name"])


def _describe(obj: RawObject) -> str:
    ns = obj["metadata"].get("namespace")
    return f"{obj['kind']} {ns + '/' if ns else ''}{obj['metadata']['name']}"
