"""The diagnose report: every check the core knows, as findings ranked by what they do to the
user's question — what blocks serving first, then what breaks the SLA, then efficiency — with a
one-paragraph answer naming the most likely cause."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from .common import ReportHeader, ReportModel, Severity, Summary


class Impact(StrEnum):
    blocks_serving = "blocks_serving"  # pods not serving, gangs about to be terminated
    breaks_sla = "breaks_sla"  # latency over the SLA and its causes
    efficiency = "efficiency"  # GPUs or placement below what the plan assumed
    blind_spot = "blind_spot"  # what could not be checked, and how to fix that


IMPACT_ORDER = (Impact.blocks_serving, Impact.breaks_sla, Impact.efficiency, Impact.blind_spot)


class DiagnosisFinding(ReportModel):
    """One cause, with its evidence and what to do."""

    rank: int = Field(description="1 = the most likely cause of the user's trouble.")
    code: str = Field(
        description="Stable code of the kind of finding (the same code as in the report it "
        "comes from: health, topology, metrics, compare)."
    )
    severity: Severity = Field(description="critical / warning / info.")
    impact: Impact = Field(
        description="blocks_serving, breaks_sla, efficiency or blind_spot: the ranking's first key."
    )
    title: str = Field(description="What is wrong, in one line.")
    subject: str = Field(description="The object concerned, as kind/name.")
    evidence: list[str] = Field(description="Numbers and object references that show it.")
    explanation: str = Field(description="Why it matters for serving.")
    remediation: str = Field(description="What to do.")
    commands: list[str] = Field(default_factory=list, description="Commands (shown, never run).")
    expected_effect: str | None = Field(
        default=None, description="What fixing it should change, where it can be estimated."
    )
    analyzer: str = Field(description="The analyzer that found it (see `checked`).")
    urgent: bool = Field(
        default=False,
        description="Grove acts on it soon (a termination due within the hour or in the last "
        "quarter of its delay): ranked before everything else.",
    )


class DiagnoseReport(ReportHeader):
    """Why a PodCliqueSet is slow or unhealthy, ranked."""

    report: Literal["diagnose"] = Field(default="diagnose", description="Report type.")
    name: str = Field(description="PodCliqueSet name.")
    answer: str = Field(description="One paragraph: the most likely cause and what to do first.")
    summary: Summary = Field(description="Not ok when a warning or critical finding exists.")
    metrics: str = Field(
        description="How the metrics were read (window and path), or why they were not."
    )
    findings: list[DiagnosisFinding] = Field(description="Ranked, most likely cause first.")
    checked: list[str] = Field(description="The analyzers that ran.")
    not_checked: list[str] = Field(
        description="What could not be checked and why (no metrics, no plan, unreadable kinds)."
    )
