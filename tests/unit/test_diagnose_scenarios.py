"""The scenarios ``diagnose`` is judged on really hold their planted situation, by the reports
that exist beside it (health, topology, metrics, compare)."""

from __future__ import annotations

from typing import Any

import pytest

from grove_mcp import core
from grove_mcp.reports.common import Severity
from grove_mcp.scenarios import PLANTED, SCENARIOS
from grove_mcp.sources import BundleSource

PCS = "my-inference"


def _run(report: str, name: str) -> Any:
    return core.run(report, BundleSource(SCENARIOS[name](), name), None, PCS)


def _role(metrics: Any, role: str) -> Any:
    return next(r for r in metrics.roles if r.role == role)


def _plan_row(metrics: Any, prefix: str) -> Any:
    return next(r for r in metrics.plan if r.metric.startswith(prefix))


def _codes(compare: Any) -> list[str]:
    return [d.code for d in compare.diagnosis]


def _serious(compare: Any) -> list[str]:
    return [d.code for d in compare.diagnosis if d.severity is not Severity.info]


def test_every_planted_scenario_exists():
    assert set(PLANTED) <= set(SCENARIOS)
    assert PLANTED["healthy-served"] == ()


def test_prefill_starved():
    metrics = _run("metrics", "prefill-starved")
    prefill, decode = _role(metrics, "prefill"), _role(metrics, "decode")
    assert prefill.verdict == "saturated" and decode.verdict == "ok"
    assert prefill.pods == prefill.pods_read == 4
    assert prefill.waiting and prefill.waiting.avg / prefill.pods_read >= 3
    assert prefill.kv_cache_usage and prefill.kv_cache_usage.avg >= 0.9
    ttft = _plan_row(metrics, "TTFT")
    assert ttft.met is False and ttft.actual and ttft.actual > 3 * 300
    assert _plan_row(metrics, "TPOT").met is True
    assert _serious(_run("compare", "prefill-starved")) == ["TTFT_PREFILL_QUEUEING"]
    assert _run("health", "prefill-starved").summary.ok
    assert _run("topology", "prefill-starved").placement_score == 1.0


def test_decode_saturated():
    metrics = _run("metrics", "decode-saturated")
    decode = _role(metrics, "decode")
    assert decode.verdict == "saturated" and _role(metrics, "prefill").verdict == "ok"
    assert decode.kv_cache_usage and decode.kv_cache_usage.avg >= 0.95
    tpot = _plan_row(metrics, "TPOT")
    assert tpot.met is False and tpot.actual and tpot.actual > 10
    assert _plan_row(metrics, "TTFT").met is True
    assert _serious(_run("compare", "decode-saturated")) == ["TPOT_DECODE_SATURATED"]
    assert _run("health", "decode-saturated").summary.ok


def test_fragmented_tp():
    topology = _run("topology", "fragmented-tp")
    assert topology.placement_score is not None and topology.placement_score < 1
    [split] = [g for g in topology.gangs if g.verdict == "fragmented"]
    [advice] = [r for r in topology.recommendations if r.gang == split.name and r.feasible]
    assert advice.score_after == 1.0
    assert "GANG_SPLIT" in topology.summary.text
    metrics = _run("metrics", "fragmented-tp")
    assert metrics.summary.ok and all(row.met for row in metrics.plan)
    assert _serious(_run("compare", "fragmented-tp")) == ["SPLIT_PLACEMENT"]
    assert _run("health", "fragmented-tp").summary.ok


def test_breached_near_termination():
    health = _run("health", "breached-near-termination")
    [gang] = [g for g in health.gangs if g.state == "Breached"]
    assert "MIN_AVAILABLE_BREACHED" in {i.code for i in gang.issues}
    assert gang.termination and gang.termination.termination_delay_seconds == 4 * 3600
    assert gang.termination.remaining_seconds == 10 * 60
    assert health.summary.next_termination_seconds == 600
    metrics = _run("metrics", "breached-near-termination")
    assert _plan_row(metrics, "TTFT").met and _plan_row(metrics, "TPOT").met
    assert "TTFT_PREFILL_QUEUEING" not in _codes(_run("compare", "breached-near-termination"))


def test_quota_pending():
    health = _run("health", "quota-pending")
    issues = [i for g in health.gangs for i in g.issues]
    [disagrees] = [i for i in issues if i.code == "SCHEDULER_DISAGREES"]
    assert "gpu-c2 (8 free)" in disagrees.message
    assert disagrees.remediation.startswith("Cause: KAI queue inference: ")
    metrics = _run("metrics", "quota-pending")
    assert _plan_row(metrics, "TTFT").met and _plan_row(metrics, "TPOT").met


def test_no_metrics():
    metrics = _run("metrics", "no-metrics")
    engines = [p for p in metrics.pods if p.role in ("prefill", "decode")]
    assert engines and not any(p.read for p in engines)
    assert not metrics.summary.ok
    assert any("--enable-metrics" in note for note in metrics.notes)
    bundle = SCENARIOS["no-metrics"]()
    assert not bundle.metrics
    args = [
        a
        for o in bundle.objects
        if o["kind"] == "Pod"
        for c in o["spec"]["containers"]
        for a in c.get("args", []) + c.get("command", [])
    ]
    assert "sglang.launch_server" in args and "--enable-metrics" not in args
    assert _run("health", "no-metrics").summary.ok


def test_healthy_served_raises_no_alarm():
    metrics = _run("metrics", "healthy-served")
    assert metrics.summary.ok
    assert all(row.met for row in metrics.plan) and len(metrics.plan) == 3
    for role in ("prefill", "decode"):
        r = _role(metrics, role)
        assert r.verdict == "ok" and r.pods_read == r.pods
        assert r.kv_cache_usage and 0.4 <= r.kv_cache_usage.avg <= 0.6
        assert r.waiting and r.waiting.max == 0
    assert _plan_row(metrics, "TTFT").actual < 300
    assert _plan_row(metrics, "TPOT").actual < 10
    compare = _run("compare", "healthy-served")
    assert compare.summary.ok and _serious(compare) == []
    assert _run("health", "healthy-served").summary.ok
    assert _run("topology", "healthy-served").summary.ok


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_recordings_are_of_the_bundle_s_running_pods(name: str):
    bundle = SCENARIOS[name]()
    running = {
        (o["metadata"]["namespace"], o["metadata"]["name"])
        for o in bundle.objects
        if o["kind"] == "Pod" and o["status"].get("phase") == "Running"
    }
    assert set(bundle.metrics) <= running
    if name not in ("no-metrics", "rolling-update"):
        assert bundle.metrics
