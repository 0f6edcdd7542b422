"""The ``health`` report: per gang, clique thresholds, Grove's termination countdown, issues."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .common import (
    GANG_STATE_DESCRIPTION,
    DerivedPlacement,
    Finding,
    GangState,
    ReportHeader,
    ReportModel,
    Summary,
)


class CliqueHealth(ReportModel):
    name: str = Field(description="PodClique name.")
    clique: str = Field(description="Template clique name, e.g. prefill.")
    ready: int = Field(description="Ready pods.")
    replicas: int = Field(description="Desired pods.")
    scheduled: int = Field(description="Scheduled pods.")
    min_available: int = Field(
        description="Pods the gang needs (PodGang podgroups minReplicas, "
        "else the clique's minAvailable)."
    )
    threshold: Literal["above", "at", "below"] = Field(
        description="Ready pods compared with "
        "min_available: above (spare), at (no "
        "spare: one more loss breaches), below."
    )
    breached: bool | None = Field(
        description="MinAvailableBreached: true / false / null when "
        "unknown (e.g. during a rolling update) or not yet evaluated."
    )
    breach_reason: str | None = Field(
        description="Condition reason, e.g. "
        "ScheduledReplicasBelowMinAvailable, InsufficientReadyPods."
    )
    breach_message: str | None = Field(description="Condition message.")
    breached_since: datetime | None = Field(description="lastTransitionTime of the breach.")


class ConditionReport(ReportModel):
    object: str = Field(description="kind/name carrying the condition.")
    type: str = Field(description="Condition type.")
    status: str = Field(description="True, False or Unknown.")
    reason: str | None = Field(description="Condition reason.")
    message: str | None = Field(description="Condition message.")
    since: datetime | None = Field(description="lastTransitionTime.")


class TerminationCountdown(ReportModel):
    subject: str = Field(description="kind/name whose MinAvailableBreached drives the countdown.")
    action: str = Field(description="What Grove will do when the delay expires.")
    breached_since: datetime = Field(description="When the breach began (lastTransitionTime).")
    termination_delay_seconds: int = Field(description="spec.template.terminationDelay.")
    delay_configured: bool = Field(description="False when Grove's default (4h) applies.")
    deadline: datetime = Field(description="breached_since + terminationDelay.")
    remaining_seconds: int = Field(description="deadline − as_of; ≤ 0 means due now.")
    remaining_fraction: float = Field(
        description="remaining / delay, clamped to [0, 1], for a bar."
    )
    why: str = Field(description="Why this breach arms a termination under Grove's rules.")
    applies_to: str = Field(
        description="The Grove versions this answer holds for: the one detected, a range, or "
        "all versions when both rule sets agree."
    )
    caveat: str = Field(
        description="Limits of the prediction (Grove acts on its next reconcile after the "
        "deadline, and knows only the transitions it observed)."
    )


class BreachVerdict(ReportModel):
    subject: str = Field(
        description="kind/name of a breached child whose termination takes this gang."
    )
    breached_since: datetime = Field(description="MinAvailableBreached lastTransitionTime.")
    deadline: datetime | None = Field(
        description="breached_since + terminationDelay; null when the breach does not count."
    )
    action: str = Field(description="What Grove does if this breach decides.")
    counts: bool | None = Field(
        description="True: it arms a termination; false: Grove leaves it alone (never "
        "scheduled, never healthy, already recycling, or its replica is skipped); null: it "
        "depends on the Grove version (see grove_version)."
    )
    reason: str = Field(description="Why it counts or not, per Grove's rules.")
    recycling: bool = Field(
        description="True when Grove already fired a termination for it "
        "(GangTerminationInProgress=True) and is recreating the replica."
    )


class TerminationAlternative(ReportModel):
    applies_to: str = Field(description="The Grove versions this other answer holds for.")
    termination: TerminationCountdown | None = Field(
        description="The countdown under those versions' rules; null: no termination."
    )
    text: str = Field(description="The other answer in one line.")


class GroveVersionReport(ReportModel):
    version: str | None = Field(description="The operator's release tag, when its image tells.")
    rules: Literal["durable", "gated", "ungated"] | None = Field(
        description="The gang-termination rules that apply: durable (an operator that writes "
        "HealthyStateObserved, Grove PR #790: a child counts only if that condition is True), "
        "gated (v0.1.0-alpha.12-rc1 and later: a PodClique counts only if it was ever "
        "scheduled, a scaling group only if it was ever healthy, by a 5 s test against the "
        "creation time), ungated (up to alpha.11: every breach counts), or null when unknown "
        "(then both the gated and the ungated answers are shown)."
    )
    evidence: str = Field(description="What the version or rule set was read from.")
    hint: str | None = Field(description="How to let grove-mcp know the version, when unknown.")


class GangHealth(ReportModel):
    name: str = Field(description="PodGang name.")
    replica_index: int | None = Field(description="PCS replica index.")
    base_gang: str | None = Field(description="For a scaled gang: its base gang.")
    state: GangState = Field(description=GANG_STATE_DESCRIPTION)
    reason: str = Field(description="Why, in a few words.")
    healthy: bool = Field(description="True when state is Healthy.")
    phase: str | None = Field(
        description="PodGang.status.phase as reported (often Pending "
        "regardless of reality; may be absent)."
    )
    reported_placement_score: float | None = Field(
        description="PodGang.status.placementScore; null = not reported."
    )
    derived_placement: DerivedPlacement | None = Field(
        description="Placement score derived by grove-mcp from actual placement; null when it cannot be computed: no GPU pod placed, nodes unreadable, or node GPU capacity not reported (e.g. DRA only)."
    )
    cliques: list[CliqueHealth] = Field(description="The gang's cliques against their thresholds.")
    conditions: list[ConditionReport] = Field(
        description="PodGang and scaling-group conditions as reported."
    )
    termination: TerminationCountdown | None = Field(
        description="The Grove termination that will take this gang's pods: the earliest "
        "deadline among the breaches that count under Grove's rules. When the version is "
        "unknown and the rule sets disagree, the answer that terminates (see applies_to and "
        "termination_alternative)."
    )
    termination_alternative: TerminationAlternative | None = Field(
        description="The other rule set's answer, when the Grove version is unknown and the "
        "two rule sets disagree."
    )
    breaches: list[BreachVerdict] = Field(
        description="Every running breach whose termination would take this gang's pods, "
        "judged by Grove's rules, earliest first."
    )
    issues: list[Finding] = Field(
        description="Problems found in the gang's pods and cliques, most severe first."
    )


class HealthSummary(Summary):
    gangs_healthy: int = Field(description="Gangs in state Healthy.")
    gangs_total: int = Field(description="Gangs.")
    gangs_at_risk: int = Field(
        description="Gangs with a termination countdown that Grove acts on (under at least "
        "one rule set when the version is unknown)."
    )
    next_termination_seconds: int | None = Field(
        description="Remaining seconds of the earliest countdown, if any."
    )


class HealthReport(ReportHeader):
    report: Literal["health"] = Field(default="health", description="Report type.")
    name: str = Field(description="PodCliqueSet name.")
    termination_delay_seconds: int = Field(description="The PCS's terminationDelay.")
    grove_version: GroveVersionReport = Field(
        description="The Grove operator version, as far as it can be read, and so which "
        "gang-termination rules the countdowns follow."
    )
    issues: list[Finding] = Field(
        description="Problems of the PodCliqueSet itself: errors the operator recorded "
        "(status.lastErrors), replicas without any PodClique."
    )
    gangs: list[GangHealth] = Field(description="One entry per gang, by replica, base gang first.")
    summary: HealthSummary = Field(description="Totals and the one-line summary.")


class HealthList(ReportHeader):
    report: Literal["health-list"] = Field(default="health-list", description="Report type.")
    items: list[HealthReport] = Field(description="One health report per PodCliqueSet, by name.")
    summary: HealthSummary = Field(description="Totals across all PodCliqueSets.")
