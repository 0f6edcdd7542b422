"""Child-process side: run AIConfigurator and report back. ``python -m grove_mcp.aic.worker``.

Reads one ``PlanRequest`` as JSON on stdin; writes protocol messages (``protocol.py``) as JSON lines
on the original stdout; everything else the child prints (AIConfigurator's logs, warnings, C-level
output) goes to stderr. This is the only module of grove-mcp that imports ``aiconfigurator``, and it
only ever runs in the child, so the parent's memory stays flat.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import math
import os
import re
import resource
import sys
import time
from collections import deque
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any, TextIO

from .protocol import AicProgress, AicRun, AicTimings, ModeResult, Row, WorkerError
from .request import PlanRequest
from .sla import select_row

ENGINE_ARG_KEYS = re.compile(r"^(cli_args_(agg|prefill|decode)|extra_engine_args_\w+\.yaml)$")

# Log lines of AIConfigurator 0.12 → (phase, what to tell people, share of the work done).
_PHASES: list[tuple[re.Pattern[str], str, str, float]] = [
    (re.compile(r"^Loaded model config"), "loading_model", "model config loaded", 0.12),
    (
        re.compile(r"^Starting experiment: agg"),
        "searching_agg",
        "searching aggregated configurations",
        0.15,
    ),
    (
        re.compile(r"^Experiment agg completed"),
        "searching_agg",
        "aggregated search done",
        0.55,
    ),
    (
        re.compile(r"^Starting experiment: disagg"),
        "searching_disagg",
        "searching disaggregated configurations",
        0.56,
    ),
    (
        re.compile(r"^Experiment disagg completed"),
        "searching_disagg",
        "disaggregated search done",
        0.92,
    ),
]


class Channel:
    """The private protocol pipe: the original stdout, before it is pointed at stderr."""

    def __init__(self, stream: TextIO, started: float) -> None:
        self.stream = stream
        self.started = started

    def send(self, payload: dict[str, Any]) -> None:
        self.stream.write(json.dumps(payload) + "\n")
        self.stream.flush()

    def progress(self, phase: str, message: str, fraction: float) -> None:
        p = AicProgress(
            phase=phase,
            message=message,
            elapsed_s=round(time.monotonic() - self.started, 3),
            fraction=fraction,
        )
        self.send({"type": "progress", "progress": p.model_dump()})

    def fail(self, kind: str, message: str, **extra: Any) -> None:
        error = WorkerError(kind=kind, message=message, **extra)  # type: ignore[arg-type]
        self.send({"type": "error", "error": error.model_dump()})


class _LogWatcher(logging.Handler):
    """Turns AIConfigurator's log lines into progress events; keeps its last errors."""

    def __init__(self, channel: Channel) -> None:
        super().__init__(level=logging.INFO)
        self.channel = channel
        self.errors: deque[str] = deque(maxlen=5)

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            self.errors.append(message.strip().splitlines()[0] if message.strip() else message)
        for pattern, phase, text, fraction in _PHASES:
            if pattern.search(message):
                found = re.search(r"with (\d+) results", message)
                self.channel.progress(
                    phase, f"{text} ({found.group(1)} results)" if found else text, fraction
                )
                return


def _take_stdout() -> TextIO:
    """Keep the real stdout for the protocol; point fd 1 and sys.stdout at stderr."""
    private = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return private


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


def _supported_models() -> list[str]:
    import aiconfigurator_core

    configs = Path(aiconfigurator_core.__file__).parent / "model_configs"
    return sorted(
        p.name.removesuffix("_config.json").replace("--", "/", 1)
        for p in configs.glob("*_config.json")
    )


def _preflight(request: PlanRequest, channel: Channel) -> int | None:
    """Check system, backend and model against what AIConfigurator supports.

    Returns GPUs per node of the system, or raises ``_Refused`` after sending the error.
    """
    from aiconfigurator_core.sdk import perf_database
    from aiconfigurator_core.sdk.utils import get_model_config_from_model_path

    databases = {s: b for s, b in perf_database.get_supported_databases().items() if b}
    if request.system not in databases:
        channel.fail(
            "unsupported",
            f"AIConfigurator {version('aiconfigurator')} has no performance data for system "
            f"'{request.system}'. Systems it supports: {', '.join(sorted(databases))}.",
            what="system",
            value=request.system,
            supported=sorted(databases),
        )
        raise _Refused
    backends = sorted(databases[request.system])
    if request.backend not in backends:
        channel.fail(
            "unsupported",
            f"AIConfigurator has no {request.backend} data for system '{request.system}'. "
            f"Backends it supports there: {', '.join(backends)}.",
            what="backend",
            value=request.backend,
            supported=backends,
        )
        raise _Refused
    try:
        get_model_config_from_model_path(request.model)
    except ValueError as exc:  # unsupported architecture: the message lists the supported ones
        text = str(exc)
        listed = text.split("Supported architectures:", 1)[-1] if "Supported" in text else ""
        channel.fail(
            "unsupported",
            f"AIConfigurator cannot model '{request.model}': {text}",
            what="model architecture",
            value=request.model,
            supported=sorted(a.strip() for a in listed.split(",") if a.strip()),
        )
        raise _Refused from None
    except Exception as exc:  # not bundled and not downloadable (offline, typo, gated repo)
        models = _supported_models()
        channel.fail(
            "unsupported",
            f"AIConfigurator cannot load the config of '{request.model}' ({exc}). It works "
            f"offline for {len(models)} bundled Hugging Face ids (e.g. Qwen/Qwen3-32B, "
            "meta-llama/Meta-Llama-3.1-8B) or a local directory with config.json; other ids "
            "need network access to huggingface.co (and HF_TOKEN for gated models).",
            what="model",
            value=request.model,
            supported=models,
        )
        raise _Refused from None
    try:
        return int(perf_database.load_system_spec(request.system)["node"]["num_gpus_per_node"])
    except (KeyError, TypeError, ValueError):
        return None


class _Refused(Exception):
    """The error has been sent; stop."""


def _engine_artifacts(task: Any, row: Any, backend: str) -> tuple[dict[str, str], str | None]:
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


def _mode_results(
    request: PlanRequest, result: Any, channel: Channel
) -> tuple[dict[str, ModeResult], str | None]:
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
            channel.progress(
                "generating_engine_args",
                f"engine arguments for {mode}",
                0.93 if mode == "agg" else 0.96,
            )
            try:
                artifacts, generated_version = _engine_artifacts(
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


def _search(request: PlanRequest, watcher: _LogWatcher, channel: Channel) -> Any:
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
        channel.fail(
            "sla_unmeetable",
            f"No configuration of {request.model} on {request.total_gpus} x {request.system} "
            f"({request.backend}) meets TTFT <= {request.ttft_ms:g} ms at ISL {request.isl}: "
            "AIConfigurator found none. Raise the TTFT target, shorten the input, or add GPUs "
            "(for new models, AIConfigurator suggests database mode HYBRID).",
        )
        raise _Refused from None
    except InsufficientMemoryError as exc:
        channel.fail(
            "failed",
            f"{request.model} does not fit in {request.total_gpus} x {request.system} for any "
            f"parallel configuration ({exc}). Give more GPUs.",
        )
        raise _Refused from None
    except NoResultsError as exc:
        channel.fail("failed", f"AIConfigurator found no configuration: {exc}")
        raise _Refused from None
    except SystemExit as exc:  # AIConfigurator's input gates log an error and exit
        said = "; ".join(watcher.errors) or f"exit status {exc.code}"
        channel.fail("failed", f"AIConfigurator refused the request: {said}")
        raise _Refused from None


def run(request: PlanRequest, channel: Channel) -> None:
    """Check, search, pick, generate engine args; send a result or an error."""
    if importlib.util.find_spec("aiconfigurator") is None:
        channel.fail(
            "not_installed",
            f"AIConfigurator is not installed for {sys.executable}. Install the optional extra: "
            "pip install 'grove-mcp[generate]' (AIConfigurator 0.12.0, ~850 MB, x86_64 Linux, "
            "Python 3.11-3.13).",
        )
        return
    watcher = _LogWatcher(channel)
    _route_logs(watcher)
    channel.progress("starting", "importing AIConfigurator", 0.02)
    t0 = time.monotonic()
    import aiconfigurator.cli  # noqa: F401  (timed: the import is a sizeable share of a run)

    import_s = time.monotonic() - t0
    try:
        channel.progress("loading_model", f"loading the config of {request.model}", 0.08)
        t_pre = time.monotonic()
        gpus_per_node = _preflight(request, channel)
        t1 = time.monotonic()
        result = _search(request, watcher, channel)
        search_s = time.monotonic() - t1
    except _Refused:
        return
    t2 = time.monotonic()
    modes, generated_version = _mode_results(request, result, channel)
    run_result = AicRun(
        request=request,
        aiconfigurator_version=version("aiconfigurator"),
        chosen_mode=getattr(result, "chosen_exp", None),
        backend_version=_backend_version(modes),
        generated_config_version=generated_version,
        gpus_per_node=gpus_per_node,
        modes=modes,
        timings=AicTimings(
            startup_s=round(t0 - _process_start(), 3),
            import_s=round(import_s, 3),
            preflight_s=round(t1 - t_pre, 3),
            search_s=round(search_s, 3),
            artifacts_s=round(time.monotonic() - t2, 3),
            peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        ),
    )
    channel.send({"type": "result", "run": run_result.model_dump(mode="json")})


def _process_start() -> float:
    """This process's start on the monotonic clock (Linux: /proc/self/stat, field 22)."""
    try:
        with open("/proc/self/stat") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        age = uptime - ticks / os.sysconf("SC_CLK_TCK")
        return time.monotonic() - age
    except (OSError, ValueError, IndexError):
        return time.monotonic()


def _backend_version(modes: dict[str, ModeResult]) -> str | None:
    for mode in modes.values():
        for row in mode.rows:
            value = row.get("version") or row.get("(p)version")
            if value:
                return str(value)
    return None


def _route_logs(watcher: logging.Handler) -> None:
    """AIConfigurator's INFO logs feed progress; only warnings and errors reach stderr."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.WARNING)
    root.handlers[:] = [watcher, stderr]


def main(read: Callable[[], str] = sys.stdin.read) -> int:
    started = time.monotonic()
    channel = Channel(_take_stdout(), started)
    try:
        request = PlanRequest.model_validate_json(read())
    except ValueError as exc:
        channel.fail("invalid_input", f"bad request on stdin: {exc}")
        return 2
    try:
        run(request, channel)
    except Exception as exc:  # last resort: say what broke instead of dying silently
        channel.fail("failed", f"AIConfigurator failed: {type(exc).__name__}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    status = main()
    sys.stderr.flush()
    os._exit(status)  # skip tearing down pandas, scipy and matplotlib: the answer is sent
