"""Record AIConfigurator's answers for ``replan --demo`` (needs the [generate] extra).

Runs the real re-plan on the embedded demo with --force (the demo is deliberately unsteady),
records every AIConfigurator request and answer, and writes them where ``grove_mcp.demo``
replays them. Rerun after changing the demo bundle or the re-plan's requests:
``python tools/record_demo_aic.py``."""

from __future__ import annotations

import sys
from typing import Any

from grove_mcp import aic, core
from grove_mcp.demo.recorded import ESTIMATE, SEARCH, recorded_dir
from grove_mcp.sources import demo_source

DEMO_PCS = "my-inference"


class Recorder:
    """Wraps a runner and keeps what it answered."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner
        self.answers: list[Any] = []

    def __call__(self, request: Any, **kw: Any) -> Any:
        answer = self.runner(request, **kw)
        self.answers.append(answer)
        return answer


def main() -> int:
    search, estimate = Recorder(aic.run_aiconfigurator), Recorder(aic.run_estimate)
    args = core.ReplanArgs(force=True, run=search, estimate=estimate)
    report = core.run("replan", demo_source(), None, DEMO_PCS, args)
    print(report.summary.text, file=sys.stderr)  # type: ignore[attr-defined]
    if len(search.answers) != 1 or not estimate.answers:
        print("the re-plan made no search or no estimate: nothing recorded", file=sys.stderr)
        return 1
    points = [p for run in estimate.answers for p in run.points]
    asked = [p for run in estimate.answers for p in run.request.points]
    merged = estimate.answers[0].model_copy(
        update={
            "points": points,
            "request": estimate.answers[0].request.model_copy(update={"points": asked}),
        }
    )
    where = recorded_dir()
    where.mkdir(exist_ok=True)
    (where / SEARCH).write_text(search.answers[0].model_dump_json(indent=1) + "\n", "utf-8")
    (where / ESTIMATE).write_text(merged.model_dump_json(indent=1) + "\n", "utf-8")
    print(f"wrote {where / SEARCH} and {where / ESTIMATE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
