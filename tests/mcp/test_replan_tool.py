"""``grove_replan`` through the SDK's in-memory client on the demo server (AIConfigurator's
answers recorded for the demo): the structured ReplanReport, increasing progress, the
not-steady answer that calls no AIConfigurator, and bad input as tool errors."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from mcp_helpers import check_answer, text_of

import grove_mcp.demo
from grove_mcp import core
from grove_mcp.core.budget_generate import GENERATE_BUDGET_BYTES
from grove_mcp.reports.replan import ReplanReport
from grove_mcp.sources import demo_source
from tests.replan_world import CountedRunners, counted_demo_runners

pytestmark = pytest.mark.anyio
NAME = "my-inference"


#: What each runner reports while it works, as the real runner's child does (fractions).
STEPS = (0.25, 0.5, 1.0)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> CountedRunners:
    return counted_demo_runners(monkeypatch, STEPS)


async def _call(server: Any, arguments: dict[str, Any], seen: list | None = None) -> Any:
    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        if seen is not None:
            seen.append((progress, total, message))

    async with Client(server) as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == "grove_replan")
        result = await client.call_tool("grove_replan", arguments, progress_callback=on_progress)
    return tool, result


def _without_clock(data: dict[str, Any]) -> dict[str, Any]:
    """Fields that depend on when it ran: the timings and the plan's createdAt."""
    out = {k: v for k, v in data.items() if k != "timings"}
    if out.get("proposal"):
        plan = {k: v for k, v in out["proposal"]["plan"].items() if k != "createdAt"}
        out["proposal"] = {**out["proposal"], "plan": plan}
    return out


async def test_forced_replan_is_the_core_report_with_increasing_progress(demo_server, counted):
    seen: list[tuple[float, float | None, str | None]] = []
    tool, result = await _call(demo_server, {"name": NAME, "force": True}, seen)
    data = check_answer(tool, result, GENERATE_BUDGET_BYTES)  # a manifest rides in it
    report = ReplanReport.model_validate(data)
    assert report.proposal is not None and report.proposal.forced
    assert not report.steady and report.answer.startswith("NOT STEADY, shown because of --force")
    assert report.proposal.manifest and report.proposal.plan.model == "Qwen/Qwen3-32B"
    assert counted.calls["run"] == 1 and counted.calls["estimate"] >= 1
    # the same report as the core gives (CLI -o json): the contract is one
    direct = core.run(
        "replan",
        demo_source(),
        None,
        NAME,
        core.ReplanArgs(force=True, **grove_mcp.demo.recorded.recorded_aiconfigurator()),
    )
    assert isinstance(direct, ReplanReport)
    assert _without_clock(data) == _without_clock(direct.model_dump(mode="json"))
    values = [p for p, _, _ in seen]
    assert values == sorted(values) and len(set(values)) == len(values), values  # increasing
    assert values[0] == 0 and values[-1] == 100 and seen[-1][2] == "Answer ready"
    assert all(total == 100 for _, total, _ in seen)
    # AIConfigurator's share, 30-99 %: the deployed estimate in [0, 0.2] of it, the search in
    # [0.2, 0.9], the proposal's p90 estimate in [0.9, 1]; each runner's steps mapped inside
    # ("Answer ready" alone is 100)
    shares = [(0.0, 0.2), (0.2, 0.9), (0.9, 1.0)]
    expected = [min(30 + 69 * (lo + (hi - lo) * f), 99.0) for lo, hi in shares for f in STEPS]
    assert values[1:-1] == pytest.approx(expected, abs=0.06)


async def test_without_force_it_answers_not_steady_and_asks_no_aiconfigurator(demo_server, counted):
    tool, result = await _call(demo_server, {"name": NAME})
    data = check_answer(tool, result)
    assert data["summary"]["text"].startswith("not steady")
    assert data["proposal"] is None and not data["steady"]
    assert any("MIN_AVAILABLE_BREACHED" in r for r in data["unsteady_reasons"])
    assert "--force" in data["answer"]
    assert counted.calls == {"run": 0, "estimate": 0}


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        ({"name": NAME, "backend": "tensorflow"}, "sglang"),  # the schema's enum
        ({"name": "My_Inference!"}, "My_Inference!"),  # not a Kubernetes name
        ({"name": NAME, "total_gpus": 0}, "greater than or equal to 1"),
        ({"name": "no-such-pcs"}, "my-inference"),  # not found: says what exists
        ({"name": NAME, "plan": "{not json"}, "the plan argument"),
    ],
)
async def test_bad_input_is_a_clear_tool_error(demo_server, counted, arguments, said):
    _, result = await _call(demo_server, arguments)
    assert result.is_error, text_of(result)
    assert said in text_of(result)
    assert "Traceback" not in text_of(result)
    assert counted.calls == {"run": 0, "estimate": 0}
