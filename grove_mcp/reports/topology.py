"""The ``topology`` report: where pods landed, GPU use per node and domain, how to consolidate."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import DerivedPlacement, Finding, ReportHeader, ReportModel, Summary


class TopologyLevelInfo(ReportModel):
    domain: str = Field(description="Level name, e.g. rack.")
    key: str = Field(description="Node label key holding the level's domain name.")


class TopologyInfo(ReportModel):
    name: str | None = Field(
        description="ClusterTopologyBinding (or legacy ClusterTopology) "
        "name; null when none applies and hosts are used."
    )
    kind: str = Field(description="ClusterTopologyBinding, ClusterTopology (≤ alpha.8), or none.")
    levels: list[TopologyLevelInfo] = Field(description="Levels, broadest first.")


class ConstraintInfo(ReportModel):
    scope: str = Field(
        description="Where the constraint is set: podcliqueset, "
        "scalinggroup/<name> or clique/<name>."
    )
    required: str | None = Field(description="pack.required domain (or legacy packDomain).")
    preferred: str | None = Field(description="pack.preferred domain.")
    topology_name: str | None = Field(description="topologyName, if set.")
    legacy_pack_domain: bool = Field(description="True when read from the deprecated packDomain.")


class GpuUsage(ReportModel):
    allocatable: int | None = Field(
        description="Allocatable nvidia.com/gpu of the node(s); null when a node could not be read."
    )
    this_workload: int = Field(
        description="GPUs requested by this PodCliqueSet's pods "
        "(device plugin, plus DRA devices where ResourceClaims exist)."
    )
    other_workloads: int | None = Field(
        description="GPUs requested by every other pod; null when "
        "cluster-wide pods could not be listed."
    )
    free: int | None = Field(description="allocatable − this − other (≥ 0); null when unknown.")


class PodPlacement(ReportModel):
    name: str = Field(description="Pod name.")
    clique: str = Field(description="Template clique name.")
    gang: str | None = Field(description="Gang of the pod.")
    phase: str | None = Field(description="Pod phase.")
    ready: bool = Field(description="Ready condition.")
    gpus: int = Field(
        description="GPUs requested (which GPU indices a pod got is not exposed by "
        "Kubernetes, so none are shown)."
    )


class NodePlacement(ReportModel):
    name: str = Field(description="Node name.")
    ready: bool | None = Field(
        description="Node Ready condition; null when the node could not be read."
    )
    schedulable: bool | None = Field(
        description="False when cordoned (spec.unschedulable); null when the node could not be "
        "read."
    )
    gpus: GpuUsage = Field(description="GPU accounting of the node.")
    pods: list[PodPlacement] = Field(description="This PodCliqueSet's pods on the node, by name.")


class DomainPlacement(ReportModel):
    level: str = Field(description="Topology level of this domain, e.g. rack.")
    name: str = Field(description="Domain name (the node label value).")
    verdict: Literal["optimal", "fragmented", "unoccupied"] = Field(
        description="fragmented when a gang with pods here spans more domains at this level "
        "than it needs; unoccupied when none of this workload's pods run here (the domain is "
        "shown collapsed, to show where there is room); else optimal."
    )
    gpus: GpuUsage = Field(description="GPU accounting summed over every node of the domain.")
    domains: list[DomainPlacement] = Field(
        description="Child domains at the next level; empty when unoccupied."
    )
    nodes: list[NodePlacement] = Field(
        description="Nodes directly under this domain (at the "
        "narrowest level above hosts): those running this "
        "workload and their neighbours, by name; empty when unoccupied."
    )
    node_names: list[str] = Field(
        default_factory=list,
        description="For an unoccupied (collapsed) domain: the names of all its nodes, sorted; "
        "empty otherwise.",
    )


class GangPlacement(ReportModel):
    name: str = Field(description="Gang name.")
    replica_index: int | None = Field(description="PCS replica index.")
    reported_placement_score: float | None = Field(
        description="PodGang.status.placementScore; null = not reported."
    )
    derived_placement: DerivedPlacement | None = Field(
        description="Score derived from actual placement; null when it cannot be computed: no GPU pod placed, nodes unreadable, or node GPU capacity not reported (e.g. DRA only)."
    )
    verdict: Literal["optimal", "fragmented", "unscored"] = Field(
        description="optimal when the derived score is 1.0; unscored when it is null."
    )
    unscheduled_pods: list[PodPlacement] = Field(
        description="Pods without a node (pending or gated)."
    )


class Move(ReportModel):
    pod: str = Field(description="Pod to move.")
    gpus: int = Field(description="GPUs it requests.")
    from_node: str = Field(description="Where it runs now.")
    from_domain: str = Field(description="Its domain at the consolidation level now.")
    to_node: str = Field(description="A node of the target domain with enough free GPUs.")


class Recommendation(ReportModel):
    gang: str = Field(description="Gang to consolidate.")
    level: str = Field(description="Topology level consolidated, e.g. rack.")
    target_domain: str | None = Field(description="Domain to bring the gang into.")
    feasible: bool = Field(
        description="True when the free GPUs shown in this report fit every "
        "move; false recommendations only explain what is missing."
    )
    moves: list[Move] = Field(description="Pods to move, largest first.")
    score_before: float = Field(description="Derived placement score now.")
    score_after: float | None = Field(description="Derived placement score after the moves.")
    pending_pods_fit: bool | None = Field(
        description="Whether the gang's unscheduled pods also fit in the target domain after "
        "the moves (null when it has none). The target is chosen for the whole gang, placed "
        "and pending: false means no candidate domain can hold everything, which the "
        "explanation says."
    )
    explanation: str = Field(description="Why, and what is missing if not feasible.")
    commands: list[str] = Field(
        description="kubectl commands that carry out the moves (the "
        "scheduler decides the final node)."
    )


class TopologyReport(ReportHeader):
    report: Literal["topology"] = Field(default="topology", description="Report type.")
    name: str = Field(description="PodCliqueSet name.")
    topology: TopologyInfo = Field(description="The topology the placement is judged against.")
    constraints: list[ConstraintInfo] = Field(
        description="Pack constraints of the workload, PodCliqueSet first."
    )
    constraint_enforced: bool | None = Field(
        description="Whether Grove enforces the topology constraint: true when its "
        "TopologyLevelsUnavailable condition is False; false when Grove reports it cannot be "
        "enforced (levels missing from the ClusterTopologyBinding, the binding not found, "
        "topologyName missing, topology-aware scheduling disabled): the scheduler does not "
        "pack by it; null when Grove reports nothing (no constraint, or an older Grove)."
    )
    placement_score: float | None = Field(
        description="Derived score of the PodCliqueSet: the "
        "minimum over its gangs (as Dynamo aggregates)."
    )
    reported_placement_score: float | None = Field(
        description="Minimum reported PodGang placementScore in [0, 1]; null = none reported."
    )
    gangs: list[GangPlacement] = Field(description="Placement per gang.")
    tree: list[DomainPlacement] = Field(
        description="Domains holding this workload's pods, broadest level first, by name, "
        "and beside them, collapsed (verdict unoccupied), their sibling domains without its "
        "pods, so the reader sees where there is room."
    )
    warnings: list[Finding] = Field(description="Placement problems, most severe first.")
    recommendations: list[Recommendation] = Field(
        description="Consolidation advice per fragmented gang."
    )
    summary: Summary = Field(
        description="The verdict: not ok when a warning is worse than info (a fragmented "
        "gang, an unscheduled pod, a pack constraint the placement breaks)."
    )


class TopologyList(ReportHeader):
    report: Literal["topology-list"] = Field(default="topology-list", description="Report type.")
    items: list[TopologyReport] = Field(description="One topology report per PodCliqueSet.")
    summary: Summary = Field(description="The verdict over every PodCliqueSet.")
