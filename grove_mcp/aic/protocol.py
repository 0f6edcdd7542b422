"""What the AIConfigurator child process sends back: JSON lines on a private pipe.

One line per message: ``{"type": "progress", ...}`` any number of times, then exactly one
``{"type": "result", "run": {...}}`` or ``{"type": "error", ...}``. The shapes below are the
contract between ``worker`` (child) and ``runner`` (parent); both import only pydantic.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..redact import redact_text
from .request import EstimateRequest, PlanRequest

Scalar = float | int | str | bool | None
Row = dict[str, Scalar]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AicProgress(_Model):
    """One step of a running plan search, for progress bars and MCP progress notifications."""

    phase: str = Field(
        description="starting, loading_model, searching_agg, searching_disagg, "
        "generating_engine_args, rendering, done; estimating (estimate runs)."
    )
    message: str = Field(description="What is happening, for people (redacted).")
    elapsed_s: float = Field(description="Seconds since the run started.")
    fraction: float = Field(
        ge=0, le=1, description="Rough share of the work done (phase-based estimate)."
    )

    @field_validator("message")
    @classmethod
    def _redacted(cls, message: str) -> str:
        """Progress reaches people before any report does: no credential in it."""
        return redact_text(message)


class ModeResult(_Model):
    """AIConfigurator's answer for one serving mode (agg or disagg)."""

    mode: Literal["agg", "disagg"] = Field(description="Serving mode.")
    rows: list[Row] = Field(
        description="best_configs rows in AIConfigurator's rank order (CSV columns; one row is "
        "one replica). May miss the SLA: AIConfigurator returns the closest when none meets it."
    )
    selected: int | None = Field(
        description="Index in rows of the configuration grove-mcp picked "
        "(interpret.select_row), None when rows is empty."
    )
    artifacts: dict[str, str] = Field(
        default_factory=dict,
        description="Engine-argument artifacts of the selected row from "
        "generate_backend_artifacts: cli_args_<role>, extra_engine_args_<role>.yaml, image.",
    )
    artifact_error: str | None = Field(
        default=None, description="Why engine arguments could not be generated, if so."
    )
    error: str | None = Field(default=None, description="Why this mode produced no result.")


class AicTimings(_Model):
    startup_s: float | None = Field(
        default=None,
        description="Child start-up before AIConfigurator: interpreter, our worker module, "
        "reading the request (measured from the worker's process start).",
    )
    import_s: float = Field(description="Importing aiconfigurator in the child.")
    preflight_s: float | None = Field(
        default=None,
        description="AIConfigurator's support data and model config (checked before the search).",
    )
    search_s: float = Field(description="cli_default (model load, database load, sweeps).")
    artifacts_s: float = Field(description="generate_backend_artifacts for the selected rows.")
    peak_rss_mb: float = Field(description="Peak resident memory of the child process, MB.")


class AicRun(_Model):
    """Everything a run produced, as plain JSON: the input of ``interpret``."""

    request: PlanRequest = Field(description="What was asked.")
    aiconfigurator_version: str = Field(description="Installed aiconfigurator version.")
    chosen_mode: str | None = Field(
        description="The mode AIConfigurator ranked best (its own choice, before our SLA check)."
    )
    backend_version: str | None = Field(
        description="Engine version of the performance database used."
    )
    generated_config_version: str | None = Field(
        description="Engine version the engine-argument templates were rendered for."
    )
    gpus_per_node: int | None = Field(description="GPUs per node of the system spec.")
    modes: dict[str, ModeResult] = Field(description="Results per mode, keys agg and disagg.")
    timings: AicTimings | None = Field(default=None, description="Where the child spent time.")
    wall_s: float | None = Field(
        default=None,
        description="Seconds from spawning the child to its result, measured by the parent.",
    )


class EstimatePointResult(_Model):
    """AIConfigurator's ``cli estimate`` for one point, or why it could not answer.

    Figures are for the configuration as given: one agg worker, or the disagg group of
    prefill.workers + decode.workers. All are AIConfigurator's own numbers (nothing derived)."""

    label: str = Field(description="The point's label from the request.")
    ttft_ms: float | None = Field(description="Predicted time to first token, ms; None on error.")
    tpot_ms: float | None = Field(
        description="Predicted time per output token (inter-token latency), ms; None on error."
    )
    tokens_per_second_per_gpu: float | None = Field(
        description="AIConfigurator's output tokens/s per GPU of the configuration (tokens/s/gpu)."
    )
    tokens_per_second_per_user: float | None = Field(
        description="AIConfigurator's output tokens/s per request (tokens/s/user, = 1000/tpot_ms)."
    )
    requests_per_second: float | None = Field(
        description="AIConfigurator's request rate the configuration sustains (request_rate)."
    )
    request_latency_ms: float | None = Field(
        description="AIConfigurator's end-to-end latency of one request, ms (request_latency)."
    )
    concurrency: int | None = Field(
        default=None, description="Requests in flight AIConfigurator assumed (concurrency)."
    )
    gpus: int | None = Field(
        default=None, description="GPUs of the configuration (AIConfigurator's num_total_gpus)."
    )
    kv_cache_warning: str | None = Field(
        default=None,
        description="AIConfigurator's warning that the batch exceeds the KV cache (agg only): "
        "the figures are then optimistic.",
    )
    error: str | None = Field(
        default=None, description="Why AIConfigurator could not estimate this point (e.g. OOM)."
    )
    seconds: float | None = Field(default=None, description="Time this point took in the child.")


class EstimateTimings(_Model):
    startup_s: float | None = Field(
        default=None, description="Child start-up before AIConfigurator (from process start)."
    )
    import_s: float = Field(description="Importing aiconfigurator in the child.")
    preflight_s: float = Field(description="Support data and model config checks.")
    estimate_s: float = Field(
        description="All cli_estimate calls (per point: each point's seconds)."
    )
    peak_rss_mb: float = Field(description="Peak resident memory of the child process, MB.")


class EstimateRun(_Model):
    """Every point of an ``EstimateRequest``, answered by one child process."""

    request: EstimateRequest = Field(description="What was asked.")
    aiconfigurator_version: str = Field(description="Installed aiconfigurator version.")
    backend_version: str | None = Field(
        description="Engine version of the performance database used."
    )
    points: list[EstimatePointResult] = Field(description="One result per point, request order.")
    timings: EstimateTimings | None = Field(default=None, description="Where the child spent time.")
    wall_s: float | None = Field(
        default=None,
        description="Seconds from spawning the child to its result, measured by the parent.",
    )

    def point(self, label: str) -> EstimatePointResult:
        """The result of the point labelled ``label`` (KeyError when there is none)."""
        for result in self.points:
            if result.label == label:
                return result
        raise KeyError(label)


class WorkerError(_Model):
    """A failure the child understood, mapped to an error class by the runner."""

    kind: Literal["not_installed", "unsupported", "sla_unmeetable", "failed", "invalid_input"] = (
        Field(description="Which error to raise in the parent.")
    )
    message: str = Field(description="What went wrong and what to do.")
    what: str | None = Field(default=None, description="For unsupported: model, system, backend.")
    value: str | None = Field(default=None, description="For unsupported: the value refused.")
    supported: list[str] = Field(default_factory=list, description="What is supported instead.")
