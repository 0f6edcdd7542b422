"""GPU accounting per node: this workload, other workloads, free (device plugin and DRA)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..grove import Node, Pod, ResourceClaim
from ..reports.topology import GpuUsage
from ..snapshot import Snapshot


@dataclass(frozen=True)
class NodeGpus:
    allocatable: int
    this: int
    other: int | None

    @property
    def free(self) -> int | None:
        if self.other is None:
            return None
        return max(0, self.allocatable - self.this - self.other)

    def report(self) -> GpuUsage:
        return GpuUsage(
            allocatable=self.allocatable,
            this_workload=self.this,
            other_workloads=self.other,
            free=self.free,
        )


def sum_usage(items: Iterable[NodeGpus]) -> NodeGpus:
    items = list(items)
    others = [i.other for i in items]
    return NodeGpus(
        allocatable=sum(i.allocatable for i in items),
        this=sum(i.this for i in items),
        other=None if any(o is None for o in others) else sum(o or 0 for o in others),
    )


def dra_gpus_by_pod(claims: Iterable[ResourceClaim] | None) -> dict[str, int]:
    """GPU devices allocated through DRA, per consuming pod UID."""
    result: dict[str, int] = {}
    for claim in claims or ():
        devices = claim.gpu_devices()
        for uid in claim.reserved_pod_uids:
            result[uid] = result.get(uid, 0) + devices
    return result


def pod_gpus(pod: Pod, dra: Mapping[str, int]) -> int:
    return pod.gpus + dra.get(pod.metadata.uid or "", 0)


def node_usage(snapshot: Snapshot, workload_pods: Iterable[Pod]) -> dict[str, NodeGpus]:
    """Accounting for every node. ``other`` is None when cluster-wide pods are unreadable."""
    dra = dra_gpus_by_pod(snapshot.resource_claims)
    ours = {(p.metadata.namespace, p.name) for p in workload_pods}
    this: dict[str, int] = {}
    for pod in workload_pods:
        if pod.spec.node_name and not pod.is_terminated:
            this[pod.spec.node_name] = this.get(pod.spec.node_name, 0) + pod_gpus(pod, dra)
    other: dict[str, int] | None = None
    if snapshot.cluster_pods is not None:
        other = {}
        for pod in snapshot.cluster_pods:
            node = pod.spec.node_name
            if node and not pod.is_terminated and (pod.metadata.namespace, pod.name) not in ours:
                other[node] = other.get(node, 0) + pod_gpus(pod, dra)
    return {
        node.name: NodeGpus(
            node.allocatable_gpus,
            this.get(node.name, 0),
            None if other is None else other.get(node.name, 0),
        )
        for node in snapshot.nodes
    }


def usable(node: Node) -> bool:
    """A node the scheduler may place new pods on."""
    return node.is_ready and not node.spec.unschedulable
