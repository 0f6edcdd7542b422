"""The ``generate`` report: AIConfigurator's best plans per serving mode, rendered as PodCliqueSets.

It carries what the original requirements print — per plan: file, configuration (workers, TP,
GPUs per worker, total GPUs), expected performance, the next commands — plus our own SLA verdict,
because AIConfigurator returns "closest" configurations when the SLA cannot be met.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_serializer

from ..planfile import Plan
from .common import ReportModel, Summary


class RoleSummary(ReportModel):
    role: Literal["prefill", "decode", "agg"] = Field(description="Worker role.")
    clique: str = Field(
        description="PodClique (or scaling group, for multi-node workers) running the role."
    )
    workers_per_replica: int = Field(description="Workers of the role in one PCS replica.")
    workers_total: int = Field(description="Workers of the role across all replicas.")
    parallel: str = Field(
        description="Parallelism of one worker, e.g. tp4 or tp2 dp4 ep8 (pp/dp/ep shown when > 1)."
    )
    tp: int = Field(description="Tensor-parallel size.")
    pp: int = Field(description="Pipeline-parallel size.")
    dp: int = Field(description="Attention data-parallel size.")
    moe_ep: int = Field(description="MoE expert-parallel size (1 for dense models).")
    gpus_per_worker: int = Field(description="GPUs one worker requests (from the plan).")
    nodes_per_worker: int = Field(
        description="Nodes one worker spans (> 1: a scaling group of leader and worker cliques)."
    )
    batch_size: int | None = Field(description="Batch size per worker the figures assume.")


class ConfigurationSummary(ReportModel):
    replicas: int = Field(description="PodCliqueSet replicas: copies of the serving unit (gangs).")
    roles: list[RoleSummary] = Field(description="Worker roles in serving order.")
    gpus_per_replica: int = Field(description="GPUs one replica requests.")
    total_gpus: int = Field(description="GPUs the whole deployment requests (Total GPU Usage).")
    gpus_given: int = Field(description="GPU budget given to AIConfigurator (--total-gpus).")


class PerformanceSummary(ReportModel):
    tokens_per_second_per_gpu: float = Field(
        description="Throughput, output tokens/s per GPU the plan uses (not per GPU of the budget "
        "when the plan leaves some idle)."
    )
    tokens_per_second_per_user: float = Field(description="Output tokens/s seen by one request.")
    ttft_ms: float = Field(description="Modelled time to first token, ms.")
    tpot_ms: float = Field(description="Modelled time per output token, ms.")
    request_latency_ms: float | None = Field(description="Modelled request latency, ms.")
    tokens_per_second: float | None = Field(description="Output tokens/s of the deployment.")


class SlaVerdict(ReportModel):
    met: bool = Field(
        description="True when the modelled TTFT, TPOT (and request latency, when targeted) are "
        "all within the targets. Checked by grove-mcp, not taken from AIConfigurator."
    )
    targets: str = Field(description="The targets, e.g. 'TTFT <= 300 ms, TPOT <= 10 ms'.")
    violations: list[str] = Field(description="Each missed target, in a plain sentence.")


class ModePlanReport(ReportModel):
    mode: Literal["disagg", "agg"] = Field(description="Serving mode.")
    title: str = Field(
        description="'Prefill-Decode Disaggregated Mode' or 'Aggregated Mode' (Plan 1 / Plan 2)."
    )
    name: str = Field(description="PodCliqueSet name, within Grove's 45-character limit.")
    file: str | None = Field(description="Path of the PodCliqueSet YAML written (None: not saved).")
    plan_file: str | None = Field(description="Path of the plan.json written beside it.")
    configuration: ConfigurationSummary = Field(description="Deployment shape.")
    expected: PerformanceSummary = Field(description="Expected performance (AIConfigurator).")
    sla: SlaVerdict = Field(description="Our SLA check of the expected figures.")
    aiconfigurator_rank: int = Field(
        description="Rank AIConfigurator gave the configuration picked (1 = its best); a lower "
        "rank is picked when a better-ranked one misses the SLA."
    )
    candidates: int = Field(description="Configurations AIConfigurator returned for the mode.")
    engine_args_source: Literal["aiconfigurator", "defaults"] = Field(
        description="aiconfigurator: engine flags from its backend artifacts; defaults: derived "
        "from the plan's parallelism because it rendered none."
    )
    image: str = Field(description="Container image of every pod.")
    next_commands: list[str] = Field(
        description="What to run next: kubectl apply, then kubectl grove plan store."
    )
    notes: list[str] = Field(description="Caveats: GPUs left free, names shortened, and so on.")
    plan: Plan = Field(description="The plan (the content of plan.json).")
    manifest: str = Field(description="The PodCliqueSet YAML.")

    @field_serializer("plan")
    def _plan_json(self, plan: Plan) -> dict[str, Any]:
        """plan.json's own form (camelCase names, as the schema says), not Python's names."""
        return plan.to_json_dict()


class GenerateTimings(ReportModel):
    total_s: float = Field(description="Wall time of the whole generate call.")
    aiconfigurator_s: float = Field(
        description="Wall time of the AIConfigurator child process (spawn to result)."
    )
    overhead_s: float = Field(
        description="Time spent outside AIConfigurator's own code (total minus its import, "
        "preflight, search and artifact rendering in the child): process start, interpreter "
        "start-up, our worker glue, interpretation, rendering, writing files."
    )
    aiconfigurator_import_s: float | None = Field(description="Import time inside the child.")
    aiconfigurator_preflight_s: float | None = Field(
        description="AIConfigurator loading its support data and the model config, in the child."
    )
    aiconfigurator_search_s: float | None = Field(description="Search time inside the child.")
    aiconfigurator_artifacts_s: float | None = Field(
        description="Engine-argument rendering (generate_backend_artifacts) inside the child."
    )
    child_peak_rss_mb: float | None = Field(
        description="Peak resident memory of the child, MB (freed when it exits)."
    )


class GenerateReport(ReportModel):
    model: str = Field(description="Hugging Face id or local model directory.")
    system: str = Field(description="AIConfigurator system, e.g. h200_sxm.")
    backend: str = Field(description="Inference engine: sglang, vllm or trtllm.")
    backend_version: str | None = Field(description="Engine version of the performance data.")
    aiconfigurator_version: str = Field(description="AIConfigurator version used.")
    isl: int = Field(description="Input sequence length, tokens.")
    osl: int = Field(description="Output sequence length, tokens.")
    sla_targets: str = Field(description="The SLA asked for, e.g. 'TTFT <= 300 ms, TPOT <= 10 ms'.")
    save_dir: str | None = Field(description="Directory the files were written to (None: none).")
    plans: list[ModePlanReport] = Field(
        description="Plan 1 disaggregated, Plan 2 aggregated; a mode AIConfigurator could not "
        "plan is left out and explained in notes."
    )
    recommended: Literal["disagg", "agg"] | None = Field(
        description="Among plans that meet the SLA, the one with the higher deployment "
        "throughput (output tokens/s for the GPU budget, AIConfigurator's own ranking); None "
        "when no plan meets it."
    )
    aiconfigurator_choice: str | None = Field(
        description="The mode AIConfigurator itself ranked best (before our SLA check)."
    )
    sla_met: bool = Field(description="True when at least one plan meets the SLA.")
    summary: Summary = Field(
        description="The verdict: ok when a plan meets the SLA (warning when none does)."
    )
    verdict: str = Field(description="One or two sentences: which plan to use, or why none fits.")
    timings: GenerateTimings = Field(description="Where the time went.")
    notes: list[str] = Field(description="Caveats that apply to every plan.")
