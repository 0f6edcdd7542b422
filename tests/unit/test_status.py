"""``status`` on named scenarios."""

from __future__ import annotations

import pytest
from unit_helpers import scenario_snapshot

from grove_mcp.capabilities.status import build_status, build_status_all
from grove_mcp.errors import NotFound


def test_demo_status():
    report = build_status(scenario_snapshot("demo"), "my-inference")
    assert (report.overview.replicas, report.overview.available_replicas) == (2, 1)
    assert report.overview.age_seconds == 2 * 3600 + 15 * 60
    assert report.overview.topology_constraint == "preferred=rack"
    rows = {(c.replica_index, c.clique): c for c in report.cliques}
    assert [c.clique for c in report.cliques[:3]] == ["router", "prefill", "decode"]
    prefill = rows[(1, "prefill")]
    assert (prefill.ready, prefill.replicas, prefill.min_available, prefill.ready_percent) == (
        1,
        2,
        2,
        50,
    )
    assert prefill.breached and prefill.breach_reason == "ScheduledReplicasBelowMinAvailable"
    assert [(g.name, g.state.value) for g in report.gangs] == [
        ("my-inference-0", "Healthy"),
        ("my-inference-1", "Breached"),
    ]
    assert report.gangs[0].derived_placement.score == 1.0
    assert report.gangs[1].derived_placement.score == pytest.approx(0.65)
    assert report.gangs[1].reported_placement_score is None
    assert report.gangs[1].phase == "Pending"
    assert not report.summary.ok
    assert report.summary.text == (
        "6 cliques | 9/10 pods ready | 1/2 gangs healthy | 1/2 replicas available"
    )


def test_healthy():
    report = build_status(scenario_snapshot("healthy"), "my-inference")
    assert report.summary.ok
    assert all(g.state == "Healthy" and g.derived_placement.score == 1.0 for g in report.gangs)


def test_rolling_update_in_progress():
    report = build_status(scenario_snapshot("rolling-update"), "my-inference")
    update = report.overview.update
    assert update is not None and update.in_progress and update.replicas_updating == [0]
    assert (update.updated_cliques, update.total_cliques) == (3, 6)
    assert report.gangs[0].state == "Updating"
    assert {c.breached for c in report.cliques if c.replica_index == 0} == {None}


def test_legacy_alpha8_shapes():
    report = build_status(scenario_snapshot("legacy-alpha8"), "my-inference")
    update = report.overview.update
    assert update is not None and update.legacy_field and update.in_progress
    assert update.total_cliques is None and update.replicas_updating == [0]
    assert report.overview.topology_constraint == "required=rack (legacy packDomain)"
    assert report.gangs[1].derived_placement.levels[0].domain == "region"


def test_podgang_without_phase():
    report = build_status(scenario_snapshot("podgang-without-phase"), "my-inference")
    assert report.gangs[0].phase is None
    assert report.gangs[0].state == "Healthy"


def test_epoch_named_gangs_are_read_not_predicted():
    report = build_status(scenario_snapshot("epoch-gangs", "mn-disagg"), "mn-disagg")
    names = [g.name for g in report.gangs]
    assert names == ["mn-disagg-0-1795180000000000000", "mn-disagg-0-1795180000000000000-decode-1"]
    scaled = report.gangs[1]
    assert scaled.base_gang == names[0]
    assert scaled.state == "Gated" and "base gang" in scaled.reason
    scaled_cliques = [c for c in report.cliques if c.gang == scaled.name]
    assert {c.clique for c in scaled_cliques} == {"dleader", "dworker"}
    assert all(c.scaling_group == "mn-disagg-0-decode" for c in scaled_cliques)


def test_all_in_namespace():
    report = build_status_all(scenario_snapshot("demo", None))
    assert [i.overview.name for i in report.items] == ["my-inference"]


def test_unknown_name_lists_what_exists():
    with pytest.raises(NotFound, match="Did you mean 'my-inference'") as err:
        scenario_snapshot("demo", "my-inferenc")
    assert err.value.available == ["my-inference"]
