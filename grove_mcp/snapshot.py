"""One fetch → an immutable snapshot of a namespace's Grove workloads and the cluster around them.

``fetch_snapshot`` issues a fixed set of LISTs (by label selector, never by predicted child
names), all at once; their number does not depend on the size of the cluster or workload.
``assemble`` turns the raw answers into typed objects; it is pure, so a live watch can rebuild
a snapshot from updated raw objects without fetching again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .errors import ApiError, BundleError, NotFound
from .grove import (
    ClusterTopologyBinding,
    Node,
    NodeIndex,
    Pod,
    PodClique,
    PodCliqueScalingGroup,
    PodCliqueSet,
    PodGang,
    PodGangMap,
)
from .grove import kinds as k
from .grove.kinds import PLAN_LABELS, ConfigMap
from .names import validate_namespace, validate_pcs_name
from .sources.base import ListQuery, ListResult, RawObject, Source

if TYPE_CHECKING:  # models of objects read only when asked for
    from .grove.k8s_other import Deployment, Event, ResourceClaim
    from .grove.quota import KaiQueue, ResourceQuota

PART_OF = "app.kubernetes.io/part-of"
MANAGED_BY = "app.kubernetes.io/managed-by=grove-operator"
LIVE_PODS = "status.phase!=Succeeded,status.phase!=Failed"
GROVE_OPERATOR = "app.kubernetes.io/name=grove-operator"
# The topology the cluster defines: a cluster serves one of the two kinds (alpha.9+ / ≤ alpha.8).
TOPOLOGY_QUERIES = (
    ListQuery(k.TOPOLOGY_BINDING, optional=True),
    ListQuery(k.LEGACY_TOPOLOGY, optional=True),
)


@dataclass(frozen=True)
class SnapshotRequest:
    """What to fetch: one PodCliqueSet (``name``) or all in the namespace (``name=None``)."""

    namespace: str
    name: str | None = None
    events: bool = False
    cluster_usage: bool = False
    plans: bool = False  # the ConfigMaps of stored plans (one LIST per label in PLAN_LABELS)
    quotas: bool = False  # the namespace's ResourceQuotas and KAI's Queues (what caps GPUs)
    children: bool = True  # False: only the PodCliqueSet(s) and the plans, nothing below
    grove_version: bool = False  # the Grove operator's Deployment (its image tag: the version)
    workloads: bool = True  # False: no PodCliqueSet and nothing below it (generate)
    cluster_setup: bool = False  # topology bindings and KAI queues: what generate renders for
    operator_namespace: str | None = None  # where the operator runs, if known (else everywhere)

    def __post_init__(self) -> None:
        validate_namespace(self.namespace)
        if self.name is not None:
            validate_pcs_name(self.name)

    @property
    def selector(self) -> str:
        """Grove's children of the PodCliqueSet(s): part-of names it, and managed-by says Grove
        made them (part-of alone also matches a user's own objects, e.g. a Helm chart's)."""
        part_of = f"{PART_OF}={self.name}" if self.name else PART_OF
        return f"{part_of},{MANAGED_BY}"

    def queries(self) -> list[ListQuery]:
        ns, sel = self.namespace, self.selector
        by_name = f"metadata.name={self.name}" if self.name else None
        plans = [
            ListQuery(k.CONFIGMAP, ns, f"{label}={self.name}" if self.name else label)
            for label in PLAN_LABELS
            if self.plans
        ]
        setup = (
            [*TOPOLOGY_QUERIES, ListQuery(k.KAI_QUEUE, optional=True)] if self.cluster_setup else []
        )
        if not self.workloads:
            return setup
        if not self.children:
            return [ListQuery(k.PODCLIQUESET, ns, field_selector=by_name), *plans, *setup]
        queries = [
            ListQuery(k.PODCLIQUESET, ns, field_selector=by_name),
            ListQuery(k.PODCLIQUE, ns, sel),
            ListQuery(k.SCALINGGROUP, ns, sel),
            ListQuery(k.PODGANG, ns, sel, optional=True),
            ListQuery(k.PODGANGMAP, ns, sel, optional=True),
            ListQuery(k.POD, ns, sel),
            ListQuery(k.NODE, optional=True),
            *TOPOLOGY_QUERIES,
        ]
        if self.events:
            queries.append(ListQuery(k.EVENT, ns, optional=True))
        if self.cluster_usage:
            queries.append(
                ListQuery(k.POD, None, field_selector=LIVE_PODS, optional=True, lean=usage_fields)
            )
            queries.append(ListQuery(k.RESOURCECLAIM, None, optional=True))
        if self.grove_version:  # found by label: the chart's namespace is the user's choice
            operator = ListQuery(
                k.DEPLOYMENT, self.operator_namespace, GROVE_OPERATOR, optional=True
            )
            queries.append(operator)
        if self.quotas:
            queries.append(ListQuery(k.RESOURCEQUOTA, ns, optional=True))
            queries.append(ListQuery(k.KAI_QUEUE, optional=True))
        return queries + plans


@dataclass(frozen=True)
class Snapshot:
    """Everything the capabilities read, as of ``now``. Immutable; lists in API order."""

    namespace: str
    now: datetime
    source: str
    podcliquesets: tuple[PodCliqueSet, ...]
    podcliques: tuple[PodClique, ...]
    scaling_groups: tuple[PodCliqueScalingGroup, ...]
    podgangs: tuple[PodGang, ...]
    pods: tuple[Pod, ...]
    nodes: tuple[Node, ...]
    topologies: tuple[ClusterTopologyBinding, ...]
    events: tuple[Event, ...] = ()
    cluster_pods: tuple[Pod, ...] | None = None  # only what accounting reads: usage_fields
    resource_claims: tuple[ResourceClaim, ...] | None = None
    config_maps: tuple[ConfigMap, ...] = ()  # plan ConfigMaps, when the request asked for plans
    podgang_maps: tuple[PodGangMap, ...] = ()  # alpha.12 final
    # The Grove operator's Deployments when asked for and readable; None otherwise, and then
    # operator_note says why.
    operator_deployments: tuple[Deployment, ...] | None = None
    operator_note: str | None = None
    # Whether the API serves a kind, by kind name, where the source could tell (see ListResult).
    served: Mapping[str, bool] = field(default_factory=dict)
    # What caps GPUs, when the request asked for quotas; None when not asked or not readable
    # (``unreadable`` says why, by kind).
    resource_quotas: tuple[ResourceQuota, ...] | None = None
    kai_queues: tuple[KaiQueue, ...] | None = None
    unreadable: Mapping[str, str] = field(default_factory=dict)
    podgangs_available: bool = True
    nodes_available: bool = True
    topologies_available: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)

    @cached_property
    def nodes_by_name(self) -> NodeIndex:
        return NodeIndex({n.name: n for n in self.nodes})

    @cached_property
    def _by_part_of(self) -> dict[str, dict[str | None, tuple[Any, ...]]]:
        return {}

    def part_of(self, attribute: str, pcs: str) -> tuple[Any, ...]:
        """The objects of ``attribute`` (``"pods"``, ``"podcliques"`` …) labelled part of
        PodCliqueSet ``pcs``, in snapshot order. Each attribute is grouped once: ``status
        --all`` cuts 200 workloads out of one snapshot of 6,000 pods."""
        if attribute not in self._by_part_of:
            grouped: dict[str | None, list[Any]] = {}
            for obj in getattr(self, attribute):
                grouped.setdefault(obj.labels.get(PART_OF), []).append(obj)
            self._by_part_of[attribute] = {key: tuple(objs) for key, objs in grouped.items()}
        return self._by_part_of[attribute].get(pcs, ())

    def workload_names(self) -> list[str]:
        return sorted(p.name for p in self.podcliquesets)

    def podcliqueset(self, name: str) -> PodCliqueSet:
        for pcs in self.podcliquesets:
            if pcs.name == name:
                return pcs
        raise NotFound(
            _not_found_message(name, self.namespace, self.workload_names(), []),
            self.workload_names(),
        )


def assemble(
    request: SnapshotRequest, results: Sequence[ListResult], now: datetime, source: str
) -> Snapshot:
    """Parse raw LIST answers (in ``request.queries()`` order) into a snapshot. Pure."""
    by_kind: dict[tuple[str, str | None], ListResult] = {}
    for result in results:
        scope = result.query.namespace if result.query.kind.namespaced else None
        by_kind[(result.query.kind.kind, scope)] = result
    ns = request.namespace

    def parse(kind: k.Kind, namespace: str | None = ns) -> tuple:
        result = by_kind.get((kind.kind, namespace if kind.namespaced else None))
        if result is None or not result.available:
            return ()
        return tuple(_parsed(kind, item, source) for item in result.items)

    def available(kind: k.Kind, namespace: str | None = ns) -> bool:
        result = by_kind.get((kind.kind, namespace if kind.namespaced else None))
        return result is not None and result.available

    topologies = parse(k.TOPOLOGY_BINDING) + parse(k.LEGACY_TOPOLOGY)
    cluster_usage = request.cluster_usage
    return Snapshot(
        namespace=ns,
        now=now,
        source=source,
        podcliquesets=parse(k.PODCLIQUESET),
        podcliques=parse(k.PODCLIQUE),
        scaling_groups=parse(k.SCALINGGROUP),
        podgangs=parse(k.PODGANG),
        pods=parse(k.POD),
        nodes=parse(k.NODE),
        topologies=topologies,
        events=parse(k.EVENT),
        cluster_pods=(parse(k.POD, None) if cluster_usage and available(k.POD, None) else None),
        resource_claims=(
            parse(k.RESOURCECLAIM, None)
            if cluster_usage and available(k.RESOURCECLAIM, None)
            else None
        ),
        config_maps=_config_maps(results, source),
        podgang_maps=parse(k.PODGANGMAP),
        operator_deployments=(
            parse(k.DEPLOYMENT, request.operator_namespace)
            if request.grove_version and available(k.DEPLOYMENT, request.operator_namespace)
            else None
        ),
        operator_note=next(
            (r.note for r in results if r.query.kind == k.DEPLOYMENT and r.note), None
        ),
        served={
            r.query.kind.kind: r.served
            for r in results
            if r.served is not None and r.query.kind.group == k.GROVE
        },
        resource_quotas=parse(k.RESOURCEQUOTA) if available(k.RESOURCEQUOTA) else None,
        kai_queues=parse(k.KAI_QUEUE) if available(k.KAI_QUEUE) else None,
        unreadable={
            r.query.kind.kind: r.note for r in results if not r.available and r.note is not None
        },
        podgangs_available=available(k.PODGANG),
        nodes_available=available(k.NODE),
        topologies_available=available(k.TOPOLOGY_BINDING) or available(k.LEGACY_TOPOLOGY),
        notes=_notes(results),
    )


def usage_fields(pod: RawObject) -> RawObject:
    """What GPU, CPU and memory accounting reads of a pod anywhere in the cluster (name,
    namespace, uid, node, phase, nominated node, the containers' requests and limits), and
    nothing else: validating only these halves the time for the cluster-wide pod LIST and keeps
    far less in memory. ``Snapshot.cluster_pods`` holds such pods; ``pods`` holds whole ones."""
    meta, spec, status = (_mapping(pod.get(key)) for key in ("metadata", "spec", "status"))
    return {
        "metadata": {key: meta[key] for key in ("name", "namespace", "uid") if key in meta},
        "spec": {
            "nodeName": spec.get("nodeName"),
            "containers": _resources_only(spec.get("containers")),
            "initContainers": _resources_only(spec.get("initContainers")),
        },
        "status": {
            "phase": status.get("phase"),
            "nominatedNodeName": status.get("nominatedNodeName"),
        },
    }


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _resources_only(containers: Any) -> Any:
    """Each container's name and resources; anything but a list is left for validation to
    refuse with the field's path."""
    if not isinstance(containers, list):
        return containers if containers is not None else []
    return [
        {key: c[key] for key in ("name", "resources") if key in c} if isinstance(c, dict) else c
        for c in containers
    ]


def _parsed(kind: k.Kind, item: RawObject, source: str) -> Any:
    """One object as its model; a malformed one is an error naming the object and the field."""
    try:
        return kind.model.model_validate(item)
    except ValidationError as err:
        meta = item.get("metadata") or {}
        where = "/".join(str(p) for p in (meta.get("namespace"), meta.get("name")) if p) or "?"
        problem = err.errors()[0]
        field_path = ".".join(str(part) for part in problem["loc"])
        message = (
            f"{kind.kind} {where} from {source} is malformed: field {field_path}: {problem['msg']}."
        )
        if source.startswith("bundle") or source.startswith("embedded demo"):
            raise BundleError(message) from None
        raise ApiError(message + " The object does not match its kind's schema.") from None


def _notes(results: Sequence[ListResult]) -> tuple[str, ...]:
    """What could not be read, once each, where it is news (``_is_news``); a denied legacy
    topology kind repeats the binding's note."""
    binding = next((r for r in results if r.query.kind == k.TOPOLOGY_BINDING), None)
    notes: list[str] = []
    for result in results:
        if result.note is None or not _is_news(result):
            continue
        if result.query.kind == k.LEGACY_TOPOLOGY and binding is not None and binding.note:
            continue
        notes.append(result.note)
    return tuple(notes)


# Kinds a cluster may well not serve: one of the two topology kinds, KAI's Queue (no KAI),
# PodGangMap (before alpha.12 final). Their absence is no news.
MAY_BE_ABSENT = frozenset({k.TOPOLOGY_BINDING, k.LEGACY_TOPOLOGY, k.KAI_QUEUE, k.PODGANGMAP})
# Kinds whose unreadability the report itself explains (health: the operator's Deployment).
EXPLAINED_BY_REPORT = frozenset({k.DEPLOYMENT})


def _is_news(result: ListResult) -> bool:
    if not result.note or result.query.kind in EXPLAINED_BY_REPORT:
        return False
    return not (result.served is False and result.query.kind in MAY_BE_ABSENT)


def _config_maps(results: Sequence[ListResult], source: str) -> tuple[ConfigMap, ...]:
    """The ConfigMaps of every ConfigMap query (one per plan label), once each, by name; a
    malformed one is an error naming it and the field, as for every other kind."""
    found: dict[str, RawObject] = {}
    for result in results:
        if result.query.kind == k.CONFIGMAP and result.available:
            for item in result.items:
                found.setdefault(str(item["metadata"]["name"]), item)
    return tuple(_parsed(k.CONFIGMAP, found[name], source) for name in sorted(found))


def fetch_snapshot(source: Source, request: SnapshotRequest) -> Snapshot:
    """Fetch once. Raises ``NotFound`` (listing what exists) when the PodCliqueSet is absent."""
    return fetch(source, request)[1]


def fetch(source: Source, request: SnapshotRequest) -> tuple[list[ListResult], Snapshot]:
    """The raw answers and the snapshot assembled from them (``--watch`` keeps the answers)."""
    results = source.list_many(request.queries())
    snapshot = assemble(request, results, source.now(), source.description)
    if request.name is not None and not snapshot.podcliquesets:
        raise _not_found(source, request)
    return results, snapshot


def _not_found(source: Source, request: SnapshotRequest) -> NotFound:
    """Build the not-found error: what exists here, and where a PCS of that name lives."""
    here, elsewhere = source.list_many(
        [
            ListQuery(k.PODCLIQUESET, request.namespace),
            ListQuery(
                k.PODCLIQUESET, None, field_selector=f"metadata.name={request.name}", optional=True
            ),
        ]
    )
    names = sorted(str(o["metadata"]["name"]) for o in here.items)
    other_ns = sorted(str(o["metadata"].get("namespace")) for o in elsewhere.items)
    assert request.name is not None
    return NotFound(_not_found_message(request.name, request.namespace, names, other_ns), names)


def _not_found_message(name: str, namespace: str, names: list[str], other_ns: list[str]) -> str:
    if names:
        close = [n for n in names if _similar(n, name)]
        hint = f" Did you mean '{close[0]}'?" if close else ""
        exists = f"PodCliqueSets there: {', '.join(names)}.{hint}"
    else:
        exists = "That namespace has no PodCliqueSets."
    where = (
        f" A PodCliqueSet named '{name}' exists in namespace "
        f"{', '.join(other_ns)}: pass -n {other_ns[0]}."
        if other_ns
        else ""
    )
    return f"PodCliqueSet '{name}' not found in namespace '{namespace}'. {exists}{where}"


def _similar(a: str, b: str) -> bool:
    """Cheap typo check: edit distance ≤ 2 or one contains the other."""
    if a in b or b in a:
        return True
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] <= 2
