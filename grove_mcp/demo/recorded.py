"""AIConfigurator's recorded answers for the demo, replayed in place of the child process.

A replay answers only what was recorded: the same search request, and estimate points with the
same label and configuration; anything else is refused saying the demo has no answer for it."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from ..aic import AicRun, EstimateRequest, EstimateRun, PlanRequest
from ..errors import AicFailed

SEARCH = "replan-search.json"
ESTIMATE = "replan-estimate.json"


def recorded_dir() -> Path:
    return Path(str(resources.files("grove_mcp") / "demo" / "aiconfigurator"))


def _missing(what: str) -> AicFailed:
    return AicFailed(
        f"The demo recorded no AIConfigurator answer for {what}: run against a cluster with "
        "AIConfigurator installed (pip install 'grove-mcp[generate]')."
    )


class _Search:
    def __init__(self, run: AicRun) -> None:
        self.recorded = run

    def __call__(self, request: PlanRequest, **_: Any) -> AicRun:
        if request != self.recorded.request:
            raise _missing(f"the search {request.model_dump_json(exclude_none=True)}")
        return self.recorded


class _Estimate:
    def __init__(self, run: EstimateRun) -> None:
        self.recorded = run
        self.asked = {p.label: p for p in run.request.points}

    def __call__(self, request: EstimateRequest, **_: Any) -> EstimateRun:
        for p in request.points:
            if self.asked.get(p.label) != p:
                raise _missing(f"the estimate {p.model_dump_json(exclude_none=True)}")
        points = [self.recorded.point(p.label) for p in request.points]
        return self.recorded.model_copy(update={"request": request, "points": points})


def recorded_aiconfigurator() -> dict[str, Any]:
    """The ``run`` and ``estimate`` runners of ``ReplanArgs`` replaying the demo's recording."""
    where = recorded_dir()
    return {
        "run": _Search(AicRun.model_validate_json((where / SEARCH).read_text("utf-8"))),
        "estimate": _Estimate(
            EstimateRun.model_validate_json((where / ESTIMATE).read_text("utf-8"))
        ),
    }
