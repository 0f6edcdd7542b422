"""The ``status`` report: overview, one row per PodClique, one row per gang, summary."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .common import (
    GANG_STATE_DESCRIPTION,
    DerivedPlacement,
    GangState,
    ReportHeader,
    ReportModel,
    Summary,
    UpdateProgressReport,
)


class Overview(ReportModel):
    name: str = Field(description="PodCliqueSet name.")
    created_at: datetime | None = Field(description="creationTimestamp.")
    age_seconds: int | None = Field(description="Seconds from creation to the snapshot's time.")
    replicas: int = Field(
        description="Desired PCS replicas (spec.replicas); each is one "
        "complete copy of the serving graph and one base gang."
    )
    available_replicas: int = Field(
        description="status.availableReplicas: replicas whose every "
        "clique and scaling group is at or above minAvailable."
    )
    updated_replicas: int = Field(
        description="status.updatedReplicas: replicas fully on the current spec."
    )
    update: UpdateProgressReport | None = Field(
        description="Rolling update progress (updateProgress, or legacy rollingUpdateProgress)."
    )
    topology_constraint: str | None = Field(
        description="The PCS-level pack constraint, e.g. 'required=rack, preferred=host', or null."
    )
    termination_delay_seconds: int = Field(
        description="How long a breach may last before Grove deletes and recreates the replica."
    )
    topology_enforced: bool | None = Field(
        description="Whether Grove enforces the topology constraint: true when its "
        "TopologyLevelsUnavailable condition is False; false when Grove reports it cannot be "
        "enforced (levels missing from the ClusterTopologyBinding, the binding not found, "
        "topologyName missing, topology-aware scheduling disabled): the scheduler does not "
        "pack by it; null when Grove reports nothing (no constraint, or an older Grove)."
    )
    topology_not_enforced_why: str | None = Field(
        description="Why the constraint is not enforced (null unless topology_enforced is false)."
    )


class CliqueRow(ReportModel):
    name: str = Field(description="PodClique name (fully qualified).")
    clique: str = Field(description="Template clique name, e.g. prefill.")
    role: str | None = Field(description="spec.roleName.")
    replica_index: int | None = Field(description="PCS replica index.")
    scaling_group: str | None = Field(description="Owning PodCliqueScalingGroup, if any.")
    gang: str | None = Field(description="PodGang the clique belongs to.")
    replicas: int = Field(
        description="Desired pods (live PodClique spec.replicas; HPA may change it)."
    )
    ready: int = Field(description="status.readyReplicas.")
    min_available: int = Field(
        description="spec.minAvailable: gang-scheduled minimum and the "
        "floor below which the clique counts as breached."
    )
    scheduled: int = Field(description="status.scheduledReplicas.")
    gated: int = Field(
        description="status.scheduleGatedReplicas: pods held by Grove's scheduling gate."
    )
    updated: int = Field(description="status.updatedReplicas: pods on the current template.")
    ready_percent: int = Field(description="ready / replicas, in percent (0 when replicas is 0).")
    breached: bool | None = Field(
        description="MinAvailableBreached condition: true, false, or "
        "null when unknown / not yet evaluated."
    )
    breach_reason: str | None = Field(description="Reason of the MinAvailableBreached condition.")


class GangRow(ReportModel):
    name: str = Field(description="PodGang name (read from the cluster, never predicted).")
    replica_index: int | None = Field(description="PCS replica index of the gang's cliques.")
    base_gang: str | None = Field(description="For a scaled gang: the base gang it waits for.")
    state: GangState = Field(description=GANG_STATE_DESCRIPTION)
    reason: str = Field(description="Why the gang is in this state, in a few words.")
    phase: str | None = Field(
        description="PodGang.status.phase as reported (Grove leaves it Pending; may be absent)."
    )
    reported_placement_score: float | None = Field(
        description="PodGang.status.placementScore as "
        "reported by the scheduler; null = not "
        "reported (no scheduler writes it today)."
    )
    derived_placement: DerivedPlacement | None = Field(
        description="Placement score derived by grove-mcp from where the GPU pods are; null "
        "when it cannot be computed: no GPU pod placed, nodes unreadable, or node GPU capacity "
        "not reported (e.g. DRA only)."
    )
    pods_ready: int = Field(description="Ready pods in the gang.")
    pods_total: int = Field(description="Pods in the gang.")


class StatusSummary(Summary):
    cliques: int = Field(description="Number of PodCliques.")
    pods_ready: int = Field(description="Ready pods across all cliques.")
    pods_desired: int = Field(description="Desired pods across all cliques.")
    gangs_healthy: int = Field(description="Gangs in state Healthy.")
    gangs_total: int = Field(description="Gangs.")


class StatusReport(ReportHeader):
    report: Literal["status"] = Field(default="status", description="Report type.")
    overview: Overview = Field(description="The PodCliqueSet itself.")
    cliques: list[CliqueRow] = Field(description="One row per PodClique, by replica then name.")
    gangs: list[GangRow] = Field(description="One row per gang, by replica, base gang first.")
    summary: StatusSummary = Field(description="Totals and the one-line summary.")


class StatusList(ReportHeader):
    report: Literal["status-list"] = Field(default="status-list", description="Report type.")
    items: list[StatusReport] = Field(description="One status report per PodCliqueSet, by name.")
    summary: Summary = Field(description="The verdict over every PodCliqueSet.")
