"""Real AIConfigurator runs recorded by tests/aic/capture_fixtures.py, replayed through the
``run=`` seam of ``aic.generate`` (front-end tests that do not need AIConfigurator installed)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from grove_mcp.aic import AicRun, EstimateRequest, EstimateRun, PlanRequest

FIXTURES = Path(__file__).parent / "unit" / "aic" / "fixtures"
FAKE_WORKER = Path(__file__).parent / "unit" / "aic" / "fake_worker.py"


def recorded(name: str) -> AicRun:
    return AicRun.model_validate_json((FIXTURES / f"{name}.json").read_text())


class Replay:
    """A runner that answers with a recorded run and counts its calls."""

    def __init__(self, name: str) -> None:
        self.run = recorded(name)
        self.calls = 0

    def __call__(self, request: PlanRequest, **_: object) -> AicRun:
        self.calls += 1
        return self.run


def recorded_estimate(name: str) -> EstimateRun:
    return EstimateRun.model_validate_json((FIXTURES / f"{name}.json").read_text())


class ReplayEstimate:
    """A ``run_estimate`` stand-in answering with a recorded ``EstimateRun``; counts its calls.

    It answers only the question it recorded: a request that differs (other points, traffic or
    model) fails the test with both requests, instead of quietly answering another question."""

    def __init__(self, name: str) -> None:
        self.run = recorded_estimate(name)
        self.name = name
        self.calls = 0

    def __call__(self, request: EstimateRequest, **_: object) -> EstimateRun:
        self.calls += 1
        if request != self.run.request:
            raise AssertionError(
                f"the recorded estimate {self.name} answers another request:\n"
                f"recorded: {self.run.request.model_dump_json()}\n"
                f"asked:    {request.model_dump_json()}\n"
                "re-record it with tests/aic/capture_fixtures.py"
            )
        return self.run


def flags(name: str) -> dict[str, object]:
    """The recorded run's request, as keyword arguments of ``make_request`` / the MCP tool."""
    return recorded(name).request.model_dump(exclude_none=True)


def fake_worker(behaviour: str, fixture: str | None = None) -> list[str]:
    """The command line of the protocol-speaking stand-in child (tests/unit/aic/fake_worker.py),
    for the real runner's ``command=``: process handling without AIConfigurator."""
    extra = [str(FIXTURES / f"{fixture}.json")] if fixture else []
    return [sys.executable, str(FAKE_WORKER), behaviour, *extra]


def runner_with(command: list[str]) -> Callable[..., AicRun]:
    """``aic.run_aiconfigurator`` bound to ``command``."""
    from grove_mcp.aic import run_aiconfigurator

    return lambda request, **kw: run_aiconfigurator(request, command=command, **kw)


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait (on the kernel's exit event for ``pid``, not by polling) until process ``pid``
    exits, at most ``timeout`` seconds; True when it is gone."""
    import select

    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
        return bool(ready) or not alive(pid)
    finally:
        os.close(fd)


def alive(pid: int) -> bool:
    """True while process ``pid`` runs (a zombie, exited but not reaped, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def documents(text: str) -> dict[str, dict]:
    """The objects of a generated multi-document YAML, by kind (each kind appears once)."""
    import yaml

    found: dict[str, dict] = {}
    for doc in yaml.safe_load_all(text):
        assert doc["kind"] not in found, f"two {doc['kind']} objects"
        found[doc["kind"]] = doc
    return found


def pcs_of(text: str) -> dict:
    """The PodCliqueSet of a generated YAML (the last document, after what its pods need)."""
    return documents(text)["PodCliqueSet"]
