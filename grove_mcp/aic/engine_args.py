"""Engine flags per role: AIConfigurator's rendered ones when it gave them, else our defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..planfile import RoleConfig

DYNAMO_VERSION = "1.3.0"  # AIConfigurator 0.12.0's default Dynamo release for generated configs
_IMAGES = {"sglang": "sglang-runtime", "vllm": "vllm-runtime", "trtllm": "tensorrtllm-runtime"}


def default_image(backend: str) -> str:
    """The Dynamo runtime image AIConfigurator 0.12 targets for a backend."""
    return f"nvcr.io/nvidia/ai-dynamo/{_IMAGES[backend]}:{DYNAMO_VERSION}"


@dataclass(frozen=True)
class EngineArgs:
    """Engine flags by role (prefill, decode, agg), as shell fragments, plus TRT-LLM YAML."""

    flags: Mapping[str, str] = field(default_factory=dict)
    engine_yaml: Mapping[str, str] = field(default_factory=dict)
    image: str | None = None
    source: Literal["aiconfigurator", "defaults"] = "defaults"


def from_artifacts(artifacts: Mapping[str, str]) -> EngineArgs:
    """Pick ``cli_args_<role>``, ``extra_engine_args_<role>.yaml`` and ``image`` from the
    artifacts of ``generate_backend_artifacts``; an empty mapping gives empty ``EngineArgs``."""
    flags = {
        k.removeprefix("cli_args_"): v.strip()
        for k, v in artifacts.items()
        if k.startswith("cli_args_")
    }
    yaml_files = {
        k.removeprefix("extra_engine_args_").removesuffix(".yaml"): v
        for k, v in artifacts.items()
        if k.startswith("extra_engine_args_")
    }
    source: Literal["aiconfigurator", "defaults"] = "aiconfigurator" if flags else "defaults"
    return EngineArgs(flags, yaml_files, artifacts.get("image"), source)


def default_flags(backend: str, role: RoleConfig) -> str:
    """Parallelism flags derived from the plan alone, for when AIConfigurator rendered none."""
    if backend == "sglang":
        parts = [
            f"--tensor-parallel-size {role.tp * role.dp}",
            f"--pipeline-parallel-size {role.pp}",
            f"--data-parallel-size {role.dp}",
        ]
        if role.dp > 1:
            parts.append("--enable-dp-attention")
        if role.moe_ep > 1:
            parts.append(f"--expert-parallel-size {role.moe_ep}")
    elif backend == "vllm":
        parts = [
            f"--tensor-parallel-size {role.tp}",
            f"--pipeline-parallel-size {role.pp}",
            f"--data-parallel-size {role.dp}",
        ]
        if role.moe_ep > 1:
            parts.append("--enable-expert-parallel")
    else:
        parts = [
            f"--tensor-parallel-size {role.tp * role.dp}",
            f"--pipeline-parallel-size {role.pp}",
            f"--expert-parallel-size {role.moe_ep}",
        ]
    if role.batch_size and backend == "trtllm":
        parts.append(f"--max-batch-size {role.batch_size}")
    return " ".join(parts)


def flags_for(engine: EngineArgs, backend: str, role_name: str, role: RoleConfig) -> str:
    return engine.flags.get(role_name) or default_flags(backend, role)
