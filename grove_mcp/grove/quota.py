"""Input models of what may cap a namespace's or a queue's GPUs: ResourceQuota and KAI's Queue.

- ``ResourceQuota`` (core/v1): ``status.hard`` and ``status.used``. GPUs, an extended resource,
  can only be capped as ``requests.nvidia.com/gpu``. Kubernetes charges a pod to the quota when
  the pod is created (admission), and keeps every pod that has not finished in ``used``, pending
  ones included; the scheduler does not consult quotas.
- ``Queue`` (``scheduling.run.ai/v2``, cluster-scoped; KAI-Scheduler ``pkg/apis/scheduling/v2``):
  ``spec.resources.gpu.{quota, limit, overQuotaWeight}`` in GPUs (``-1`` = unlimited),
  ``spec.parentQueue``, and ``status.allocated`` / ``allocatedNonPreemptible`` / ``requested``
  as resource lists keyed ``nvidia.com/gpu``. KAI refuses a job when a queue's (or a parent's)
  allocated GPUs plus the job's request exceed its limit, and a non-preemptible job when
  allocatedNonPreemptible plus the request exceed its quota.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from .base import KubeModel, KubeObject, parse_quantity, quantities

QUOTA_GPU_KEY = "requests.nvidia.com/gpu"
QUEUE_LABEL = "kai.scheduler/queue"  # label or annotation on the pod
UNLIMITED = -1.0


class _ResourceLists(KubeModel):
    """Resource lists arrive as strings or numbers (``8``, ``"500m"``): keep them as strings."""

    @field_validator("*", mode="before")
    @classmethod
    def _stringify(cls, value: object) -> object:
        return quantities(value)


class ResourceQuotaSpec(_ResourceLists):
    hard: dict[str, str] = Field(default_factory=dict)


class ResourceQuotaStatus(_ResourceLists):
    hard: dict[str, str] = Field(default_factory=dict)
    used: dict[str, str] = Field(default_factory=dict)


class ResourceQuota(KubeObject):
    spec: ResourceQuotaSpec = Field(default_factory=ResourceQuotaSpec)
    status: ResourceQuotaStatus = Field(default_factory=ResourceQuotaStatus)

    @property
    def gpu_hard(self) -> float | None:
        """The GPU cap (status, else spec); None when the quota does not cap GPUs."""
        raw = self.status.hard.get(QUOTA_GPU_KEY, self.spec.hard.get(QUOTA_GPU_KEY))
        return None if raw is None else parse_quantity(raw)

    @property
    def gpu_used(self) -> float | None:
        """GPUs charged to the quota; None before the quota controller has counted."""
        raw = self.status.used.get(QUOTA_GPU_KEY)
        return None if raw is None else parse_quantity(raw)


class QueueResource(KubeModel):
    quota: float | None = None
    limit: float | None = None
    over_quota_weight: float | None = None


class QueueResources(KubeModel):
    gpu: QueueResource = Field(default_factory=QueueResource)


class QueueSpec(KubeModel):
    parent_queue: str | None = None
    resources: QueueResources = Field(default_factory=QueueResources)


class QueueStatus(_ResourceLists):
    allocated: dict[str, str] = Field(default_factory=dict)
    allocated_non_preemptible: dict[str, str] = Field(default_factory=dict)
    requested: dict[str, str] = Field(default_factory=dict)


class KaiQueue(KubeObject):
    """A KAI-Scheduler Queue; only its GPU figures matter here."""

    spec: QueueSpec = Field(default_factory=QueueSpec)
    status: QueueStatus = Field(default_factory=QueueStatus)

    @property
    def gpus_allocated(self) -> float:
        return parse_quantity(self.status.allocated.get("nvidia.com/gpu"))

    @property
    def gpus_allocated_non_preemptible(self) -> float:
        return parse_quantity(self.status.allocated_non_preemptible.get("nvidia.com/gpu"))
