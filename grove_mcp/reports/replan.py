"""The ``replan`` report: the traffic a deployment serves, how far it drifted from its plan, how
well AIConfigurator predicts this deployment (calibration), and the configuration to move to.

Every number cites where it came from (``Cited.source``): ``measured`` (the metrics window),
``plan`` (the stored plan or the assumptions given), ``aiconfigurator`` (a prediction), or
``derived`` (arithmetic on the others, said in ``detail``). ``replan`` writes nothing.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_serializer

from ..planfile import Plan
from .common import ReportHeader, ReportModel, Summary
from .drift import TrafficDrift
from .plan_reports import DiffRow

Source = Literal["measured", "plan", "aiconfigurator", "derived", "deployed", "given"]


class Cited(ReportModel):
    """One figure and where it came from."""

    figure: str = Field(description="What it is, e.g. 'ISL mean' or 'TTFT p99'.")
    value: float | None = Field(description="The value; null when it could not be had.")
    unit: str = Field(description="Unit: tokens, req/s, ms, tok/s/GPU, GPUs, ratio.")
    source: Source = Field(
        description="measured (the metrics window), plan (the stored plan or --plan), given "
        "(a flag), deployed (the PodCliqueSet), aiconfigurator (its prediction) or derived "
        "(arithmetic on the others)."
    )
    detail: str = Field(description="The metric, plan field, AIConfigurator call or formula.")


class RoleShape(ReportModel):
    """One role of a configuration, per PodCliqueSet replica."""

    role: Literal["prefill", "decode", "agg"] = Field(description="Serving role.")
    workers: int = Field(description="Workers of the role per replica.")
    tp: int = Field(description="Tensor-parallel size of each worker.")
    pp: int = Field(default=1, description="Pipeline-parallel size of each worker.")
    dp: int = Field(default=1, description="Attention data-parallel size of each worker.")
    moe_tp: int = Field(default=1, description="MoE tensor-parallel size (1 for dense).")
    moe_ep: int = Field(default=1, description="MoE expert-parallel size (1 for dense).")
    gpus_per_worker: int = Field(description="GPUs of one worker.")
    batch_size: int | None = Field(
        description="Batch size: observed concurrency per worker (deployed) or AIConfigurator's "
        "(proposed); null when unknown."
    )


class Shape(ReportModel):
    """A serving configuration: mode, replicas and roles."""

    mode: Literal["agg", "disagg"] = Field(description="Aggregated or disaggregated serving.")
    replicas: int = Field(description="Replicas (PodCliqueSet replicas for the deployed one).")
    roles: list[RoleShape] = Field(description="Roles, prefill/decode or agg.")
    total_gpus: int = Field(description="GPUs of all replicas.")
    text: str = Field(description="In one line, e.g. '2 x (2P tp4 + 2D tp2), 24 GPUs'.")


class CalibrationRow(ReportModel):
    """AIConfigurator's prediction for the deployed configuration against what was measured."""

    metric: Literal["TTFT", "TPOT"] = Field(description="The latency calibrated.")
    statistic: Literal["mean", "p99"] = Field(
        description="Which measured statistic: the mean calibrates the model (it predicts a "
        "typical request); p99 gives the tail factor the proposal's p99 is scaled by."
    )
    predicted_ms: float | None = Field(description="AIConfigurator's estimate, ms.")
    measured_ms: float | None = Field(description="Measured over the window, ms.")
    factor: float | None = Field(description="measured / predicted; null without either.")
    text: str = Field(description="The row in one sentence.")


class ExpectedRow(ReportModel):
    """One figure of the proposal against today."""

    metric: str = Field(description="TTFT p99, TPOT p99, tok/s per GPU, GPUs.")
    today: Cited = Field(description="What the deployment does today.")
    predicted: Cited | None = Field(description="AIConfigurator's raw prediction for the proposal.")
    expected: Cited = Field(description="The prediction scaled by the calibration (the answer).")
    target: float | None = Field(
        description="The target: the SLA's for latencies, the observed rate for the request "
        "rate the proposal can serve."
    )
    at_least: bool = Field(
        default=False, description="True when expected must reach target (else stay under it)."
    )
    meets: bool | None = Field(description="Whether expected meets target; null without one.")


def proposal_file_names(name: str) -> tuple[str, str]:
    """The file names of ``name``'s proposed PodCliqueSet and its plan.json (the CLI writes
    them with --save-dir; the Slack bot uploads them)."""
    return f"{name}.replan.yaml", f"{name}.replan.plan.json"


class Proposal(ReportModel):
    """The configuration to move to, with its manifests."""

    change_needed: bool = Field(
        description="False when the deployed configuration is already the best for the traffic."
    )
    shape: Shape = Field(description="The proposed configuration.")
    chosen_because: str = Field(description="Why this configuration (rank, SLA, throughput).")
    replicas_from: str = Field(description="How the replica count was set.")
    expected: list[ExpectedRow] = Field(description="Expected effect against today's figures.")
    p90_check: str = Field(description="The proposal at the p90 ISL, by AIConfigurator.")
    diff: list[DiffRow] = Field(
        description="The proposal against what is deployed, in plan diff's format: drift rows "
        "are what applying it changes."
    )
    manifest: str = Field(description="The PodCliqueSet YAML, rendered as generate does.")
    plan: Plan = Field(description="The plan file of the proposal, for plan store.")
    file: str | None = Field(description="Where the CLI writes the manifest (--save-dir).")
    plan_file: str | None = Field(description="Where the CLI writes the plan.json (--save-dir).")
    forced: bool = Field(
        description="True when shown despite an unsteady deployment (--force): the "
        "measurements may not describe what the deployment does when steady."
    )

    @field_serializer("plan")
    def _plan_json(self, plan: Plan) -> dict[str, Any]:
        """plan.json's own form (camelCase names, as the schema says), not Python's names."""
        return plan.to_json_dict()


class ReplanTimings(ReportModel):
    total_s: float = Field(description="Wall time of the whole re-plan, window excluded.")
    aiconfigurator_s: float = Field(description="Time in AIConfigurator child processes.")
    overhead_s: float = Field(description="total_s − aiconfigurator_s: grove-mcp's own work.")


class ReplanReport(ReportHeader):
    """Re-plan a PodCliqueSet for the traffic it really serves, calibrated by what it really does."""

    report: Literal["replan"] = Field(default="replan", description="Report type.")
    name: str = Field(description="PodCliqueSet name.")
    summary: Summary = Field(description="The verdict: a change proposed, none needed, or why not.")
    answer: str = Field(description="The answer in a few sentences, for people.")
    steady: bool = Field(
        description="False when gangs are breached, pods pending or a rollout runs: the "
        "measurements do not describe a steady deployment."
    )
    unsteady_reasons: list[str] = Field(description="Why it is not steady, one line each.")
    window_seconds: float | None = Field(description="The metrics window read.")
    assumptions: list[Cited] = Field(
        description="Model, SLA and GPU budget the re-plan keeps, with their source."
    )
    observed: list[Cited] = Field(description="The traffic and latency measured.")
    statistic: str = Field(description="Which ISL/OSL statistic the search used, and why.")
    drift: TrafficDrift | None = Field(description="The traffic against the plan's assumptions.")
    deployed: Shape | None = Field(description="The configuration deployed now.")
    calibration: list[CalibrationRow] = Field(
        description="AIConfigurator for the deployed configuration at the observed traffic, "
        "against the measurements."
    )
    proposal: Proposal | None = Field(description="What to move to; null when nothing is proposed.")
    not_observed: list[str] = Field(
        description="What could not be observed, and how that limits the answer."
    )
    timings: ReplanTimings | None = Field(description="Where the time went.")
