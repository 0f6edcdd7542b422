"""Alert decisions: one message per gang per state change, the countdown once, recovery once."""

from __future__ import annotations

from typing import Any

import pytest

from grove_mcp.core import run
from grove_mcp.reports.common import GangState
from grove_mcp.reports.health import HealthList
from grove_mcp.sources import demo_source
from slack_bot.alerts import decide

HOUR = 3600.0


@pytest.fixture(scope="module")
def demo() -> HealthList:
    report = run("health", demo_source(), None, None)
    assert isinstance(report, HealthList)
    return report


def _with_state(report: HealthList, state: GangState, **termination: Any) -> HealthList:
    """The demo with every breached gang put in ``state`` (and its countdown changed)."""
    data = report.model_dump()
    for item in data["items"]:
        for gang in item["gangs"]:
            if gang["state"] == GangState.breached.value:
                gang["state"] = state.value
                if gang["termination"] is not None:
                    gang["termination"].update(termination)
    return HealthList.model_validate(data)


def test_the_demo_has_one_breached_gang_with_a_countdown(demo: HealthList) -> None:
    breached = [g for i in demo.items for g in i.gangs if g.state is GangState.breached]
    assert len(breached) == 1 and breached[0].termination is not None


def test_a_breach_is_told_once_then_nothing_until_it_changes(demo: HealthList) -> None:
    known, alerts = decide({}, demo, countdown_below=10 * 60)
    assert [a.kind for a in alerts] == ["breached"]
    assert "Breached" in alerts[0].text and "my-inference" in alerts[0].text
    for _ in range(3):  # the same state again (a watch event of another object, a tick)
        known, again = decide(known, demo, countdown_below=10 * 60)
        assert again == []


def test_the_countdown_below_the_threshold_is_told_once_in_the_thread(demo: HealthList) -> None:
    known, _ = decide({}, demo, countdown_below=10 * 60)  # 3h42m left: above 10 m
    closer = _with_state(demo, GangState.breached, remaining_seconds=9 * 60)
    known, alerts = decide(known, closer, countdown_below=10 * 60)
    assert [a.kind for a in alerts] == ["countdown"]
    assert "in 9m" in alerts[0].text
    closer_still = _with_state(demo, GangState.breached, remaining_seconds=60)
    _, alerts = decide(known, closer_still, countdown_below=10 * 60)
    assert alerts == []


def test_a_breach_already_under_the_threshold_is_one_message_not_two(demo: HealthList) -> None:
    known, alerts = decide({}, demo, countdown_below=5 * HOUR)
    assert [a.kind for a in alerts] == ["breached"]
    assert "under the alert threshold" in alerts[0].text
    _, alerts = decide(known, demo, countdown_below=5 * HOUR)
    assert alerts == []


def test_recovery_is_told_once_and_a_new_breach_again(demo: HealthList) -> None:
    known, _ = decide({}, demo, countdown_below=600)
    healed = _with_state(demo, GangState.healthy)
    known, alerts = decide(known, healed, countdown_below=600)
    assert [a.kind for a in alerts] == ["recovered"]
    known, alerts = decide(known, healed, countdown_below=600)
    assert alerts == []
    _, alerts = decide(known, demo, countdown_below=600)
    assert [a.kind for a in alerts] == ["breached"]


def test_healthy_gangs_raise_nothing(demo: HealthList) -> None:
    _, alerts = decide({}, _with_state(demo, GangState.healthy), countdown_below=5 * HOUR)
    assert alerts == []


def test_a_breached_gang_that_disappears_is_told_gone_once(demo: HealthList) -> None:
    known, _ = decide({}, demo, countdown_below=600)
    data = demo.model_dump()
    for item in data["items"]:
        item["gangs"] = [g for g in item["gangs"] if g["state"] != GangState.breached.value]
    without = HealthList.model_validate(data)
    known, alerts = decide(known, without, countdown_below=600)
    assert [a.kind for a in alerts] == ["gone"] and "is gone" in alerts[0].text
    _, alerts = decide(known, without, countdown_below=600)
    assert alerts == []
