"""The calls into AIConfigurator 0.12, run only in the child process (``worker``).

The only module of grove-mcp that imports ``aiconfigurator``: support checks, the search, engine
flags for the picked rows, DataFrames turned into plain JSON rows, and single-point estimates. Failures are raised as
``Refusal`` carrying the protocol's ``WorkerError``: what went wrong and what to do.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

from .protocol import EstimatePointResult, ModeResult, Row, WorkerError
from .request import EstimatePoint, EstimateRequest, PlanRequest
from .sla import select_row

ENGINE_ARG_KEYS = re.compile(r"^(cli_args_(agg|prefill|decode)|extra_engine_args_\w+\.yaml)$")

Progress = Callable[[str, str, float], None]


class Refusal(Exception):
    """AIConfigurator cannot answer; ``error`` says why, for the parent."""

    def __init__(self, kind: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.error = WorkerError(kind=kind, message=message, **extra)  # type: ignore[arg-type]


def _scalar(value: Any) -> Any:
    item = getattr(value, "item", None)
    if callable(item):
        try:
            value = item()
        except (TypeError, ValueError):
            return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return None


def rows_of(frame: Any) -> list[Row]:
    """DataFrame → JSON rows: scalar columns only, NaN → None, internal ``_`` columns dropped."""
    if frame is None or len(frame) == 0:
        return []
    columns = [c for c in frame.columns if not str(c).startswith("_")]
    return [
        {str(c): _scalar(v) for c, v in record.items()}
        for record in frame[columns].to_dict(orient="records")
    ]


def import_aiconfigurator() -> None:
    """Load AIConfigurator (pandas, scipy, matplotlib, its Rust engine): ~1-2 s, ~150 MB."""
    import aiconfigurator.cli  # noqa: F401


def supported_models() -> list[str]:
    import aiconfigurator_core

    configs = Path(aiconfigurator_core.__file__).parent / "model_configs"
    return sorted(
        p.name.removesuffix("_config.json").replace("--", "/", 1)
        for p in configs.glob("*_config.json")
    )


def check_support(request: PlanRequest | EstimateRequest) -> int | None:
    """Check system, backend and model against what AIConfigurator supports; return the GPUs
    per node of the system. Raises ``Refusal`` listing what is supported."""
    from aiconfigurator_core.sdk import perf_database
    from aiconfigurator_core.sdk.utils import get_model_config_from_model_path

    databases = {s: b for s, b in perf_database.get_supported_databases().items() if b}
    if request.system not in databases:
        raise Refusal(
            "unsupported",
            f"AIConfigurator {version('aiconfigurator')} has no performance data for system "
            f"'{request.system}'. Systems it supports: {', '.join(sorted(databases))}.",
            what="system",
            value=request.system,
            supported=sorted(databases),
        )
    backends = sorted(databases[request.system])
    if request.backend not in backends:
        raise Refusal(
            "unsupported",
            f"AIConfigurator has no {request.backend} data for system '{request.system}'. "
            f"Backends it supports there: {', '.join(backends)}.",
            what="backend",
            value=request.backend,
            supported=backends,
        )
    try:
        get_model_config_from_model_path(request.model)
    except ValueError as exc:  # unsupported architecture: the message lists the supported ones
        text = str(exc)
        listed = text.split("Supported architectures:", 1)[-1] if "Supported" in text else ""
        raise Refusal(
            "unsupported",
            f"AIConfigurator cannot model '{request.model}': {text}",
            what="model architecture",
            value=request.model,
            supported=sorted(a.strip() for a in listed.split(",") if a.strip()),
        ) from None
    except Exception as exc:  # not bundled and not downloadable (offline, typo, gated repo)
        models = supported_models()
        raise Refusal(
            "unsupported",
            f"AIConfigurator cannot load the config of '{request.model}' ({exc}). It works "
            f"offline for {len(models)} bundled Hugging Face ids (e.g. Qwen/Qwen3-32B, "
            "meta-llama/Meta-Llama-3.1-8B) or a local directory with config.json; other ids "
            "need network access to huggingface.co (and HF_TOKEN for gated models).",
            what="model",
            value=request.model,
            supported=models,
        ) from None
    try:
        return int(perf_database.load_system_spec(request.system)["node"]["num_gpus_per_node"])
    except (KeyError, TypeError, ValueError):
        return None


def engine_artifacts(task: Any, row: Any, backend: str) -> tuple[dict[str, str], str | None]:
    """Engine flags for one result row, the way ``cli default --save-dir`` renders them."""
    from aiconfigurator.generator.api import generate_backend_artifacts
    from aiconfigurator.generator.module_bridge import task_config_to_generator_config
    from aiconfigurator.generator.utils import get_default_dynamo_version_mapping

    _, versions = get_default_dynamo_version_mapping()
    generated_version = versions.get(backend)
    row = row.drop(labels=["_task_key", "_moe_comm_fallbacks"], errors="ignore")
    cfg = task_config_to_generator_config(task_config=task, result_df=row, generator_overrides={})
    files = generate_backend_artifacts(cfg, backend, backend_version=generated_version)
    kept = {k: v for k, v in files.items() if ENGINE_ARG_KEYS.match(k)}
    image = (cfg.get("K8sConfig") or {}).get("k8s_image")
    if image:
        kept["image"] = str(image)
    return kept, generated_version


def mode_results(
    request: PlanRequest, result: Any, progress: Progress
) -> tuple[dict[str, ModeResult], str | None]:
    """Rows per mode, the row picked by our SLA check, and its engine flags."""
    modes: dict[str, ModeResult] = {}
    generated_version = None
    targets = (request.ttft_ms, request.tpot_ms, request.request_latency_ms)
    for mode in ("agg", "disagg"):
        frame = result.best_configs.get(mode)
        rows = rows_of(frame)
        outcome = result.outcomes.get(mode)
        error = getattr(outcome, "error", None)
        selected = select_row(rows, *targets)
        artifacts: dict[str, str] = {}
        artifact_error = None
        if selected is not None:
            progress(
                "generating_engine_args",
                f"engine arguments for {mode}",
                0.93 if mode == "agg" else 0.96,
            )
            try:
                artifacts, generated_version = engine_artifacts(
                    result.tasks[mode], frame.iloc[selected], request.backend
                )
            except Exception as exc:  # the plan stands without them; renderer uses defaults
                artifact_error = f"{type(exc).__name__}: {exc}"
        modes[mode] = ModeResult(
            mode=mode,
            rows=rows,
            selected=selected,
            artifacts=artifacts,
            artifact_error=artifact_error,
            error=None if rows else (str(error) if error else "no configuration returned"),
        )
    return modes, generated_version


def search(request: PlanRequest, logged_errors: Sequence[str]) -> Any:
    """``cli_default`` for both modes; its failures become ``Refusal``s that say what to do."""
    from aiconfigurator.cli import cli_default
    from aiconfigurator_core.sdk.errors import (
        InsufficientMemoryError,
        NoFeasibleConfigError,
        NoResultsError,
    )

    kwargs: dict[str, Any] = {
        "backend": request.backend,
        "isl": request.isl,
        "osl": request.osl,
        "ttft": request.ttft_ms,
        "top_n": request.top_n,
        "database_mode": request.database_mode,
    }
    if request.tpot_ms is not None:
        kwargs["tpot"] = request.tpot_ms
    if request.request_latency_ms is not None:
        kwargs["request_latency"] = request.request_latency_ms
    try:
        return cli_default(request.model, request.total_gpus, request.system, **kwargs)
    except NoFeasibleConfigError:
        raise Refusal(
            "sla_unmeetable",
            f"No configuration of {request.model} on {request.total_gpus} x {request.system} "
            f"({request.backend}) meets TTFT <= {request.ttft_ms:g} ms at ISL {request.isl}: "
            "AIConfigurator found none. Raise the TTFT target, shorten the input, or add GPUs "
            "(for new models, AIConfigurator suggests database mode HYBRID).",
        ) from None
    except InsufficientMemoryError as exc:
        raise Refusal(
            "failed",
            f"{request.model} does not fit in {request.total_gpus} x {request.system} for any "
            f"parallel configuration ({exc}). Give more GPUs.",
        ) from None
    except NoResultsError as exc:
        raise Refusal("failed", f"AIConfigurator found no configuration: {exc}") from None
    except SystemExit as exc:  # AIConfigurator's input gates log an error and exit
        said = "; ".join(logged_errors) or f"exit status {exc.code}"
        raise Refusal("failed", f"AIConfigurator refused the request: {said}") from None


def estimate_point(
    request: EstimateRequest, point: EstimatePoint
) -> tuple[EstimatePointResult, str | None]:
    """``cli_estimate`` for one point, and the engine version of the database it used. A
    configuration AIConfigurator cannot model (it does not fit in memory, a parallelism its data
    lacks) is an error on the point, not a failed run."""
    from aiconfigurator.cli.api import cli_estimate

    try:
        result = cli_estimate(request.model, request.system, **_estimate_kwargs(request, point))
    except (Exception, SystemExit) as exc:  # SystemExit: AIConfigurator's input gates
        text = str(exc).strip() or type(exc).__name__
        return _failed_point(point.label, text), None
    raw = result.raw or {}
    answer = EstimatePointResult(
        label=point.label,
        ttft_ms=_number(result.ttft),
        tpot_ms=_number(result.tpot),
        tokens_per_second_per_gpu=_number(raw.get("tokens/s/gpu")),
        tokens_per_second_per_user=_number(raw.get("tokens/s/user")),
        requests_per_second=_number(raw.get("request_rate")),
        request_latency_ms=_number(raw.get("request_latency")),
        concurrency=_whole(raw.get("concurrency")),
        gpus=_whole(raw.get("num_total_gpus")),
        kv_cache_warning=result.kv_cache_warning,
    )
    return answer, _scalar(result.backend_version)


def _failed_point(label: str, error: str) -> EstimatePointResult:
    return EstimatePointResult(
        label=label,
        ttft_ms=None,
        tpot_ms=None,
        tokens_per_second_per_gpu=None,
        tokens_per_second_per_user=None,
        requests_per_second=None,
        request_latency_ms=None,
        error=error,
    )


def _estimate_kwargs(request: EstimateRequest, point: EstimatePoint) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "mode": point.mode,
        "backend_name": request.backend,
        "database_mode": request.database_mode,
        "isl": point.isl,
        "osl": point.osl,
        "prefix": point.prefix,
    }
    if point.mode == "agg":
        kwargs.update(
            tp_size=point.tp,
            pp_size=point.pp,
            attention_dp_size=point.dp,
            moe_tp_size=point.moe_tp,
            moe_ep_size=point.moe_ep,
            batch_size=point.batch_size,
        )
        return kwargs
    for role, workers in (("prefill", point.prefill), ("decode", point.decode)):
        assert workers is not None  # EstimatePoint's validator: disagg has both roles
        kwargs.update(
            {
                f"{role}_tp_size": workers.tp,
                f"{role}_pp_size": workers.pp,
                f"{role}_attention_dp_size": workers.dp,
                f"{role}_moe_tp_size": workers.moe_tp,
                f"{role}_moe_ep_size": workers.moe_ep,
                f"{role}_batch_size": workers.batch_size,
                f"{role}_num_workers": workers.workers,
            }
        )
    return kwargs


def _number(value: Any) -> float | None:
    value = _scalar(value)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _whole(value: Any) -> int | None:
    number = _number(value)
    return round(number) if number is not None else None
