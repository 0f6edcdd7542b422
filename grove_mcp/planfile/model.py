"""The AIConfigurator plan (``plan.json``): what was planned for a model, and what it should deliver.

Written by ``generate`` beside each PodCliqueSet YAML, carried in the PCS annotation
``grove-mcp.io/aic-plan``, stored by ``plan store`` and compared with live metrics by ``compare``.
JSON names are camelCase (``formatVersion``, ``ttftMs`` …); Python names are snake_case.
Unknown fields are refused: a typo such as ``tpotMS`` is an error, not a silently missing value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

PLAN_FORMAT: Literal["grove-mcp-plan"] = "grove-mcp-plan"
PLAN_FORMAT_VERSION: Literal[1] = 1

PLAN_ANNOTATION = "grove-mcp.io/aic-plan"  # a generated PodCliqueSet carries its plan here
ROLE_LABEL = "grove-mcp.io/role"  # generated cliques say which plan role they serve
DEFAULT_GPUS_PER_NODE = 8

ServingMode = Literal["agg", "disagg"]
Role = Literal["prefill", "decode", "agg"]


class PlanModel(BaseModel):
    """Base of the plan's parts: camelCase in JSON, strict shape, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class RoleConfig(PlanModel):
    workers: int = Field(
        ge=1,
        description="Workers of this role in ONE replica (AIConfigurator's (p)workers / "
        "(d)workers; 1 for aggregated). Cluster total = workers x config.replicas.",
    )
    tp: int = Field(ge=1, description="Tensor-parallel size of each worker.")
    pp: int = Field(default=1, ge=1, description="Pipeline-parallel size of each worker.")
    dp: int = Field(
        default=1, ge=1, description="Data-parallel (attention DP) size inside each worker."
    )
    moe_tp: int = Field(default=1, ge=1, description="MoE tensor-parallel size (1 for dense).")
    moe_ep: int = Field(default=1, ge=1, description="MoE expert-parallel size (1 for dense).")
    gpus_per_worker: int = Field(
        ge=1,
        description="GPUs one worker uses: tp x pp x dp (x cp) as AIConfigurator counts them "
        "(= moe_tp x moe_ep x pp for MoE). Taken from the search result, never from "
        "AIConfigurator's Dynamo manifest (which inflates it for SGLang MoE).",
    )
    batch_size: int | None = Field(
        default=None, ge=1, description="Batch size per worker the performance was modelled at."
    )


class PlanConfig(PlanModel):
    replicas: int = Field(
        ge=1,
        description="Copies of the serving unit (one xPyD unit for disagg, one worker for agg); "
        "each becomes one PodCliqueSet replica (one gang).",
    )
    prefill: RoleConfig | None = Field(default=None, description="Prefill workers (disagg).")
    decode: RoleConfig | None = Field(default=None, description="Decode workers (disagg).")
    agg: RoleConfig | None = Field(default=None, description="Aggregated workers (agg).")
    total_gpus: int = Field(
        ge=1,
        description="GPUs the plan uses: replicas x sum(workers x gpusPerWorker). May be less "
        "than inputs.totalGpus when AIConfigurator leaves GPUs unused.",
    )
    gpus_per_node: int | None = Field(
        default=None,
        ge=1,
        description="GPUs per node of the planned system (AIConfigurator's system spec); "
        "workers needing more span several nodes.",
    )

    def roles(self) -> dict[str, RoleConfig]:
        """The roles present, in serving order (prefill, decode, agg)."""
        pairs = (("prefill", self.prefill), ("decode", self.decode), ("agg", self.agg))
        return {name: role for name, role in pairs if role is not None}

    def gpus_per_replica(self) -> int:
        return sum(r.workers * r.gpus_per_worker for r in self.roles().values())


class PlanInputs(PlanModel):
    total_gpus: int = Field(ge=1, description="GPU budget given to AIConfigurator (--total-gpus).")
    isl: int = Field(ge=1, description="Input sequence length, tokens.")
    osl: int = Field(ge=1, description="Output sequence length, tokens.")
    ttft_ms: float = Field(gt=0, description="TTFT target given, ms.")
    tpot_ms: float | None = Field(default=None, gt=0, description="TPOT target given, ms.")
    request_latency_ms: float | None = Field(
        default=None, gt=0, description="End-to-end request latency target given, ms."
    )
    top_n: int | None = Field(
        default=None, ge=1, description="Configurations asked of AIConfigurator per mode."
    )
    database_mode: str | None = Field(
        default=None, description="AIConfigurator performance database mode, e.g. SILICON."
    )


class PlanSla(PlanModel):
    ttft_ms: float = Field(gt=0, description="Time-to-first-token target, ms.")
    tpot_ms: float | None = Field(
        default=None, gt=0, description="Time-per-output-token target, ms."
    )
    request_latency_ms: float | None = Field(
        default=None, gt=0, description="End-to-end request latency target, ms."
    )


class ExpectedPerformance(PlanModel):
    tokens_per_second_per_gpu: float = Field(
        ge=0, description="Output tokens/s per GPU used, as modelled by AIConfigurator."
    )
    tokens_per_second_per_user: float = Field(
        ge=0, description="Output tokens/s seen by one request (1000 / TPOT)."
    )
    ttft_ms: float = Field(ge=0, description="Modelled time to first token, ms.")
    tpot_ms: float = Field(ge=0, description="Modelled time per output token, ms.")
    request_latency_ms: float | None = Field(
        default=None, ge=0, description="Modelled end-to-end request latency, ms."
    )
    tokens_per_second: float | None = Field(
        default=None, ge=0, description="Output tokens/s of the whole deployment (all replicas)."
    )
    requests_per_second: float | None = Field(
        default=None, ge=0, description="Requests/s of the whole deployment."
    )
    concurrency: float | None = Field(
        default=None, ge=0, description="Concurrent requests the figures assume (all replicas)."
    )


class Plan(PlanModel):
    format: Literal["grove-mcp-plan"] = Field(
        default=PLAN_FORMAT, description="Marker of a grove-mcp plan file."
    )
    format_version: Literal[1] = Field(
        default=PLAN_FORMAT_VERSION, description="Version of this file format."
    )
    name: str | None = Field(
        default=None, description="Name of the PodCliqueSet rendered from this plan."
    )
    model: str = Field(min_length=1, description="Hugging Face id or local model directory.")
    system: str = Field(min_length=1, description="AIConfigurator system, e.g. h200_sxm.")
    backend: Literal["sglang", "vllm", "trtllm"] = Field(description="Inference engine.")
    backend_version: str | None = Field(
        default=None, description="Engine version of the performance data simulated against."
    )
    serving_mode: ServingMode = Field(
        description="disagg: prefill/decode disaggregated; agg: aggregated workers."
    )
    aiconfigurator_version: str = Field(description="AIConfigurator version that planned it.")
    created_at: datetime = Field(description="When the plan was made (UTC).")
    inputs: PlanInputs = Field(description="What AIConfigurator was asked.")
    sla: PlanSla = Field(description="The service-level targets the plan is judged against.")
    config: PlanConfig = Field(description="The deployment shape.")
    expected: ExpectedPerformance = Field(description="What the plan should deliver.")

    @model_validator(mode="after")
    def _roles_match_mode(self) -> Plan:
        roles = set(self.config.roles())
        wanted = {"prefill", "decode"} if self.serving_mode == "disagg" else {"agg"}
        if roles != wanted:
            raise ValueError(
                f"servingMode {self.serving_mode} needs config roles {sorted(wanted)}, "
                f"found {sorted(roles) or 'none'}"
            )
        return self

    def to_json_dict(self) -> dict:
        """The JSON form (camelCase, no nulls for absent optional figures)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def nodes_per_worker(gpus_per_worker: int, gpus_per_node: int) -> int:
    """Fewest nodes that split a worker's GPUs evenly with no node over capacity: the worker's
    GPUs over their largest divisor that fits on one node, found in at most ``gpus_per_node``
    steps (counting nodes up from the worker's GPUs / node never ended for a plan saying
    gpusPerWorker 10**30)."""
    top = min(gpus_per_node, gpus_per_worker)
    per_node = next((n for n in range(top, 0, -1) if gpus_per_worker % n == 0), 1)
    return max(gpus_per_worker // per_node, 1)
