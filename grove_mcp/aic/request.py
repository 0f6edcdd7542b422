"""What AIConfigurator is asked: validated before any child process starts.

``PlanRequest``: one ``cli default`` search. ``EstimateRequest``: ``cli estimate`` for given
configurations (``EstimatePoint``), all answered by one child process.
"""

from __future__ import annotations

import os
import re
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import InvalidInput

Backend = Literal["sglang", "vllm", "trtllm"]
BACKENDS: tuple[str, ...] = ("sglang", "trtllm", "vllm")
DatabaseMode = Literal["SILICON", "HYBRID", "EMPIRICAL", "SOL"]

_SYSTEM = re.compile(r"^[a-z0-9][a-z0-9_]*$")
MAX_ESTIMATE_POINTS = 16


def check_system(system: str) -> None:
    """Raise ValueError unless ``system`` looks like an AIConfigurator system name."""
    if not _SYSTEM.match(system):
        raise ValueError(
            f"system '{system}' is not an AIConfigurator system name "
            "(lowercase, digits and '_', e.g. h200_sxm)"
        )


def _is_local(model: str) -> bool:
    """True when ``model`` names a filesystem path rather than a Hugging Face id."""
    return model.startswith(("/", "./", "../", "~")) or os.path.isdir(os.path.expanduser(model))


class PlanRequest(BaseModel):
    """The inputs of one AIConfigurator ``cli default`` search (agg and disagg)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(
        min_length=1,
        description="Hugging Face id (e.g. Qwen/Qwen3-32B) or a local directory with config.json.",
    )
    system: str = Field(description="AIConfigurator system name, e.g. h200_sxm.")
    total_gpus: int = Field(ge=1, le=65536, description="GPU budget for the whole deployment.")
    backend: Backend = Field(description="Inference engine: sglang, vllm or trtllm.")
    isl: int = Field(default=4000, ge=1, description="Input sequence length, tokens.")
    osl: int = Field(default=1000, ge=1, description="Output sequence length, tokens.")
    ttft_ms: float = Field(gt=0, description="Time-to-first-token target, ms.")
    tpot_ms: float | None = Field(
        default=None, gt=0, description="Time-per-output-token target, ms."
    )
    request_latency_ms: float | None = Field(
        default=None, gt=0, description="End-to-end request latency target, ms (instead of TPOT)."
    )
    top_n: int = Field(
        default=5, ge=1, le=20, description="Configurations AIConfigurator keeps per mode."
    )
    database_mode: DatabaseMode = Field(
        default="SILICON", description="AIConfigurator performance database mode."
    )

    @model_validator(mode="after")
    def _check(self) -> PlanRequest:
        check_system(self.system)
        if self.tpot_ms is None and self.request_latency_ms is None:
            raise ValueError(
                "give a TPOT target (--tpot) or a request latency target (--request-latency)"
            )
        if self.tpot_ms is not None and self.request_latency_ms is not None:
            raise ValueError(
                "give a TPOT target (--tpot) or a request latency target (--request-latency), "
                "not both: AIConfigurator searches with the request latency target alone then, "
                "so a TPOT target would judge plans it did not search for"
            )
        return self

    @property
    def is_local_model(self) -> bool:
        """True when ``model`` names a filesystem path rather than a Hugging Face id."""
        return _is_local(self.model)


class EstimateWorkers(BaseModel):
    """One role of a disaggregated configuration: its workers' parallelism and batch."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tp: int = Field(ge=1, le=1024, description="Tensor parallel size per worker.")
    pp: int = Field(default=1, ge=1, le=1024, description="Pipeline parallel size per worker.")
    dp: int = Field(default=1, ge=1, le=1024, description="Attention data parallel size.")
    moe_tp: int | None = Field(default=None, ge=1, le=1024, description="MoE tensor parallel.")
    moe_ep: int | None = Field(default=None, ge=1, le=1024, description="MoE expert parallel.")
    batch_size: int = Field(ge=1, le=65536, description="Requests batched per worker.")
    workers: int = Field(ge=1, le=4096, description="Workers of this role in the configuration.")


class EstimatePoint(BaseModel):
    """One configuration at one traffic shape: what ``cli_estimate`` is asked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(
        min_length=1, max_length=64, description="Names this point in the answer; unique."
    )
    isl: int = Field(ge=1, le=1_000_000, description="Input sequence length, tokens.")
    osl: int = Field(ge=1, le=1_000_000, description="Output sequence length, tokens.")
    prefix: int = Field(
        default=0, ge=0, description="Input tokens already in the prefix cache (less than isl)."
    )
    mode: Literal["agg", "disagg"] = Field(description="Aggregated or disaggregated serving.")
    tp: int | None = Field(default=None, ge=1, le=1024, description="agg: tensor parallel size.")
    pp: int = Field(default=1, ge=1, le=1024, description="agg: pipeline parallel size.")
    dp: int = Field(default=1, ge=1, le=1024, description="agg: attention data parallel size.")
    moe_tp: int | None = Field(default=None, ge=1, le=1024, description="agg: MoE tensor parallel.")
    moe_ep: int | None = Field(default=None, ge=1, le=1024, description="agg: MoE expert parallel.")
    batch_size: int | None = Field(
        default=None, ge=1, le=65536, description="agg: requests batched per worker."
    )
    prefill: EstimateWorkers | None = Field(default=None, description="disagg: prefill workers.")
    decode: EstimateWorkers | None = Field(default=None, description="disagg: decode workers.")

    @model_validator(mode="after")
    def _check(self) -> EstimatePoint:
        if self.prefix >= self.isl:
            raise ValueError(f"prefix ({self.prefix}) must be less than isl ({self.isl})")
        if self.mode == "agg":
            missing = [f for f in ("tp", "batch_size") if getattr(self, f) is None]
            if missing:
                raise ValueError(f"an agg point needs {' and '.join(missing)}")
            if self.prefill or self.decode:
                raise ValueError("an agg point takes tp/batch_size, not prefill/decode")
        else:
            missing = [f for f in ("prefill", "decode") if getattr(self, f) is None]
            if missing:
                raise ValueError(f"a disagg point needs {' and '.join(missing)} workers")
            if self.tp is not None or self.batch_size is not None:
                raise ValueError("a disagg point takes prefill/decode, not tp/batch_size")
        return self


class EstimateRequest(BaseModel):
    """The inputs of one child run of AIConfigurator ``cli estimate``, one call per point."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["estimate"] = Field(
        default="estimate", description="Tells the worker this is an estimate, not a search."
    )
    model: str = Field(
        min_length=1,
        description="Hugging Face id (e.g. Qwen/Qwen3-32B) or a local directory with config.json.",
    )
    system: str = Field(description="AIConfigurator system name, e.g. h200_sxm.")
    backend: Backend = Field(description="Inference engine: sglang, vllm or trtllm.")
    database_mode: DatabaseMode = Field(
        default="SILICON", description="AIConfigurator performance database mode."
    )
    points: list[EstimatePoint] = Field(
        min_length=1,
        max_length=MAX_ESTIMATE_POINTS,
        description=f"Configurations to estimate (1 to {MAX_ESTIMATE_POINTS}), labels unique.",
    )

    @model_validator(mode="after")
    def _check(self) -> EstimateRequest:
        check_system(self.system)
        labels = [p.label for p in self.points]
        twice = sorted({label for label in labels if labels.count(label) > 1})
        if twice:
            raise ValueError(f"point labels must be unique; repeated: {', '.join(twice)}")
        return self

    @property
    def is_local_model(self) -> bool:
        """True when ``model`` names a filesystem path rather than a Hugging Face id."""
        return _is_local(self.model)


_R = TypeVar("_R", PlanRequest, EstimateRequest)


def make_request(**fields: object) -> PlanRequest:
    """Build a ``PlanRequest``; bad values raise ``InvalidInput`` naming the flag, before any run."""
    return _validated(PlanRequest, fields, "generate")


def make_estimate_request(**fields: object) -> EstimateRequest:
    """Build an ``EstimateRequest``; bad values raise ``InvalidInput`` naming the field
    (``points[1].prefill.tp: …``), before any run."""
    return _validated(EstimateRequest, fields, "estimate")


def _validated(cls: type[_R], fields: dict[str, object], what: str) -> _R:
    try:
        request = cls(**fields)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InvalidInput(_explain(exc, what)) from None
    if request.is_local_model:
        path = os.path.expanduser(request.model)
        if not os.path.isfile(os.path.join(path, "config.json")):
            raise InvalidInput(
                f"model '{request.model}' looks like a local path but {path}/config.json does "
                "not exist: give a directory holding the model's config.json, or a Hugging Face "
                "id such as Qwen/Qwen3-32B."
            )
    return request


def _explain(exc: ValidationError, what: str) -> str:
    parts = []
    for err in exc.errors():
        msg = err["msg"].removeprefix("Value error, ")
        if what == "estimate":
            loc = _location(err["loc"])
        else:  # generate's inputs are flags: --total-gpus
            loc = ".".join(str(p) for p in err["loc"]).replace("_", "-")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return f"Invalid {what} input: " + "; ".join(parts)


def _location(loc: tuple[int | str, ...]) -> str:
    """Field path of an estimate error as written in Python: points[1].prefill.tp."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")
