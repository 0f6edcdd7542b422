"""Input models of Grove's own resources, tolerant of the API's versions (DESIGN.md rule 7).

Version drift handled here, once, so capabilities never see it:
- ``status.rollingUpdateProgress`` (≤ alpha.8) is read as ``updateProgress``; its name lists
  become counts and its single ``currentlyUpdating`` object becomes a list.
- ``topologyConstraint.packDomain`` (legacy) is read as ``pack.required``.
- ``PodGang.status.phase`` and ``placementScore`` may be absent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import Field, model_validator

from .base import Condition, KubeModel, KubeObject, find_condition, parse_duration
from .k8s import PodSpec

DEFAULT_TERMINATION_DELAY = timedelta(hours=4)


class PackConstraint(KubeModel):
    required: str | None = None
    preferred: str | None = None


class TopologyConstraint(KubeModel):
    """Workload-side constraint; ``packDomain`` (deprecated) means ``pack.required``."""

    topology_name: str | None = None
    pack: PackConstraint = Field(default_factory=PackConstraint)
    pack_domain: str | None = None

    @property
    def required(self) -> str | None:
        return self.pack.required or self.pack_domain

    @property
    def preferred(self) -> str | None:
        return self.pack.preferred

    @property
    def is_legacy(self) -> bool:
        return self.pack_domain is not None and self.pack.required is None


class CurrentlyUpdating(KubeModel):
    replica_index: int | None = None
    update_started_at: datetime | None = None
    update_ended_at: datetime | None = None


class UpdateProgress(KubeModel):
    """``updateProgress`` of PCS, PCLQ and PCSG, with legacy ``rollingUpdateProgress`` mapped in."""

    update_started_at: datetime | None = None
    update_ended_at: datetime | None = None
    updated_pod_cliques_count: int | None = None
    total_pod_cliques_count: int | None = None
    updated_pod_clique_scaling_groups_count: int | None = None
    total_pod_clique_scaling_groups_count: int | None = None
    currently_updating: tuple[CurrentlyUpdating, ...] = ()
    legacy: bool = False

    @property
    def in_progress(self) -> bool:
        return self.update_started_at is not None and self.update_ended_at is None


def _normalise_update_progress(status: Any) -> Any:
    """Map ``rollingUpdateProgress`` onto ``updateProgress`` when only the legacy field exists."""
    if not isinstance(status, dict):
        return status
    if status.get("updateProgress") is not None or "rollingUpdateProgress" not in status:
        return status
    legacy = dict(status["rollingUpdateProgress"] or {})
    current = legacy.get("currentlyUpdating")
    mapped: dict[str, Any] = {
        "updateStartedAt": legacy.get("updateStartedAt"),
        "updateEndedAt": legacy.get("updateEndedAt"),
        "currentlyUpdating": [current] if isinstance(current, dict) else (current or []),
        "legacy": True,
    }
    if "updatedPodCliques" in legacy:
        mapped["updatedPodCliquesCount"] = len(legacy["updatedPodCliques"] or [])
    if "updatedPodCliqueScalingGroups" in legacy:
        mapped["updatedPodCliqueScalingGroupsCount"] = len(
            legacy["updatedPodCliqueScalingGroups"] or []
        )
    return {**status, "updateProgress": mapped}


class LastError(KubeModel):
    """An error the operator recorded on the object (``status.lastErrors``)."""

    code: str = ""
    description: str = ""
    observed_at: datetime | None = None


class _StatusWithProgress(KubeModel):
    update_progress: UpdateProgress | None = None
    conditions: tuple[Condition, ...] = ()
    observed_generation: int | None = None
    last_errors: tuple[LastError, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _legacy_progress(cls, data: Any) -> Any:
        return _normalise_update_progress(data)

    def condition(self, type_: str) -> Condition | None:
        return find_condition(self.conditions, type_)


# --- PodClique -------------------------------------------------------------------------------


class PodCliqueSpec(KubeModel):
    role_name: str | None = None
    replicas: int = 1
    min_available: int | None = None
    starts_after: tuple[str, ...] = ()
    pod_spec: PodSpec = Field(default_factory=PodSpec)


class PodCliqueStatus(_StatusWithProgress):
    replicas: int = 0
    ready_replicas: int = 0
    scheduled_replicas: int = 0
    schedule_gated_replicas: int = 0
    updated_replicas: int = 0
    current_pod_template_hash: str | None = None
    current_pod_clique_set_generation_hash: str | None = None


class PodClique(KubeObject):
    spec: PodCliqueSpec = Field(default_factory=PodCliqueSpec)
    status: PodCliqueStatus = Field(default_factory=PodCliqueStatus)

    @property
    def min_available(self) -> int:
        """``spec.minAvailable``; Grove's webhook defaults it to ``replicas``."""
        return (
            self.spec.min_available if self.spec.min_available is not None else self.spec.replicas
        )


# --- PodCliqueScalingGroup --------------------------------------------------------------------


class PodCliqueScalingGroupSpec(KubeModel):
    replicas: int = 1
    min_available: int | None = None
    clique_names: tuple[str, ...] = ()


class PodCliqueScalingGroupStatus(_StatusWithProgress):
    replicas: int = 0
    scheduled_replicas: int = 0
    available_replicas: int = 0
    updated_replicas: int = 0


class PodCliqueScalingGroup(KubeObject):
    spec: PodCliqueScalingGroupSpec = Field(default_factory=PodCliqueScalingGroupSpec)
    status: PodCliqueScalingGroupStatus = Field(default_factory=PodCliqueScalingGroupStatus)

    @property
    def min_available(self) -> int:
        return self.spec.min_available if self.spec.min_available is not None else 1


# --- PodCliqueSet -----------------------------------------------------------------------------


class CliqueTemplate(KubeModel):
    name: str
    labels: dict[str, str] = Field(default_factory=dict)
    topology_constraint: TopologyConstraint | None = None
    spec: PodCliqueSpec = Field(default_factory=PodCliqueSpec)


class ScalingGroupConfig(KubeModel):
    name: str
    clique_names: tuple[str, ...] = ()
    replicas: int | None = None
    min_available: int | None = None
    topology_constraint: TopologyConstraint | None = None


class PodCliqueSetTemplate(KubeModel):
    cliques: tuple[CliqueTemplate, ...] = ()
    clique_startup_type: str | None = None
    priority_class_name: str | None = None
    topology_constraint: TopologyConstraint | None = None
    termination_delay: str | None = None
    pod_clique_scaling_groups: tuple[ScalingGroupConfig, ...] = Field(
        default=(), alias="podCliqueScalingGroups"
    )


class UpdateStrategy(KubeModel):
    type: str | None = None


class PodCliqueSetSpec(KubeModel):
    replicas: int = 0
    update_strategy: UpdateStrategy | None = None
    template: PodCliqueSetTemplate = Field(default_factory=PodCliqueSetTemplate)


class PodCliqueSetStatus(_StatusWithProgress):
    replicas: int = 0
    available_replicas: int = 0
    updated_replicas: int = 0
    current_generation_hash: str | None = None


class PodCliqueSet(KubeObject):
    spec: PodCliqueSetSpec = Field(default_factory=PodCliqueSetSpec)
    status: PodCliqueSetStatus = Field(default_factory=PodCliqueSetStatus)

    @property
    def termination_delay(self) -> tuple[timedelta, bool]:
        """The configured delay and whether it was set (else Grove's 4h default applies)."""
        configured = parse_duration(self.spec.template.termination_delay)
        if configured is None:
            return DEFAULT_TERMINATION_DELAY, False
        return configured, True


# --- PodGang ----------------------------------------------------------------------------------


class NamespacedName(KubeModel):
    namespace: str | None = None
    name: str = ""


class PodGangPackConstraint(KubeModel):
    required: str | None = None
    preferred: str | None = None


class PodGangTopologyConstraint(KubeModel):
    pack_constraint: PodGangPackConstraint | None = None


class PodGroup(KubeModel):
    name: str
    pod_references: tuple[NamespacedName, ...] = ()
    min_replicas: int = 0
    topology_constraint: PodGangTopologyConstraint | None = None


class PodGangSpec(KubeModel):
    podgroups: tuple[PodGroup, ...] = Field(default=(), alias="podgroups")
    topology_constraint: PodGangTopologyConstraint | None = None
    priority_class_name: str | None = None


class PodGangStatus(KubeModel):
    phase: str | None = None
    conditions: tuple[Condition, ...] = ()
    placement_score: float | None = None
    last_scheduled: datetime | None = None
    last_ready: datetime | None = None

    def condition(self, type_: str) -> Condition | None:
        return find_condition(self.conditions, type_)


class PodGang(KubeObject):
    spec: PodGangSpec = Field(default_factory=PodGangSpec)
    status: PodGangStatus = Field(default_factory=PodGangStatus)


class PodGangEntry(KubeModel):
    """One PodGangMap entry (alpha.12 final): the PodGangs of one epoch and what they wait on."""

    epoch: str = ""
    role: str | None = None  # Anchor | Tail | ScaleOut
    anchor_index: int = 0
    depends_on: tuple[str, ...] = ()


class PodGangMapSpec(KubeModel):
    pod_clique_set_replica_index: int | None = None
    entries: tuple[PodGangEntry, ...] = ()


class PodGangMap(KubeObject):
    """``podgangmaps.grove.io`` (alpha.12 final, #778): one per PCS replica, spec only."""

    spec: PodGangMapSpec = Field(default_factory=PodGangMapSpec)

    def depends_on(self, epoch: str) -> tuple[str, ...] | None:
        """The epochs the entry ``epoch`` waits for; None when no entry has that epoch."""
        entry = next((e for e in self.spec.entries if e.epoch == epoch), None)
        return None if entry is None else entry.depends_on
