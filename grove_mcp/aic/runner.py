"""Parent side: run AIConfigurator in a child process, stream its progress, enforce a deadline.

Why a subprocess (``python -m grove_mcp.aic.worker``) rather than ``multiprocessing`` spawn:
- the parent never imports aiconfigurator (300–500 MB, pandas, scipy, matplotlib), and all of it is
  returned to the OS when the child exits: the MCP server's memory stays flat;
- spawn re-imports the parent's ``__main__`` (the MCP server or the CLI) in the child, and shares
  the parent's stdout, which the MCP stdio transport owns; a subprocess gets its own pipes;
- the child can run another interpreter (``GROVE_MCP_AIC_PYTHON``: a venv holding AIConfigurator),
  keeping the 850 MB extra out of the main install;
- on timeout or cancel the whole process group is killed, leaving nothing behind.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

from pydantic import BaseModel

from ..errors import (
    INSTALL_HINT,
    AicFailed,
    AicNotInstalled,
    AicTimeout,
    AicUnsupported,
    GroveError,
    InvalidInput,
    SlaUnmeetable,
)
from .protocol import AicProgress, AicRun, EstimateRun, WorkerError
from .request import EstimateRequest, PlanRequest

ProgressCallback = Callable[[AicProgress], None]
_Run = TypeVar("_Run", AicRun, EstimateRun)

DEFAULT_TIMEOUT_S = 600.0  # DeepSeek-V3 on 32 GPUs took 376 s on a busy 2-core box
DEFAULT_ESTIMATE_TIMEOUT_S = 300.0  # 16 points of a large MoE model on a busy 2-core box
PYTHON_ENV = "GROVE_MCP_AIC_PYTHON"
_HEARTBEAT_S = 1.0
_EOF = object()


# For another interpreter: find grove_mcp where this one has it, but AFTER that interpreter's own
# packages (PYTHONPATH would put ours, e.g. another numpy, in front of AIConfigurator's).
_BOOTSTRAP = (
    "import runpy, sys; sys.path.append(sys.argv.pop(1)); "
    "runpy.run_module('grove_mcp.aic.worker', run_name='__main__')"
)


def worker_command(python: str | None = None) -> list[str]:
    """The child's command line: the given interpreter, ``$GROVE_MCP_AIC_PYTHON``, or our own."""
    interpreter = python or os.environ.get(PYTHON_ENV) or sys.executable
    if interpreter == sys.executable:
        return [interpreter, "-m", "grove_mcp.aic.worker"]
    package_root = str(Path(__file__).resolve().parents[2])  # the directory holding grove_mcp/
    return [interpreter, "-c", _BOOTSTRAP, package_root]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("MPLBACKEND", "Agg")  # AIConfigurator imports matplotlib; never a GUI backend
    return env


def _pump(stream: IO[str], sink: Callable[[Any], None], end: bool) -> None:
    for line in stream:
        sink(line)
    if end:
        sink(_EOF)


class _Child:
    """One running worker: its pipes, reader threads and the tail of its stderr."""

    def __init__(self, command: Sequence[str], request: BaseModel) -> None:
        self.started = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                list(command),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                env=_child_env(),
                start_new_session=True,
            )
        except OSError as exc:
            raise AicNotInstalled(
                f"Cannot start the AIConfigurator worker with {command[0]}: {exc}. "
                f"Install the extra ({INSTALL_HINT}) or point {PYTHON_ENV} at a Python that has it."
            ) from None
        self.messages: queue.Queue[Any] = queue.Queue()
        self.stderr_tail: deque[str] = deque(maxlen=20)
        assert self.proc.stdin and self.proc.stdout and self.proc.stderr
        threading.Thread(
            target=_pump, args=(self.proc.stdout, self.messages.put, True), daemon=True
        ).start()
        threading.Thread(
            target=_pump,
            args=(self.proc.stderr, lambda s: self.stderr_tail.append(s.rstrip()), False),
            daemon=True,
        ).start()
        try:
            self.proc.stdin.write(request.model_dump_json())
            self.proc.stdin.close()
        except BrokenPipeError:
            pass  # the child died at once; its exit is reported below

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def kill(self) -> None:
        """End the child's whole process group (it is our own session), politely first."""
        if self.proc.poll() is not None:
            return
        for sig, grace in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(grace)
                return
            except subprocess.TimeoutExpired:
                continue

    def last_words(self) -> str:
        lines = [line for line in self.stderr_tail if line.strip()]
        return " | ".join(lines[-5:]) or "no output"


def run_aiconfigurator(
    request: PlanRequest,
    *,
    on_progress: ProgressCallback | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    cancel: threading.Event | None = None,
    command: Sequence[str] | None = None,
) -> AicRun:
    """Run one AIConfigurator search in a child process and return its plain-JSON result.

    ``on_progress`` receives phase events from the child plus a heartbeat about every second
    (elapsed time re-measured here). Raises ``AicTimeout`` past ``timeout_s``, ``AicFailed`` on
    cancel or crash, ``AicNotInstalled``, ``AicUnsupported`` or ``SlaUnmeetable`` as the child
    reports. ``command`` replaces the worker command line (tests use a fake worker).
    """
    return _run_child(
        request,
        AicRun,
        on_progress=on_progress,
        timeout_s=timeout_s,
        cancel=cancel,
        command=command,
        job="Plan generation",
        usual="Runs take 10-90 s on 2 cores (large MoE models the longest)",
    )


def run_estimate(
    request: EstimateRequest,
    *,
    on_progress: ProgressCallback | None = None,
    timeout_s: float = DEFAULT_ESTIMATE_TIMEOUT_S,
    cancel: threading.Event | None = None,
    command: Sequence[str] | None = None,
) -> EstimateRun:
    """Estimate every point of ``request`` in one child process (AIConfigurator imported once).

    A point AIConfigurator cannot model comes back with its ``error`` set; the run fails only as
    ``run_aiconfigurator`` does (not installed, unsupported model/system/backend, timeout,
    cancel, crash), with the same progress, deadline and process-group kill.
    """
    return _run_child(
        request,
        EstimateRun,
        on_progress=on_progress,
        timeout_s=timeout_s,
        cancel=cancel,
        command=command,
        job="The estimate",
        usual="An estimate takes 2-5 s to start and 1-4 s per point on 2 cores",
    )


def _run_child(
    request: BaseModel,
    result: type[_Run],
    *,
    on_progress: ProgressCallback | None,
    timeout_s: float,
    cancel: threading.Event | None,
    command: Sequence[str] | None,
    job: str,
    usual: str,
) -> _Run:
    """Drive one worker: stream progress, enforce the deadline and cancel, parse its answer."""
    child = _Child(command or worker_command(), request)
    last = AicProgress(phase="starting", message="starting AIConfigurator", elapsed_s=0, fraction=0)
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise AicFailed(f"{job} was cancelled; AIConfigurator was stopped.")
            remaining = timeout_s - child.elapsed
            if remaining <= 0:
                raise AicTimeout(
                    f"AIConfigurator did not finish within {timeout_s:g} s (last step: "
                    f"{last.message}). {usual}; retry with a longer timeout."
                )
            try:
                item = child.messages.get(timeout=min(_HEARTBEAT_S, remaining))
            except queue.Empty:
                last = last.model_copy(update={"elapsed_s": round(child.elapsed, 3)})
                _notify(on_progress, last)
                continue
            if item is _EOF:
                code = child.proc.wait()
                raise AicFailed(
                    f"The AIConfigurator worker exited (status {code}) without a result: "
                    f"{child.last_words()}"
                )
            message = _parse(item)
            if message is None:
                continue
            kind = message.get("type")
            if kind == "progress":
                last = AicProgress.model_validate(message["progress"]).model_copy(
                    update={"elapsed_s": round(child.elapsed, 3)}
                )
                _notify(on_progress, last)
            elif kind == "result":
                run = result.model_validate(message["run"])
                child.proc.wait(10)
                return run.model_copy(update={"wall_s": round(child.elapsed, 3)})
            elif kind == "error":
                child.proc.wait(10)
                raise _error(WorkerError.model_validate(message["error"]))
    finally:
        child.kill()


def _parse(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None  # not ours: the protocol pipe carries only our JSON lines
    return value if isinstance(value, dict) else None


def _notify(callback: ProgressCallback | None, progress: AicProgress) -> None:
    if callback is not None:
        callback(progress)


def _error(error: WorkerError) -> GroveError:
    if error.kind == "not_installed":
        return AicNotInstalled(error.message)
    if error.kind == "unsupported":
        return AicUnsupported(
            error.message, error.what or "input", error.value or "", error.supported
        )
    if error.kind == "sla_unmeetable":
        return SlaUnmeetable(error.message)
    if error.kind == "invalid_input":
        return InvalidInput(error.message)
    return AicFailed(error.message)
