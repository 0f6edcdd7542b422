"""What nodes hold and can still take: GPU accounting for reports, and free room for moves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..grove import Node
from ..reports.topology import GpuUsage
from ..snapshot import Snapshot
from .workload import Workload


@dataclass(frozen=True)
class NodeGpus:
    """GPUs of one node (or a sum of nodes): this workload's, others', allocatable."""

    allocatable: int | None
    this: int
    other: int | None

    @property
    def free(self) -> int | None:
        if self.other is None or self.allocatable is None:
            return None
        return max(0, self.allocatable - self.this - self.other)

    def report(self) -> GpuUsage:
        return GpuUsage(
            allocatable=self.allocatable,
            this_workload=self.this,
            other_workloads=self.other,
            free=self.free,
        )


@dataclass(frozen=True)
class Room:
    """What a node can still take: GPUs, CPU cores and memory bytes not requested by any pod."""

    gpus: int
    cpu: float
    memory: float


def sum_usage(items: Iterable[NodeGpus]) -> NodeGpus:
    items = list(items)
    others = [i.other for i in items]
    capacities = [i.allocatable for i in items]
    return NodeGpus(
        allocatable=None if None in capacities else sum(c or 0 for c in capacities),
        this=sum(i.this for i in items),
        other=None if any(o is None for o in others) else sum(o or 0 for o in others),
    )


def node_usage(snapshot: Snapshot, workload: Workload) -> dict[str, NodeGpus]:
    """Accounting for every node. ``other`` is None when cluster-wide pods are unreadable."""
    ours = {(p.metadata.namespace, p.name) for p in workload.pods}
    this: dict[str, int] = {}
    for pod in workload.pods:
        if pod.spec.node_name and not pod.is_terminated:
            this[pod.spec.node_name] = this.get(pod.spec.node_name, 0) + workload.gpus_of(pod)
    other: dict[str, int] | None = None
    if snapshot.cluster_pods is not None:
        other = {}
        for pod in snapshot.cluster_pods:
            node = pod.spec.node_name
            if node and not pod.is_terminated and (pod.metadata.namespace, pod.name) not in ours:
                other[node] = other.get(node, 0) + workload.gpus_of(pod)
    usage = {  # nodes the pods name but the node list lacks (unreadable): capacity unknown
        name: NodeGpus(None, gpus, None) for name, gpus in this.items()
    }
    usage.update(
        {
            node.name: NodeGpus(
                node.allocatable_gpus,
                this.get(node.name, 0),
                None if other is None else other.get(node.name, 0),
            )
            for node in snapshot.nodes
        }
    )
    return usage


def node_rooms(snapshot: Snapshot, workload: Workload) -> dict[str, Room] | None:
    """Free GPUs, CPU and memory per node from every pod's requests; None when pods of other
    workloads could not be listed."""
    if snapshot.cluster_pods is None:
        return None
    used: dict[str, tuple[int, float, float]] = {}
    for pod in snapshot.cluster_pods:
        node = pod.spec.node_name
        if node and not pod.is_terminated:
            gpus, cpu, memory = used.get(node, (0, 0.0, 0.0))
            used[node] = (
                gpus + workload.gpus_of(pod),
                cpu + pod.spec.request("cpu"),
                memory + pod.spec.request("memory"),
            )
    return {
        node.name: Room(
            max(0, node.allocatable_gpus - used.get(node.name, (0, 0.0, 0.0))[0]),
            node.allocatable("cpu") - used.get(node.name, (0, 0.0, 0.0))[1],
            node.allocatable("memory") - used.get(node.name, (0, 0.0, 0.0))[2],
        )
        for node in snapshot.nodes
    }


def usable(node: Node) -> bool:
    """A node the scheduler may place new pods on."""
    return node.is_ready and not node.spec.unschedulable
