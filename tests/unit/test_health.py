"""``health``: gang states, thresholds, Grove's termination countdown, and the issues found."""

from __future__ import annotations

from unit_helpers import scenario_snapshot

from grove_mcp.capabilities.health import build_health


def _health(name: str, pcs: str = "my-inference"):
    return build_health(scenario_snapshot(name, pcs, events=True, grove_version=True), pcs)


def test_demo_breach_countdown():
    report = _health("demo")
    healthy, breached = report.gangs
    assert healthy.healthy and healthy.termination is None and healthy.issues == []
    assert breached.state == "Breached"
    countdown = breached.termination
    assert countdown is not None and countdown.why.startswith("treated as once scheduled")
    assert countdown.applies_to.startswith("Grove v0.1.0-alpha.12-rc1 and later")
    assert countdown.subject == "podclique/my-inference-1-prefill"
    assert countdown.remaining_seconds == 4 * 3600 - 18 * 60  # 3h 42m
    assert countdown.remaining_fraction == 0.925
    assert "every PodClique of PCS replica 1" in countdown.action
    prefill = next(c for c in breached.cliques if c.clique == "prefill")
    assert (prefill.threshold, prefill.breached) == ("below", True)
    assert [i.code for i in breached.issues] == ["MIN_AVAILABLE_BREACHED", "POD_UNSCHEDULABLE"]
    pending = breached.issues[1]
    assert "Insufficient nvidia.com/gpu" in pending.message
    assert "4 free GPU" in pending.remediation
    assert any("FailedScheduling ×14" in e for e in pending.evidence)
    assert report.summary.text == (
        "1/2 gangs healthy | 1 gang at risk of termination (next in 3h 42m)"
    )


def test_countdown_near_the_end_with_a_crash_loop():
    report = _health("breached-countdown")
    gang = report.gangs[1]
    assert gang.termination is not None
    assert gang.termination.remaining_seconds == 10 * 60
    codes = [i.code for i in gang.issues]
    assert "CRASH_LOOP" in codes
    crash = next(i for i in gang.issues if i.code == "CRASH_LOOP")
    assert "--previous" in crash.remediation and "7 restarts" in crash.message


def test_startup_breach_of_a_never_scheduled_clique_is_not_a_risk_but_a_scheduled_one_is():
    gang = _health("pending-gpus").gangs[1]
    verdicts = {v.subject: v for v in gang.breaches}
    prefill = verdicts["podclique/my-inference-1-prefill"]
    assert prefill.counts is False and prefill.reason.startswith("never scheduled")
    # decode's pods were scheduled (PodCliqueScheduled=True): Grove counts its breach
    assert verdicts["podclique/my-inference-1-decode"].counts is True
    assert gang.termination is not None
    assert gang.termination.subject == "podclique/my-inference-1-decode"


def test_replicas_without_podcliques():
    from grove_mcp.scenarios import demo
    from grove_mcp.snapshot import SnapshotRequest, fetch_snapshot
    from grove_mcp.sources import Bundle, BundleSource

    bundle = demo()
    only_pcs = Bundle(
        bundle.manifest,
        tuple(o for o in bundle.objects if o["kind"] not in ("PodClique", "PodGang", "Pod")),
    )
    snapshot = fetch_snapshot(
        BundleSource(only_pcs), SnapshotRequest("vllm-disagg", "my-inference", events=True)
    )
    report = build_health(snapshot, "my-inference")
    assert [i.code for i in report.issues] == ["NO_PODCLIQUES"]
    assert not report.summary.ok and "no PodCliques exist" in report.summary.text


def test_rolling_update_breach_unknown():
    report = _health("rolling-update")
    gang = report.gangs[0]
    assert gang.state == "Updating" and gang.termination is None
    assert {c.breached for c in gang.cliques} == {None}


def test_scaled_gang_waits_for_its_base():
    report = _health("epoch-gangs", "mn-disagg")
    base, scaled = report.gangs
    assert scaled.state == "Gated"
    gated = [i for i in scaled.issues if i.code == "POD_GATED"]
    assert len(gated) == 2 and all(base.name in i.message for i in gated)
    # The PCSG itself is breached: the whole replica is at stake, from either gang.
    assert base.termination is not None
    assert base.termination.subject == "podcliquescalinggroup/mn-disagg-0-decode"
    assert base.termination.termination_delay_seconds == 15 * 60
