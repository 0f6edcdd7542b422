"""Child-process side: run AIConfigurator and report back. ``python -m grove_mcp.aic.worker``.

Reads one request as JSON on stdin: a ``PlanRequest`` (a search), or an ``EstimateRequest``
(``{"kind": "estimate", ...}``: one ``cli_estimate`` per point, AIConfigurator imported once). Writes protocol messages (``protocol.py``) as JSON lines
on the original stdout; everything else the child prints (AIConfigurator's logs, warnings, C-level
output) goes to stderr. It and ``aic_calls`` (the calls into AIConfigurator) only ever run in the
child, so the parent never imports aiconfigurator and its memory stays flat.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import resource
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from importlib.metadata import version
from typing import Any, TextIO

from .protocol import (
    AicProgress,
    AicRun,
    AicTimings,
    EstimateRun,
    EstimateTimings,
    ModeResult,
    WorkerError,
)
from .request import EstimateRequest, PlanRequest

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

    def fail(self, error: WorkerError) -> None:
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


class _Loaded:
    """AIConfigurator imported in this child: the calls module, the log watcher, the timing."""

    def __init__(self, channel: Channel) -> None:
        self.watcher = _LogWatcher(channel)
        _route_logs(self.watcher)
        channel.progress("starting", "importing AIConfigurator", 0.02)
        self.t0 = time.monotonic()
        from . import aic_calls

        aic_calls.import_aiconfigurator()  # timed: the import is a sizeable share of a run
        self.import_s = time.monotonic() - self.t0
        self.calls = aic_calls

    def timing(self) -> dict[str, float]:
        """Start-up, import and peak memory: the timings every run reports."""
        return {
            "startup_s": round(self.t0 - _process_start(), 3),
            "import_s": round(self.import_s, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }


def _load(channel: Channel) -> _Loaded | None:
    """Import AIConfigurator, or say it is not installed (None)."""
    if importlib.util.find_spec("aiconfigurator") is None:
        message = (
            f"AIConfigurator is not installed for {sys.executable}. Install the optional extra: "
            "pip install 'grove-mcp[generate]' (AIConfigurator 0.12.0, ~850 MB, x86_64 Linux, "
            "Python 3.11-3.13)."
        )
        channel.fail(WorkerError(kind="not_installed", message=message))
        return None
    return _Loaded(channel)


def run(request: PlanRequest, channel: Channel) -> None:
    """Check, search, pick, generate engine args; send a result or an error."""
    loaded = _load(channel)
    if loaded is None:
        return
    aic_calls, watcher = loaded.calls, loaded.watcher
    try:
        channel.progress("loading_model", f"loading the config of {request.model}", 0.08)
        t_pre = time.monotonic()
        gpus_per_node = aic_calls.check_support(request)
        t1 = time.monotonic()
        result = aic_calls.search(request, watcher.errors)
        search_s = time.monotonic() - t1
    except aic_calls.Refusal as refusal:
        channel.fail(refusal.error)
        return
    t2 = time.monotonic()
    modes, generated_version = aic_calls.mode_results(request, result, channel.progress)
    run_result = AicRun(
        request=request,
        aiconfigurator_version=version("aiconfigurator"),
        chosen_mode=getattr(result, "chosen_exp", None),
        backend_version=_backend_version(modes),
        generated_config_version=generated_version,
        gpus_per_node=gpus_per_node,
        modes=modes,
        timings=AicTimings(
            **loaded.timing(),
            preflight_s=round(t1 - t_pre, 3),
            search_s=round(search_s, 3),
            artifacts_s=round(time.monotonic() - t2, 3),
        ),
    )
    channel.send({"type": "result", "run": run_result.model_dump(mode="json")})


def run_estimate(request: EstimateRequest, channel: Channel) -> None:
    """Check support once, then ``cli_estimate`` per point; send a result or an error."""
    loaded = _load(channel)
    if loaded is None:
        return
    try:
        channel.progress("loading_model", f"loading the config of {request.model}", 0.08)
        t_pre = time.monotonic()
        loaded.calls.check_support(request)
    except loaded.calls.Refusal as refusal:
        channel.fail(refusal.error)
        return
    t1 = time.monotonic()
    points = []
    versions = []
    for i, point in enumerate(request.points):
        share = 0.1 + 0.88 * i / len(request.points)
        channel.progress("estimating", f"estimating {point.label}", share)
        started = time.monotonic()
        result, backend_version = loaded.calls.estimate_point(request, point)
        points.append(result.model_copy(update={"seconds": round(time.monotonic() - started, 3)}))
        versions.append(backend_version)
    run_result = EstimateRun(
        request=request,
        aiconfigurator_version=version("aiconfigurator"),
        backend_version=next((v for v in versions if v), None),
        points=points,
        timings=EstimateTimings(
            **loaded.timing(),
            preflight_s=round(t1 - t_pre, 3),
            estimate_s=round(time.monotonic() - t1, 3),
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


def _die_with_parent() -> None:
    """Linux: get SIGTERM when the parent dies, even by SIGKILL, instead of running on for a
    minute and a half. Elsewhere a no-op (the parent's timeout and cancel still apply)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before prctl: nobody waits for the answer
            os._exit(3)
    except (OSError, AttributeError):
        pass


def _request(text: str) -> PlanRequest | EstimateRequest:
    """The request on stdin: an estimate says so (``"kind": "estimate"``), a search does not."""
    data = json.loads(text)
    if isinstance(data, dict) and data.get("kind") == "estimate":
        return EstimateRequest.model_validate(data)
    return PlanRequest.model_validate(data)


def main(read: Callable[[], str] = sys.stdin.read) -> int:
    _die_with_parent()
    started = time.monotonic()
    channel = Channel(_take_stdout(), started)
    try:
        request = _request(read())
    except ValueError as exc:
        channel.fail(WorkerError(kind="invalid_input", message=f"bad request on stdin: {exc}"))
        return 2
    try:
        if isinstance(request, EstimateRequest):
            run_estimate(request, channel)
        else:
            run(request, channel)
    except Exception as exc:  # last resort: say what broke instead of dying silently
        message = f"AIConfigurator failed: {type(exc).__name__}: {exc}"
        channel.fail(WorkerError(kind="failed", message=message))
        return 1
    return 0


if __name__ == "__main__":
    status = main()
    sys.stderr.flush()
    os._exit(status)  # skip tearing down pandas, scipy and matplotlib: the answer is sent
