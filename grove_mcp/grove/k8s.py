"""Input models of the core Kubernetes objects grove-mcp reads: Pod, Node, Event, ResourceClaim."""

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


class ObjectReference(KubeModel):
    kind: str | None = None
    name: str | None = None
    namespace: str | None = None
    uid: str | None = None


class EventSeries(KubeModel):
    count: int = 0
    last_observed_time: datetime | None = None


class Event(KubeObject):
    involved_object: ObjectReference = Field(default_factory=ObjectReference)
    reason: str | None = None
    message: str | None = None
    type: str | None = None
    count: int | None = None
    first_timestamp: datetime | None = None
    last_timestamp: datetime | None = None
    event_time: datetime | None = None
    series: EventSeries | None = None

    @property
    def last_seen(self) -> datetime | None:
        if self.series and self.series.last_observed_time:
            return self.series.last_observed_time
        return self.last_timestamp or self.event_time or self.metadata.creation_timestamp

    @property
    def occurrences(self) -> int:
        if self.series and self.series.count:
            return self.series.count
        return self.count or 1


class DeviceResult(KubeModel):
    request: str = ""
    driver: str = ""
    pool: str = ""
    device: str = ""


class DeviceAllocation(KubeModel):
    results: tuple[DeviceResult, ...] = ()


class Allocation(KubeModel):
    devices: DeviceAllocation = Field(default_factory=DeviceAllocation)


class ConsumerReference(KubeModel):
    resource: str = ""
    name: str = ""
    uid: str = ""


class ResourceClaimStatus(KubeModel):
    allocation: Allocation | None = None
    reserved_for: tuple[ConsumerReference, ...] = ()


class ResourceClaim(KubeObject):
    """A DRA ResourceClaim; only its allocated devices matter here."""

    status: ResourceClaimStatus = Field(default_factory=ResourceClaimStatus)

    @property
    def reserved_pod_uids(self) -> tuple[str, ...]:
        return tuple(r.uid for r in self.status.reserved_for if r.resource == "pods")

    def gpu_devices(self) -> int:
        """Allocated devices whose driver is a GPU driver (e.g. ``gpu.nvidia.com``)."""
        if self.status.allocation is None:
            return 0
        return sum(1 for r in self.status.allocation.devices.results if "gpu" in r.driver)


class PodTemplate(KubeModel):
    spec: PodSpec = Field(default_factory=PodSpec)


class DeploymentSpec(KubeModel):
    replicas: int | None = None
    template: PodTemplate = Field(default_factory=PodTemplate)


class Deployment(KubeObject):
    """An apps/v1 Deployment: read only to learn the Grove operator's image (its version)."""

    spec: DeploymentSpec = Field(default_factory=DeploymentSpec)
