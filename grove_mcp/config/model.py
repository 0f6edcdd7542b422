"""What the config file may hold: each key, its type, its default and what it is for."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..names import validate_namespace
from ..sources.scrape import DEFAULT_TIMEOUT as SCRAPE_TIMEOUT


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Defaults(_Section):
    namespace: str | None = Field(
        default=None,
        description="Namespace when -n is not given, on a live cluster (the kubeconfig "
        "context's otherwise; a bundle or the demo keeps its own).",
    )
    operator_namespace: str | None = Field(
        default=None,
        description="Where the Grove operator runs: its Deployment (the version) is looked up "
        "there only, instead of in every namespace.",
    )

    @field_validator("namespace", "operator_namespace")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                validate_namespace(value)
            except Exception as err:
                raise ValueError(str(err)) from None
        return value


class Metrics(_Section):
    scrape_timeout: float = Field(
        default=SCRAPE_TIMEOUT, ge=0.5, le=120, description="Seconds to wait for each pod."
    )
    port: int | None = Field(
        default=None, ge=1, le=65535, description="Metrics port of every pod (default: found)."
    )


class Tui(_Section):
    refresh_interval: float = Field(
        default=15.0, ge=5, le=3600, description="Seconds per metrics window in the TUI."
    )
    color_scheme: Literal["dark", "light"] = Field(default="dark", description="dark or light.")


class Aiconfigurator(_Section):
    default_backend: Literal["sglang", "vllm", "trtllm"] | None = Field(
        default=None, description="generate's --backend when it is not given."
    )


class GroveConfig(_Section):
    """~/.config/kubectl-grove/config.yaml: the CLI, the TUI, the MCP server and the Slack bot
    read it; flags override it, and it overrides the built-in defaults."""

    defaults: Defaults = Field(default_factory=Defaults)
    metrics: Metrics = Field(default_factory=Metrics)
    tui: Tui = Field(default_factory=Tui)
    aiconfigurator: Aiconfigurator = Field(default_factory=Aiconfigurator)
    slack: dict[str, Any] | None = Field(
        default=None,
        description="grove-slack's channel mappings, in its access-file format (checked by it).",
    )
