"""What AIConfigurator is asked: validated before any child process starts."""

from __future__ import annotations

import os
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import InvalidInput

Backend = Literal["sglang", "vllm", "trtllm"]
BACKENDS: tuple[str, ...] = ("sglang", "trtllm", "vllm")
DatabaseMode = Literal["SILICON", "HYBRID", "EMPIRICAL", "SOL"]

_SYSTEM = re.compile(r"^[a-z0-9][a-z0-9_]*$")


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
        if not _SYSTEM.match(self.system):
            raise ValueError(
                f"system '{self.system}' is not an AIConfigurator system name "
                "(lowercase, digits and '_', e.g. h200_sxm)"
            )
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
        m = self.model
        return m.startswith(("/", "./", "../", "~")) or os.path.isdir(os.path.expanduser(m))


def make_request(**fields: object) -> PlanRequest:
    """Build a ``PlanRequest``; bad values raise ``InvalidInput`` naming the flag, before any run."""
    try:
        request = PlanRequest(**fields)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InvalidInput(_explain(exc)) from None
    if request.is_local_model:
        path = os.path.expanduser(request.model)
        if not os.path.isfile(os.path.join(path, "config.json")):
            raise InvalidInput(
                f"model '{request.model}' looks like a local path but {path}/config.json does "
                "not exist: give a directory holding the model's config.json, or a Hugging Face "
                "id such as Qwen/Qwen3-32B."
            )
    return request


def _explain(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc.replace('_', '-')}: {msg}" if loc else msg)
    return "Invalid generate input: " + "; ".join(parts)
