"""The ``plan`` reports: a stored plan (show), its history, the plan against the deployment (diff),
and what ``plan store`` did (store).

A stored plan lives in ConfigMap ``<pcs>-aic-plan`` (label ``grove.io/aic-plan=<pcs>``, key
``plan.json``, the last 10 stored plans in ``history.json``). ``Plan`` itself is the model of
``plan.json`` (``planfile/model.py``); these reports wrap it with where and when it was stored.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, field_serializer

from ..planfile import Plan
from .common import ReportHeader, ReportModel, Summary

HISTORY_LIMIT = 10


class RenderedDeployment(ReportModel):
    """What ``generate`` rendered around the plan; recorded only when the plan was stored from
    the generated PodCliqueSet YAML (a plan.json alone carries neither)."""

    image: str | None = Field(
        description="The container image of the rendered workers, or null when they differ."
    )
    topology_name: str | None = Field(
        description="topologyConstraint.topologyName of the rendered PodCliqueSet, if any."
    )
    pack_required: str | None = Field(
        description="topologyConstraint.pack.required of the rendered PodCliqueSet, if any."
    )
    pack_preferred: str | None = Field(
        description="topologyConstraint.pack.preferred of the rendered PodCliqueSet, if any."
    )


class PlanRole(ReportModel):
    role: Literal["prefill", "decode", "agg"] = Field(description="Serving role of the plan.")
    workers: int = Field(description="Workers of this role per PodCliqueSet replica.")
    tp: int = Field(description="Tensor-parallel size of each worker.")
    pp: int = Field(description="Pipeline-parallel size of each worker.")
    dp: int = Field(description="Attention data-parallel size inside each worker.")
    gpus_per_worker: int = Field(description="GPUs one worker uses.")
    parallel: str = Field(description="Parallelism in short, e.g. 'tp4' or 'tp2 pp2'.")


class StoredPlanSummary(ReportModel):
    """One stored plan, in short: when and from what it was stored, and what it plans."""

    revision: int = Field(
        description="1 = the current plan, 2 = the one stored before it, and so on."
    )
    current: bool = Field(description="True for the plan in key plan.json (the one diff uses).")
    stored_at: datetime | None = Field(
        description="When 'plan store' stored it (UTC); null when not recorded (the ConfigMap "
        "was written by something else, e.g. by hand or by the demo)."
    )
    digest: str = Field(
        description="sha256 of the stored content (the plan, plus the rendered image and "
        "topology constraint when stored from a generated YAML); storing the same content "
        "again changes nothing."
    )
    origin: str | None = Field(
        description="What it was stored from: a file name, 'tool argument', or null if unknown."
    )
    model: str = Field(description="Model planned for.")
    system: str = Field(description="AIConfigurator system, e.g. h200_sxm.")
    backend: str = Field(description="Inference engine: sglang, vllm or trtllm.")
    backend_version: str | None = Field(description="Engine version the plan was modelled for.")
    serving_mode: str = Field(description="disagg (prefill/decode) or agg.")
    replicas: int = Field(description="PodCliqueSet replicas planned.")
    roles: list[PlanRole] = Field(description="Workers per role, in serving order.")
    total_gpus: int = Field(description="GPUs the plan uses in total.")
    throughput_per_gpu: float = Field(description="Expected output tokens/s per GPU.")
    ttft_ms: float = Field(description="Expected time to first token, ms.")
    tpot_ms: float = Field(description="Expected time per output token, ms.")
    sla_ttft_ms: float = Field(description="SLA target for TTFT, ms.")
    sla_tpot_ms: float | None = Field(description="SLA target for TPOT, ms, if any.")
    rendered: RenderedDeployment | None = Field(
        description="Image and topology constraint of the generated YAML it was stored from; "
        "null when stored from a plan.json."
    )
    changes: list[str] = Field(
        description="What differs from the next-older stored plan, e.g. "
        "'config.prefill.workers: 2 → 4' (empty for the oldest)."
    )


class PlanShowReport(ReportHeader):
    report: Literal["plan-show"] = Field(default="plan-show", description="Report type.")
    name: str = Field(description="PodCliqueSet name.")
    config_map: str = Field(description="The ConfigMap holding the plan.")
    label: str = Field(
        description="The label that marks it: grove.io/aic-plan (written by plan store) or "
        "grove-mcp.io/aic-plan (also read)."
    )
    config_map_created_at: datetime | None = Field(
        description="creationTimestamp of the ConfigMap: when the first plan was stored there "
        "(shown when the current plan's stored_at is not recorded)."
    )
    stored: StoredPlanSummary = Field(description="The current plan, in short.")
    history_entries: int = Field(description="Stored plans kept in the history, this one included.")
    plan: Plan = Field(description="The current plan in full (the content of plan.json).")
    summary: Summary = Field(description="The verdict: which plan is current, since when.")

    @field_serializer("plan")
    def _plan_json(self, plan: Plan) -> dict[str, Any]:
        """plan.json's own form (camelCase names, as the schema says), not Python's names."""
        return plan.to_json_dict()


class PlanHistoryReport(ReportHeader):
    report: Literal["plan-history"] = Field(default="plan-history", description="Report type.")
    name: str = Field(description="PodCliqueSet name.")
    config_map: str = Field(description="The ConfigMap holding the plans.")
    limit: int = Field(description=f"Stored plans kept (the last {HISTORY_LIMIT}).")
    entries: list[StoredPlanSummary] = Field(description="Stored plans, newest (current) first.")
    summary: Summary = Field(description="The verdict: how many plans, the current one.")


class Verdict(StrEnum):
    match = "match"
    drift = "drift"
    cannot_tell = "cannot_tell"


VERDICT_DESCRIPTION = (
    "match: the deployment has what the plan says; drift: it differs (the plan's expected "
    "performance no longer applies); cannot_tell: the data to decide is missing (reason says "
    "which)."
)


class DiffRow(ReportModel):
    parameter: str = Field(
        description="Stable key: replicas, <role>.workers, <role>.tp, <role>.gpus_per_worker, "
        "total_gpus, backend, image, topology_constraint."
    )
    label: str = Field(description="Human-readable name, e.g. 'Prefill Workers'.")
    role: str | None = Field(description="The plan role the row is about (prefill/decode/agg).")
    planned: str = Field(description="What the plan says ('not recorded' if it says nothing).")
    deployed: str = Field(
        description="What the deployment has ('?' if unknown; several values separated by "
        "', ' with the replica or clique they come from)."
    )
    verdict: Verdict = Field(description=VERDICT_DESCRIPTION)
    reason: str = Field(
        description="Where the deployed value comes from (e.g. '--tp in the engine arguments', "
        "'derived from GPU requests'), and for drift or cannot_tell why."
    )
    evidence: list[str] = Field(
        description="The objects and fields read, e.g. 'my-inference-1-prefill: spec.replicas 2'."
    )


class RoleMatch(ReportModel):
    role: str = Field(description="Plan role: prefill, decode or agg.")
    cliques: list[str] = Field(
        description="Template cliques serving it (for a multi-node worker: its leader and "
        "worker cliques); empty when no clique serves the role."
    )
    scaling_group: str | None = Field(
        description="The scaling group whose replicas are the workers (multi-node workers)."
    )
    matched_by: str = Field(
        description="How the cliques were recognised: the grove-mcp.io/role label, the scaling "
        "group, clique or roleName (prefill/decode/worker/agg in it), or why none was found."
    )


class DiffSummary(Summary):
    """Not ok when a row drifts (cannot_tell rows do not count)."""

    matches: int = Field(description="Rows that match.")
    drifts: int = Field(description="Rows that drift.")
    cannot_tell: int = Field(description="Rows that cannot be decided.")


class PlanDiffReport(ReportHeader):
    report: Literal["plan-diff"] = Field(default="plan-diff", description="Report type.")
    name: str = Field(description="PodCliqueSet name.")
    config_map: str = Field(description="The ConfigMap holding the plan compared.")
    plan_stored_at: datetime | None = Field(
        description="When the compared plan was stored (null: not recorded)."
    )
    plan_digest: str = Field(description="Digest of the compared plan (see plan history).")
    rows: list[DiffRow] = Field(
        description="One row per parameter: replicas, per role workers/TP/GPUs per worker, "
        "total GPUs, backend, image, topology constraint."
    )
    roles: list[RoleMatch] = Field(description="Which deployed cliques serve each plan role.")
    summary: DiffSummary = Field(description="Counts and the one-line verdict.")


class PlanStoreReport(ReportHeader):
    report: Literal["plan-store"] = Field(default="plan-store", description="Report type.")
    name: str = Field(description="PodCliqueSet name.")
    config_map: str = Field(description="The ConfigMap written (or left unchanged).")
    action: Literal["created", "updated", "unchanged"] = Field(
        description="created: a new ConfigMap; updated: a new plan added to it; unchanged: "
        "the same plan (same digest) was already the current one, nothing was written."
    )
    stored: StoredPlanSummary = Field(description="The plan now current.")
    history_entries: int = Field(
        description=f"Stored plans kept (at most {HISTORY_LIMIT}, this one included)."
    )
    bytes_used: int = Field(description="Size of the ConfigMap's data (the limit is 1 MiB).")
    summary: Summary = Field(description="The verdict: what was written.")
