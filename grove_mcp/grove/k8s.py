"""Input models of the core Kubernetes objects every workload report reads: Pod and Node (Event,
ResourceClaim and Deployment, read by some reports only, are in ``k8s_other``)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from datetime import datetime
from typing import Any, TypeVar, cast

from pydantic import Field, field_validator

from .affinity import NodeRestrictions
from .base import Condition, KubeModel, KubeObject, find_condition, parse_quantity, quantities

GPU_RESOURCE = "nvidia.com/gpu"
T = TypeVar("T")


class ResourceRequirements(KubeModel):
    requests: dict[str, str] = Field(default_factory=dict)
    limits: dict[str, str] = Field(default_factory=dict)

    @field_validator("requests", "limits", mode="before")
    @classmethod
    def _stringify(cls, value: object) -> object:
        return quantities(value)

    def amount(self, resource: str) -> float:
        """Requested amount; extended resources may give only a limit, which then is the request."""
        if resource in self.requests:
            return parse_quantity(self.requests[resource])
        return parse_quantity(self.limits.get(resource))


class ContainerPort(KubeModel):
    name: str | None = None
    container_port: int = 0
    protocol: str | None = None


class EnvVar(KubeModel):
    name: str
    value: str | None = None


class Container(KubeModel):
    name: str = ""
    image: str | None = None
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    env: tuple[EnvVar, ...] = ()
    ports: tuple[ContainerPort, ...] = ()
    resources: ResourceRequirements = Field(default_factory=ResourceRequirements)


class PodResourceClaim(KubeModel):
    name: str = ""
    resource_claim_name: str | None = None
    resource_claim_template_name: str | None = None


class Taint(KubeModel):
    key: str
    value: str | None = None
    effect: str = ""


# Grove's own scheduling gate: on every pod until its PodGang is initialised (and, for a
# scaled gang, until the base gang is scheduled). Any other gate is someone else's.
GROVE_GATE = "grove.io/podgang-pending-creation"


class SchedulingGate(KubeModel):
    name: str


class Toleration(KubeModel):
    key: str | None = None
    operator: str | None = None
    value: str | None = None
    effect: str | None = None

    def tolerates(self, taint: Taint) -> bool:
        """Kubernetes' matching: key (or empty key with Exists), value unless Exists, effect."""
        if self.key and self.key != taint.key:
            return False
        if not self.key and self.operator != "Exists":
            return False
        if self.operator != "Exists" and (self.value or "") != (taint.value or ""):
            return False
        return not self.effect or self.effect == taint.effect


class PodSpec(NodeRestrictions):
    node_name: str | None = None
    scheduler_name: str | None = None
    containers: tuple[Container, ...] = ()
    init_containers: tuple[Container, ...] = ()
    scheduling_gates: tuple[SchedulingGate, ...] = ()
    tolerations: tuple[Toleration, ...] = ()
    resource_claims: tuple[PodResourceClaim, ...] = ()
    priority_class_name: str | None = None

    def request(self, resource: str) -> float:
        """Effective pod request: max(sum over containers, largest init container)."""
        main = sum(c.resources.amount(resource) for c in self.containers)
        init = max((c.resources.amount(resource) for c in self.init_containers), default=0.0)
        return max(main, init)


class ContainerStateWaiting(KubeModel):
    reason: str | None = None
    message: str | None = None


class ContainerStateTerminated(KubeModel):
    reason: str | None = None
    exit_code: int | None = None
    finished_at: datetime | None = None


class ContainerStateRunning(KubeModel):
    started_at: datetime | None = None


class ContainerState(KubeModel):
    waiting: ContainerStateWaiting | None = None
    running: ContainerStateRunning | None = None
    terminated: ContainerStateTerminated | None = None


class ContainerStatus(KubeModel):
    name: str = ""
    ready: bool = False
    restart_count: int = 0
    started: bool | None = None
    state: ContainerState = Field(default_factory=ContainerState)
    last_state: ContainerState = Field(default_factory=ContainerState)


class PodStatus(KubeModel):
    phase: str | None = None
    reason: str | None = None
    message: str | None = None
    conditions: tuple[Condition, ...] = ()
    container_statuses: tuple[ContainerStatus, ...] = ()
    init_container_statuses: tuple[ContainerStatus, ...] = ()
    start_time: datetime | None = None
    nominated_node_name: str | None = None  # where preemption made room for it
    # where a scraper inside the cluster reaches the pod (Kubernetes spells it podIP)
    pod_ip: str | None = Field(default=None, alias="podIP")


class Pod(KubeObject):
    spec: PodSpec = Field(default_factory=PodSpec)
    status: PodStatus = Field(default_factory=PodStatus)

    @property
    def gpus(self) -> int:
        """GPUs requested through the device plugin (``nvidia.com/gpu``)."""
        return int(self.spec.request(GPU_RESOURCE))

    @property
    def is_terminated(self) -> bool:
        return self.status.phase in ("Succeeded", "Failed")

    @property
    def is_ready(self) -> bool:
        cond = find_condition(self.status.conditions, "Ready")
        return cond is not None and cond.is_true

    @property
    def is_gated(self) -> bool:
        return bool(self.spec.scheduling_gates)

    @property
    def foreign_gates(self) -> tuple[str, ...]:
        """Scheduling gates that are not Grove's (an admission webhook's, a queue's)."""
        return tuple(g.name for g in self.spec.scheduling_gates if g.name != GROVE_GATE)


class NodeSpec(KubeModel):
    unschedulable: bool = False
    taints: tuple[Taint, ...] = ()


class NodeStatus(KubeModel):
    capacity: dict[str, str] = Field(default_factory=dict)
    allocatable: dict[str, str] = Field(default_factory=dict)
    conditions: tuple[Condition, ...] = ()

    @field_validator("capacity", "allocatable", mode="before")
    @classmethod
    def _stringify(cls, value: object) -> object:
        return quantities(value)


class Node(KubeObject):
    spec: NodeSpec = Field(default_factory=NodeSpec)
    status: NodeStatus = Field(default_factory=NodeStatus)

    def allocatable(self, resource: str) -> float:
        raw = self.status.allocatable.get(resource, self.status.capacity.get(resource))
        return parse_quantity(raw)

    def admits(self, pod: Pod) -> bool:
        """Every NoSchedule/NoExecute taint of the node is tolerated by the pod."""
        return all(
            any(t.tolerates(taint) for t in pod.spec.tolerations)
            for taint in self.spec.taints
            if taint.effect in ("NoSchedule", "NoExecute")
        )

    @property
    def allocatable_gpus(self) -> int:
        raw = self.status.allocatable.get(GPU_RESOURCE, self.status.capacity.get(GPU_RESOURCE))
        return int(parse_quantity(raw))

    @property
    def is_ready(self) -> bool:
        cond = find_condition(self.status.conditions, "Ready")
        return cond is not None and cond.is_true


class NodeIndex(dict[str, "Node"]):
    """Nodes by name that remember what is computed from all of them (a topology level's GPU
    capacity by domain), for every workload cut from one snapshot: ``status --all`` scores
    200 workloads against the same 1,000 nodes."""

    def __init__(self, nodes: Mapping[str, Node]) -> None:
        super().__init__(nodes)
        self._memo: dict[Hashable, Any] = {}

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` the first time ``key`` is asked for; the same answer after."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(T, self._memo[key])
