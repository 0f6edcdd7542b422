"""The cluster's own arithmetic for a pending GPU pod: which nodes would take it.

When the scheduler reports a GPU shortage for a pod, the health report checks the claim against
the snapshot: a node *would fit* the pod when it is Ready and schedulable, its allocatable GPUs
minus every live pod's GPU requests (device plugin and DRA) leave room for the pod, its CPU and
memory requests fit likewise, the pod tolerates its NoSchedule/NoExecute taints, and it
satisfies the pod's nodeSelector and required node affinity. For a pod of a topology-aware
scheduler (not ``default-scheduler``) whose PodCliqueSet requires packing at a level Grove
enforces, only nodes in the domain already holding the gang's GPU pods count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..grove import Node, Pod
from ..grove.quota import KaiQueue, ResourceQuota
from ..snapshot import Snapshot
from .enforcement import constraint_enforcement
from .gpu_usage import Room, node_rooms, usable
from .placement import domain_of
from .workload import Gang, Workload

DEFAULT_SCHEDULER = "default-scheduler"


@dataclass(frozen=True)
class CapacityView:
    """What the arithmetic reads, cut from the snapshot once per report."""

    namespace: str
    nodes: Mapping[str, Node]
    rooms: Mapping[str, Room] | None  # None: pods of other namespaces (or nodes) unreadable
    cluster_pods: tuple[Pod, ...]
    quotas: tuple[ResourceQuota, ...] | None
    queues: tuple[KaiQueue, ...] | None
    unreadable: Mapping[str, str]
    dra_gpus: Mapping[str, int]

    def gpus_of(self, pod: Pod) -> int:
        return pod.gpus + self.dra_gpus.get(pod.metadata.uid or "", 0)


@dataclass(frozen=True)
class GangCapacity:
    """The view, plus what the gang adds: its pending demand and the domain it is held to."""

    view: CapacityView
    pending_gpus: int  # GPUs of the gang's pods waiting for a node (not gated)
    pack: tuple[str, str, str] | None  # (level, node label key, domain) for topology-aware pods


@dataclass(frozen=True)
class NodeFit:
    name: str
    free: int
    allocatable: int


def capacity_view(snapshot: Snapshot, workload: Workload) -> CapacityView:
    rooms = node_rooms(snapshot, workload) if workload.nodes_available else None
    return CapacityView(
        namespace=workload.pcs.metadata.namespace or snapshot.namespace,
        nodes=workload.nodes,
        rooms=rooms,
        cluster_pods=snapshot.cluster_pods or (),
        quotas=snapshot.resource_quotas,
        queues=snapshot.kai_queues,
        unreadable=snapshot.unreadable,
        dra_gpus=workload.dra_gpus,
    )


def gang_capacity(view: CapacityView, workload: Workload, gang: Gang) -> GangCapacity:
    pending = [
        p for p in gang.pods if not p.spec.node_name and not p.is_terminated and not p.is_gated
    ]
    return GangCapacity(
        view, sum(view.gpus_of(p) for p in pending), _pack_domain(view, workload, gang)
    )


def _pack_domain(view: CapacityView, workload: Workload, gang: Gang) -> tuple[str, str, str] | None:
    """The domain a required pack constraint holds the gang to, once its GPU pods run in one."""
    constraint = workload.pcs.spec.template.topology_constraint
    if constraint is None or not constraint.required:
        return None
    if constraint_enforcement(workload.pcs).enforced is False:
        return None
    key = next(
        (lv.key for lv in workload.topology.levels if lv.domain == constraint.required), None
    )
    if key is None:
        return None
    domains = {
        domain_of(p.spec.node_name, view.nodes.get(p.spec.node_name), key)
        for p in gang.pods
        if p.spec.node_name and not p.is_terminated and view.gpus_of(p) > 0
    }
    return (constraint.required, key, domains.pop()) if len(domains) == 1 else None


def nodes_that_fit(pod: Pod, gang: GangCapacity) -> list[NodeFit] | None:
    """Nodes the pod would fit by the snapshot's numbers, most free GPUs first; None when the
    numbers are unknown (other namespaces' pods or the nodes could not be listed)."""
    rooms = gang.view.rooms
    if rooms is None:
        return None
    need = gang.view.gpus_of(pod)
    pack = gang.pack if pod.spec.scheduler_name not in (None, DEFAULT_SCHEDULER) else None
    fits = []
    for name, node in gang.view.nodes.items():
        room = rooms.get(name)
        if room is None or not usable(node):
            continue
        if pack is not None and domain_of(name, node, pack[1]) != pack[2]:
            continue
        if (
            room.gpus >= need
            and room.cpu >= pod.spec.request("cpu")
            and room.memory >= pod.spec.request("memory")
            and node.admits(pod)
            and pod.spec.allows(node.labels, name)
        ):
            fits.append(NodeFit(name, room.gpus, node.allocatable_gpus))
    return sorted(fits, key=lambda f: (-f.free, f.name))


def fit_evidence(pod: Pod, fits: list[NodeFit], pack: tuple[str, str, str] | None) -> list[str]:
    """One line per node that would fit, with the numbers behind it."""
    restricted = bool(pod.spec.node_selector) or pod.spec.affinity is not None
    where = "satisfies its nodeSelector/affinity" if restricted else "no nodeSelector or affinity"
    inside = (
        f", in {pack[0]} {pack[2]} with the gang's GPU pods"
        if pack and pod.spec.scheduler_name not in (None, DEFAULT_SCHEDULER)
        else ""
    )
    return [
        f"node/{f.name}: {f.allocatable} GPUs allocatable, {f.allocatable - f.free} requested by "
        f"the pods on it, {f.free} free; Ready and schedulable, taints tolerated, {where}, room "
        f"for its CPU and memory{inside}"
        for f in fits
    ]
