"""Output pieces shared by several reports. Every field is described: MCP clients read them.

Field-name conventions the MCP response budget relies on to narrow any report generically
(``grove_mcp/core/budget.py``): rows of a gang carry ``gang`` (or are ``gangs[]`` items
with ``name``), rows of a clique carry ``clique``, and placement containers are ``domains``,
``nodes`` and ``pods``. Keep them when adding reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ReportModel(BaseModel):
    """Base of every report model: strict shape, JSON field names as written here."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Severity(StrEnum):
    critical = "critical"
    warning = "warning"
    info = "info"


_RANK = {Severity.info: 0, Severity.warning: 1, Severity.critical: 2}


def worst(severities: Iterable[Severity], floor: Severity = Severity.info) -> Severity:
    """The most severe of ``severities``, at least ``floor``."""
    return max([floor, *severities], key=_RANK.__getitem__)


class Summary(ReportModel):
    """The report's own verdict. Every front end shows this one: the CLI's exit code (1 when
    not ok), the Markdown header, the Slack colour."""

    ok: bool = Field(
        description="True when the report found nothing that needs action; false means "
        "problems (CLI exit code 1)."
    )
    severity: Severity = Field(
        description="The worst problem found: critical (service at risk now), warning "
        "(degraded or heading there), info (nothing to act on; always info when ok)."
    )
    text: str = Field(description="One-line verdict.")


def summarize_items(items: Iterable[Summary], what: str) -> Summary:
    """The verdict over several reports' verdicts, e.g. one per PodCliqueSet."""
    verdicts = list(items)
    bad = sum(1 for v in verdicts if not v.ok)
    return Summary(
        ok=bad == 0,
        severity=worst(v.severity for v in verdicts),
        text=f"{len(verdicts)} {what}, {bad} not OK",
    )


class Finding(ReportModel):
    """A problem found, with the evidence for it and what to do about it."""

    code: str = Field(
        description="Stable identifier of the kind of finding, e.g. "
        "POD_UNSCHEDULABLE, CRASH_LOOP, GANG_SPLIT."
    )
    severity: Severity = Field(
        description="critical: service at risk now; warning: degraded "
        "or heading there; info: worth knowing."
    )
    subject: str = Field(
        description="The object concerned, as kind/name (e.g. pod/my-inference-1-prefill-x2k4d)."
    )
    message: str = Field(description="What is wrong, in one sentence.")
    evidence: list[str] = Field(
        default_factory=list,
        description="Observed facts behind the "
        "finding (conditions, events, counts), quoted from the cluster.",
    )
    remediation: str = Field(description="What to do about it.")
    since: datetime | None = Field(
        default=None,
        description="When the problem started, if known (condition transition or first event).",
    )


class GangState(StrEnum):
    healthy = "Healthy"
    degraded = "Degraded"
    starting = "Starting"
    updating = "Updating"
    unschedulable = "Unschedulable"
    gated = "Gated"
    breached = "Breached"
    terminating = "Terminating"
    unknown = "Unknown"


GANG_STATE_DESCRIPTION = (
    "Derived from the gang's PodCliques (ready/scheduled/gated counts vs minAvailable and the "
    "MinAvailableBreached condition), never from PodGang.status.phase, which Grove leaves at "
    "Pending. Healthy: every pod ready. Degraded: at least minAvailable ready but not all. "
    "Starting: scheduled, not yet minAvailable ready, not breached. Updating: a rolling update "
    "is replacing pods. Unschedulable: fewer than minAvailable pods scheduled. Gated: pods held "
    "by a scheduling gate: Grove's (waiting for the PodGang or its base gang) or another's, "
    "named in the reason (Grove does not lift it). Breached: "
    "MinAvailableBreached=True, Grove's termination countdown runs. Terminating: Grove is "
    "deleting the gang. Unknown: no data."
)


class LevelPlacementReport(ReportModel):
    domain: str = Field(description="Topology level name, e.g. rack.")
    key: str = Field(description="Node label key of the level, e.g. topology.kubernetes.io/rack.")
    weight: int = Field(
        description="Weight of the level in the score: position from the "
        "broadest level (1) to the narrowest (n); narrower weighs more."
    )
    domains_spanned: int = Field(
        description="Distinct domains at this level holding the gang's scheduled GPU pods."
    )
    minimum_domains: int = Field(
        description="Fewest domains at this level (largest first) whose nodes' allocatable "
        "GPUs hold the gang's GPU pods, packed first-fit-decreasing; at most domains_spanned."
    )
    efficiency: float = Field(description="minimum_domains / domains_spanned, 1.0 = tightest.")
    domains: list[str] = Field(description="The domains spanned, sorted.")


PLACEMENT_FORMULA = (
    "Derived by grove-mcp from actual placement (not reported by any scheduler): for each "
    "topology level l (broadest first, weight w = 1..n), e(l) = minimum_domains / "
    "domains_spanned, where minimum_domains is the fewest domains whose allocatable GPUs hold "
    "the gang's scheduled GPU pods (packed first-fit-decreasing into node capacities, capped "
    "at domains_spanned); score = sum(w*e) / sum(w). 1.0 = the fewest domains achievable at "
    "every level. Pods without GPUs (routers) and pending pods do not count."
)


class DerivedPlacement(ReportModel):
    score: float = Field(description=PLACEMENT_FORMULA)
    gpus: int = Field(description="GPUs of the gang's scheduled pods (device plugin and DRA).")
    pods_placed: int = Field(description="Scheduled GPU pods the score is computed over.")
    levels: list[LevelPlacementReport] = Field(description="Per-level breakdown, broadest first.")


class UpdateProgressReport(ReportModel):
    in_progress: bool = Field(description="True while a rolling update runs (started, not ended).")
    started_at: datetime | None = Field(description="updateStartedAt.")
    ended_at: datetime | None = Field(description="updateEndedAt, when finished.")
    updated_cliques: int | None = Field(description="Standalone PodCliques updated so far.")
    total_cliques: int | None = Field(
        description="Standalone PodCliques to update (absent in "
        "Grove ≤ alpha.8's rollingUpdateProgress)."
    )
    updated_scaling_groups: int | None = Field(description="Scaling groups updated so far.")
    total_scaling_groups: int | None = Field(description="Scaling groups to update.")
    replicas_updating: list[int] = Field(description="PCS replica indices being updated now.")
    legacy_field: bool = Field(description="True when read from rollingUpdateProgress (≤ alpha.8).")


class ReportHeader(ReportModel):
    source: str = Field(description="Where the data came from: a cluster context or a bundle.")
    as_of: datetime = Field(
        description="The snapshot's time: the clock for a live cluster, the "
        "capture time for a bundle. Ages and countdowns are relative to it."
    )
    namespace: str = Field(description="Kubernetes namespace.")
    notes: list[str] = Field(
        default_factory=list,
        description="What could not be read and how "
        "that limits the report (e.g. RBAC denied listing nodes).",
    )
