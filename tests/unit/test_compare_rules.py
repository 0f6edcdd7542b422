"""compare's diagnosis rules (grove_mcp/performance/rules.py), each on the demo's real reports
changed just enough to fire it, or not to."""

from __future__ import annotations

import pytest

from grove_mcp import core
from grove_mcp.performance.rules import Facts, diagnose
from grove_mcp.planfile import Plan, plan_from_json
from grove_mcp.reports.metrics import (
    GaugeValue,
    Latency,
    MetricsReport,
    QuantileValue,
    RoleMetrics,
    Verdict,
)
from grove_mcp.reports.topology import TopologyReport
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.scenarios.catalog import DEMO_ISL
from grove_mcp.sources import demo_source

PCS = "my-inference"


@pytest.fixture(scope="module")
def demo() -> tuple[MetricsReport, TopologyReport, Plan]:
    source = demo_source()
    metrics = core.run("metrics", source, None, PCS)
    topology = core.run("topology", source, None, PCS)
    cm = next(o for o in SCENARIOS["demo"]().objects if o["kind"] == "ConfigMap")
    assert isinstance(metrics, MetricsReport) and isinstance(topology, TopologyReport)
    return metrics, topology, plan_from_json(cm["data"]["plan.json"], "demo plan")


def _lat(p99: float) -> Latency:
    q = QuantileValue(ms=p99)
    return Latency(p50=q, p90=q, p99=q, mean_ms=p99, observations=100, metric="m", source="s")


def _role(role: RoleMetrics, verdict: Verdict, kv: float, waiting: float, **more) -> RoleMetrics:
    g = GaugeValue(avg=kv, max=kv, samples=4)
    w = GaugeValue(avg=waiting, max=waiting, samples=4)
    return role.model_copy(update={"verdict": verdict, "kv_cache_usage": g, "waiting": w, **more})


def _codes(facts: Facts) -> tuple[list[str], list[str]]:
    diagnosis, actions = diagnose(facts)
    return [d.code for d in diagnosis], [a.action for a in actions]


def _facts(demo, metrics=None, topology="same", plan=None) -> Facts:
    m, t, p = demo
    return Facts(
        PCS, m.namespace, plan or p, metrics or m, t if topology == "same" else topology, []
    )


def test_the_demo_fires_queueing_imbalance_placement_and_not_running(demo):
    codes, actions = _codes(_facts(demo))
    assert codes[:4] == [
        "FEWER_THAN_PLANNED", "TTFT_PREFILL_QUEUEING", "LOAD_IMBALANCE", "SPLIT_PLACEMENT"
    ]  # fmt: skip
    assert any(a.startswith("Bring back the 1 prefill pod(s)") for a in actions)
    assert "TPOT_DECODE_SATURATED" not in codes  # ITL p99 9.6 ms is within 10 ms


def test_queueing_everywhere_asks_for_k_more_workers_from_the_queue(demo):
    m = demo[0]
    roles = [
        _role(r, Verdict.saturated, 0.7, 9.0, pods=3, pods_read=3) if r.role == "prefill" else r
        for r in m.roles
    ]
    pods = [p.model_copy(update={"waiting_avg": 3.0}) if p.role == "prefill" else p for p in m.pods]
    facts = _facts(demo, m.model_copy(update={"roles": roles, "pods": pods}))
    _, actions = _codes(facts)
    # 3 pods with 3 queued each: k = floor(3 * (3 - 1)) + 1 = 7 → 3/10 = 0.9 per pod
    assert "Add 7 prefill worker(s) to role prefill (3 → 10)." in actions


def test_ttft_over_without_queueing_is_prefill_compute_and_cites_the_measured_isl(demo):
    m = demo[0]
    roles = [_role(r, Verdict.ok, 0.5, 0.0) if r.role == "prefill" else r for r in m.roles]
    diagnosis, _ = diagnose(_facts(demo, m.model_copy(update={"roles": roles})))
    compute = next(d for d in diagnosis if d.code == "TTFT_PREFILL_COMPUTE")
    # the demo serves DEMO_ISL tokens per request; its plan assumed 4000
    assert f"measured ISL {DEMO_ISL} tokens vs planned 4000" in compute.evidence


def test_tpot_over_with_decode_saturated_asks_for_decode_workers_from_kv(demo):
    m = demo[0]
    roles = [_role(r, Verdict.saturated, 0.96, 0.0) if r.role == "decode" else r for r in m.roles]
    facts = _facts(demo, m.model_copy(update={"roles": roles, "itl": _lat(14.0)}))
    codes, actions = _codes(facts)
    assert "TPOT_DECODE_SATURATED" in codes
    # 4 pods at 96%: k = ceil(4 * (0.96/0.8 - 1)) = 1 → 96% x 4/5 = 77%
    assert "Add 1 decode worker(s) to role decode (4 → 5)." in actions


def test_a_saturated_role_beside_an_idle_one_is_a_ratio_off_the_plan(demo):
    m = demo[0]
    roles = [
        _role(r, Verdict.underutilized, 0.1, 0.0) if r.role == "decode" else r for r in m.roles
    ]
    codes, _ = _codes(_facts(demo, m.model_copy(update={"roles": roles})))
    assert "ROLE_RATIO_OFF" in codes


def test_nothing_fires_when_the_plan_is_met_and_placement_is_tight(demo):
    m = demo[0]
    roles = [_role(r, Verdict.ok, 0.5, 0.0) for r in m.roles]
    pods = [p.model_copy(update={"waiting_avg": 0.0, "read": True, "error": None}) for p in m.pods]
    throughput = m.throughput.model_copy(update={"output_tokens_per_second_per_gpu": 600.0})
    met = m.model_copy(
        update={
            "roles": roles,
            "pods": pods,
            "ttft": _lat(250),
            "itl": _lat(8),
            "throughput": throughput,
        }
    )
    assert _codes(_facts(demo, met, topology=None)) == ([], [])


def test_less_traffic_than_planned_is_said_without_an_action(demo):
    m = demo[0]
    roles = [_role(r, Verdict.underutilized, 0.1, 0.0) for r in m.roles]
    pods = [p.model_copy(update={"waiting_avg": 0.0, "read": True, "error": None}) for p in m.pods]
    low = m.model_copy(update={"roles": roles, "pods": pods, "ttft": _lat(100), "itl": _lat(5)})
    diagnosis, actions = diagnose(_facts(demo, low, topology=None))
    assert [d.code for d in diagnosis] == ["THROUGHPUT_BELOW_PLAN"] and actions == []
