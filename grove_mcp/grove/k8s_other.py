"""Input models of the Kubernetes objects only some reports read, imported when one does (a
command that reads none, such as ``status``, does not build them): Event (health, describe),
ResourceClaim (the cluster's GPU use) and Deployment (the Grove operator's version)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from .base import KubeModel, KubeObject
from .k8s import PodSpec


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
