"""One PodCliqueSet's world, cut from a snapshot: its children, its gangs, its topology."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..grove import (
    HOSTNAME_KEY,
    ClusterTopologyBinding,
    Node,
    Pod,
    PodClique,
    PodCliqueScalingGroup,
    PodCliqueSet,
    PodGang,
    PodGangMap,
    TopologyLevel,
)
from ..snapshot import Snapshot

if TYPE_CHECKING:  # models of objects status does not read
    from ..grove import Event, ResourceClaim

REPLICA_INDEX = "grove.io/podcliqueset-replica-index"
PODCLIQUE_LABEL = "grove.io/podclique"
PODGANG_LABEL = "grove.io/podgang"
BASE_PODGANG = "grove.io/base-podgang"
PODGANG_ROLE = "grove.io/podgang-role"  # alpha.12 final: Anchor | Tail | ScaleOut
EPOCH_LABEL = "grove.io/epoch"
SCALING_GROUP_LABEL = "grove.io/podcliquescalinggroup"
TOPOLOGY_ANNOTATION = "grove.io/topology-name"
UNASSIGNED = "(no gang)"


@dataclass(frozen=True)
class ResolvedTopology:
    """The topology a workload is judged against. ``kind='none'`` falls back to hosts only."""

    name: str | None
    kind: str
    levels: tuple[TopologyLevel, ...]
    note: str | None = None


@dataclass(frozen=True)
class Gang:
    """A PodGang (or, without PodGang access, the cliques labelled with one gang name)."""

    name: str
    replica_index: int | None
    podgang: PodGang | None
    cliques: tuple[PodClique, ...]
    pods: tuple[Pod, ...]
    base_gang: str | None

    def min_replicas(self, clique: PodClique) -> int:
        """The gang's guaranteed pods for a clique: ``podgroups[].minReplicas``, else minAvailable."""
        if self.podgang is not None:
            for group in self.podgang.spec.podgroups:
                if group.name == clique.name:
                    return group.min_replicas
        return clique.min_available


@dataclass(frozen=True)
class Workload:
    pcs: PodCliqueSet
    cliques: tuple[PodClique, ...]
    scaling_groups: tuple[PodCliqueScalingGroup, ...]
    gangs: tuple[Gang, ...]
    pods: tuple[Pod, ...]
    events: tuple[Event, ...]
    nodes: Mapping[str, Node]
    topology: ResolvedTopology
    now: datetime
    podgangs_available: bool
    nodes_available: bool
    dra_gpus: Mapping[str, int]

    def gpus_of(self, pod: Pod) -> int:
        """GPUs of a pod: device-plugin requests plus devices allocated through DRA claims."""
        return pod.gpus + self.dra_gpus.get(pod.metadata.uid or "", 0)

    @property
    def name(self) -> str:
        return self.pcs.name

    def clique_short_name(self, clique: PodClique) -> str:
        """The template clique a PodClique was made from (for display; longest suffix match)."""
        matches = [
            t.name
            for t in self.pcs.spec.template.cliques
            if clique.name == t.name or clique.name.endswith(f"-{t.name}")
        ]
        return max(matches, key=len) if matches else clique.name

    def scaling_group_of(self, clique: PodClique) -> PodCliqueScalingGroup | None:
        owner = clique.labels.get(SCALING_GROUP_LABEL)
        return next((s for s in self.scaling_groups if s.name == owner), None)

    def pods_of(self, clique: PodClique) -> tuple[Pod, ...]:
        return tuple(p for p in self.pods if p.labels.get(PODCLIQUE_LABEL) == clique.name)


def dra_gpus_by_pod(claims: Iterable[ResourceClaim] | None) -> dict[str, int]:
    """GPU devices allocated through DRA, per consuming pod UID."""
    result: dict[str, int] = {}
    for claim in claims or ():
        devices = claim.gpu_devices()
        for uid in claim.reserved_pod_uids:
            result[uid] = result.get(uid, 0) + devices
    return result


def replica_index(labels: Mapping[str, str]) -> int | None:
    value = labels.get(REPLICA_INDEX)
    return int(value) if value is not None and value.isdigit() else None


def _sort_key(obj: PodClique | PodCliqueScalingGroup, order: Mapping[str, int]) -> tuple:
    """Replica index, then the template's clique order (suffix match), then name."""
    index = replica_index(obj.labels)
    rank = min((r for n, r in order.items() if obj.name.endswith(f"-{n}")), default=1 << 30)
    return (index if index is not None else 1 << 30, rank, obj.name)


def build_workload(snapshot: Snapshot, name: str) -> Workload:
    """Cut one PodCliqueSet's world out of a snapshot (raises NotFound listing what exists)."""
    pcs = snapshot.podcliqueset(name)
    order = {c.name: i for i, c in enumerate(pcs.spec.template.cliques)}
    cliques = tuple(
        sorted(
            snapshot.part_of("podcliques", name),
            key=lambda c: _sort_key(c, order),
        )
    )
    groups = tuple(
        sorted(
            snapshot.part_of("scaling_groups", name),
            key=lambda g: _sort_key(g, order),
        )
    )
    podgangs = snapshot.part_of("podgangs", name)
    pods = tuple(sorted(snapshot.part_of("pods", name), key=lambda p: p.name))
    own_names = {
        name,
        *(c.name for c in cliques),
        *(g.name for g in groups),
        *(g.name for g in podgangs),
        *(p.name for p in pods),
    }
    events = tuple(
        sorted(
            (e for e in snapshot.events if e.involved_object.name in own_names),
            key=lambda e: (e.last_seen.isoformat() if e.last_seen else "", e.name),
        )
    )
    return Workload(
        pcs=pcs,
        cliques=cliques,
        scaling_groups=groups,
        gangs=_gangs(
            cliques,
            podgangs,
            pods,
            snapshot.part_of("podgang_maps", name),
        ),
        pods=pods,
        events=events,
        nodes=snapshot.nodes_by_name,
        topology=resolve_topology(
            pcs, podgangs, snapshot.topologies, readable=snapshot.topologies_available
        ),
        now=snapshot.now,
        podgangs_available=snapshot.podgangs_available,
        nodes_available=snapshot.nodes_available,
        dra_gpus=dra_gpus_by_pod(snapshot.resource_claims),
    )


def _gangs(
    cliques: tuple[PodClique, ...],
    podgangs: tuple[PodGang, ...],
    pods: tuple[Pod, ...],
    maps: tuple[PodGangMap, ...] = (),
) -> tuple[Gang, ...]:
    """Gangs from PodGang ``podgroups``, never from names. Each clique belongs to one gang: the
    PodGang listing it (the one its ``grove.io/podgang`` label names, if several do), else the
    gang its label names, else ``UNASSIGNED``. A scaled gang's base comes from the cliques'
    ``grove.io/base-podgang`` label, or (alpha.12 final) from the PodGangMap."""
    listing: dict[str, list[str]] = {}
    for gang in sorted(podgangs, key=lambda g: g.name):
        for group in gang.spec.podgroups:
            listing.setdefault(group.name, []).append(gang.name)
    members: dict[str, list[PodClique]] = {g.name: [] for g in podgangs}
    for clique in cliques:
        label = clique.labels.get(PODGANG_LABEL)
        listed = listing.get(clique.name, [])
        owner = label if label in listed else (listed[0] if listed else label or UNASSIGNED)
        members.setdefault(owner, []).append(clique)
    by_name = {g.name: g for g in podgangs}
    gangs = []
    for gang_name, gang_cliques in members.items():
        clique_names = {c.name for c in gang_cliques}
        indices = {i for c in gang_cliques if (i := replica_index(c.labels)) is not None}
        bases = {c.labels[BASE_PODGANG] for c in gang_cliques if BASE_PODGANG in c.labels}
        if not bases and gang_name in by_name:
            bases = set(_anchors_awaited(by_name[gang_name], podgangs, maps))
        gangs.append(
            Gang(
                name=gang_name,
                replica_index=min(indices) if indices else None,
                podgang=by_name.get(gang_name),
                cliques=tuple(gang_cliques),
                pods=tuple(p for p in pods if p.labels.get(PODCLIQUE_LABEL) in clique_names),
                base_gang=min(bases) if bases else None,
            )
        )
    gangs.sort(
        key=lambda g: (
            g.replica_index if g.replica_index is not None else 1 << 30,
            g.base_gang is not None,
            g.name,
        )
    )
    return tuple(gangs)


def _anchors_awaited(
    gang: PodGang, podgangs: tuple[PodGang, ...], maps: tuple[PodGangMap, ...]
) -> list[str]:
    """The anchor gangs a non-anchor PodGang waits for (alpha.12 final): its PodGangMap entry's
    ``dependsOn`` epochs; without a readable map, the replica's latest anchor."""
    role = gang.labels.get(PODGANG_ROLE)
    if role is None or role == "Anchor":
        return []
    index = gang.labels.get(REPLICA_INDEX)
    anchors = {
        g.labels.get(EPOCH_LABEL, ""): g.name
        for g in podgangs
        if g.labels.get(PODGANG_ROLE) == "Anchor" and g.labels.get(REPLICA_INDEX) == index
    }
    pgm = next((m for m in maps if m.labels.get(REPLICA_INDEX) == index), None)
    awaited = pgm.depends_on(gang.labels.get(EPOCH_LABEL, "")) if pgm else None
    if awaited is None:
        latest = max(anchors, key=lambda e: int(e) if e.isdigit() else -1, default=None)
        return [anchors[latest]] if latest is not None else []
    return [anchors[epoch] for epoch in awaited if epoch in anchors]


def _named_topology(pcs: PodCliqueSet, podgangs: tuple[PodGang, ...]) -> str | None:
    template = pcs.spec.template
    constraints = [
        template.topology_constraint,
        *(g.topology_constraint for g in template.pod_clique_scaling_groups),
        *(c.topology_constraint for c in template.cliques),
    ]
    for constraint in constraints:
        if constraint is not None and constraint.topology_name:
            return constraint.topology_name
    for gang in podgangs:
        if TOPOLOGY_ANNOTATION in gang.metadata.annotations:
            return gang.metadata.annotations[TOPOLOGY_ANNOTATION]
    return None


def resolve_topology(
    pcs: PodCliqueSet,
    podgangs: tuple[PodGang, ...],
    topologies: tuple[ClusterTopologyBinding, ...],
    readable: bool = True,
) -> ResolvedTopology:
    """The workload's topology: the one it names, else the only one, else hosts only."""
    wanted = _named_topology(pcs, podgangs)
    chosen: ClusterTopologyBinding | None = None
    note = None
    if wanted:
        chosen = next((t for t in topologies if t.name == wanted), None)
        if chosen is None and readable:
            note = (
                f"The workload names topology '{wanted}', which does not exist; placement is "
                "judged per host only."
            )
        elif chosen is None:
            note = (
                f"The workload names topology '{wanted}', which could not be read (see the "
                "note above); placement is judged per host only."
            )
    elif len(topologies) == 1:
        chosen = topologies[0]
    elif topologies:
        bindings = [t for t in topologies if not t.is_legacy]
        legacy = [t for t in topologies if t.is_legacy]
        single = bindings if bindings else legacy  # a binding supersedes a stale legacy one
        chosen = single[0] if len(single) == 1 else None
        if chosen is None:
            names = ", ".join(sorted(t.name for t in topologies))
            note = (
                f"Several topologies exist ({names}) and the workload names none; placement "
                "is judged per host only."
            )
    elif readable:
        note = "No ClusterTopologyBinding exists; placement is judged per host only."
    else:
        note = "Topologies could not be read; placement is judged per host only."
    if chosen is None or not chosen.levels:
        return ResolvedTopology(
            None, "none", (TopologyLevel(domain="host", key=HOSTNAME_KEY),), note
        )
    return ResolvedTopology(chosen.name, chosen.kind or "ClusterTopologyBinding", chosen.levels)
