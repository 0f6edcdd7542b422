"""The compare report: the plan against what the deployment actually does ("Plan vs Actual"),
then a diagnosis and numbered recommendations, each from a documented rule citing its numbers."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from .common import ReportHeader, ReportModel, Severity, Summary


class RowVerdict(StrEnum):
    met = "met"
    missed = "missed"
    unknown = "unknown"


class CompareRow(ReportModel):
    """One line of Plan vs Actual."""

    metric: str = Field(description="What is compared, e.g. 'TTFT p99'.")
    planned: str = Field(description="The plan's value or target, with its unit.")
    actual: str = Field(description="What the deployment does or has, with its unit.")
    delta_percent: float | None = Field(description="(actual - planned) / planned x 100.")
    verdict: RowVerdict = Field(description="met ✓, missed ✗, or unknown (no data).")
    note: str = Field(default="", description="What the row rests on.")


class Diagnosis(ReportModel):
    """A cause found by a rule, with the numbers that fired it."""

    code: str = Field(description="The rule, e.g. TTFT_PREFILL_QUEUEING (see the README).")
    severity: Severity = Field(description="critical / warning / info.")
    text: str = Field(description="What is wrong, in one sentence.")
    evidence: list[str] = Field(description="The measured figures and objects that fired the rule.")


class Action(ReportModel):
    """A numbered recommendation."""

    priority: int = Field(description="1 = do first.")
    code: str = Field(description="The diagnosis it answers.")
    action: str = Field(description="What to do.")
    expected_effect: str = Field(description="What it should change, and how that was estimated.")
    commands: list[str] = Field(default_factory=list, description="Commands that carry it out.")


class CompareReport(ReportHeader):
    """Plan vs Actual for one PodCliqueSet."""

    report: Literal["compare"] = Field(default="compare", description="Report type.")
    name: str = Field(description="PodCliqueSet name.")
    plan_source: str = Field(description="Where the plan came from (stored ConfigMap or a file).")
    plan: str = Field(description="The plan in one line: model, system, backend, mode, date.")
    read_via: str = Field(description="How the metrics were read.")
    window_seconds: float = Field(description="The metrics window.")
    summary: Summary = Field(description="Not ok when a row is missed.")
    rows: list[CompareRow] = Field(
        description="Throughput per GPU, TTFT p99 and TPOT p99 against the SLA, placement score "
        "against 1.0, replicas and GPUs deployed against planned."
    )
    diagnosis: list[Diagnosis] = Field(description="Causes found, most severe first.")
    recommendations: list[Action] = Field(description="What to do, by priority.")
