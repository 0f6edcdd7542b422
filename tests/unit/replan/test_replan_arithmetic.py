"""The re-plan's arithmetic against hand-computed values: calibration factors, replicas sized
from the observed rate, the expected effect scaled by the calibration, and the assumptions."""

from __future__ import annotations

import math

import pytest

from grove_mcp.aic import EstimatePointResult
from grove_mcp.errors import InvalidInput
from grove_mcp.planfile import Plan
from grove_mcp.replan import Assumptions
from grove_mcp.replan.assumptions import resolve
from grove_mcp.replan.calibrate import calibrate, scale_of
from grove_mcp.replan.observe import Observed
from grove_mcp.replan.propose import HEADROOM, expected_rows, size_replicas
from tests.unit.plan_helpers import demo_plan


def _estimate(ttft: float, tpot: float) -> EstimatePointResult:
    return EstimatePointResult(
        label="deployed",
        ttft_ms=ttft,
        tpot_ms=tpot,
        tokens_per_second_per_gpu=None,
        tokens_per_second_per_user=None,
        requests_per_second=None,
        request_latency_ms=None,
    )


def _observed(**kw: float | None) -> Observed:
    fields = dict.fromkeys(
        [
            "isl_mean",
            "isl_p50",
            "isl_p90",
            "osl_mean",
            "osl_p50",
            "requests_per_second",
            "concurrency",
            "ttft_mean",
            "ttft_p99",
            "tpot_mean",
            "tpot_p99",
            "tokens_per_gpu",
            "output_tokens_per_second",
            "queued",
            "tpot_name",
        ]
    )
    return Observed(**{**fields, **kw})  # type: ignore[arg-type]


MEASURED = {
    ("TTFT", "mean"): 300.0,
    ("TTFT", "p99"): 900.0,
    ("TPOT", "mean"): 52.0,
    ("TPOT", "p99"): 78.0,
}


def test_calibration_is_measured_over_predicted() -> None:
    rows = calibrate(_estimate(ttft=200.0, tpot=41.0), MEASURED)
    assert scale_of(rows, "TTFT", "mean") == 1.5  # 300 / 200
    assert scale_of(rows, "TTFT", "p99") == 4.5  # 900 / 200
    assert scale_of(rows, "TPOT", "mean") == round(52 / 41, 3)  # 1.268
    assert scale_of(rows, "TPOT", "p99") == round(78 / 41, 3)
    tpot = next(r for r in rows if r.metric == "TPOT" and r.statistic == "mean")
    assert "predicts 41 ms TPOT" in tpot.text and "x1.27" in tpot.text


def test_no_calibration_without_a_measurement() -> None:
    rows = calibrate(_estimate(ttft=200.0, tpot=41.0), {("TTFT", "mean"): None})
    assert all(r.factor is None for r in rows)
    assert "was not measured" in rows[0].text


def _plan(replicas: int, rate: float) -> Plan:
    plan = Plan.model_validate(demo_plan())
    config = plan.config.model_copy(
        update={"replicas": replicas, "total_gpus": replicas * plan.config.gpus_per_replica()}
    )
    expected = plan.expected.model_copy(update={"requests_per_second": rate})
    return plan.model_copy(update={"config": config, "expected": expected})


def test_replicas_sized_from_the_observed_rate_with_headroom() -> None:
    plan = _plan(replicas=4, rate=40.0)  # 10 req/s per replica
    sized, why = size_replicas(plan, rate=15.0, queued=None)
    needed = math.ceil(15.0 * (1 + HEADROOM) / 10.0)  # 18 req/s → 2 replicas
    assert sized.config.replicas == needed == 2
    assert sized.config.total_gpus == 2 * plan.config.gpus_per_replica()
    assert sized.expected.requests_per_second == 20.0  # 40 x 2/4
    assert "15.00 req/s observed" in why and "needs 2" in why


def test_replicas_stay_at_the_budget_when_the_rate_needs_more() -> None:
    plan = _plan(replicas=2, rate=20.0)
    sized, why = size_replicas(plan, rate=30.0, queued=3.0)
    assert sized == plan
    assert "budget allows 2" in why and "queued" in why


def test_expected_effect_is_the_prediction_times_the_calibration() -> None:
    plan = _plan(replicas=2, rate=20.0)
    rows = calibrate(_estimate(ttft=200.0, tpot=41.0), MEASURED)
    kept = resolve(plan, "the plan", Assumptions(), None, 24)
    out = {
        r.metric: r
        for r in expected_rows(
            plan, _observed(ttft_p99=900.0, tpot_p99=78.0, tokens_per_gpu=400.0), rows, kept, 24
        )
    }
    e = plan.expected
    assert out["TTFT p99"].expected.value == round(e.ttft_ms * 4.5, 3)
    assert out["TPOT p99"].expected.value == round(e.tpot_ms * round(78 / 41, 3), 3)
    # throughput is AIConfigurator's capacity (uncalibrated, as the request rate row) ...
    assert out["output tok/s per GPU"].expected.value == round(e.tokens_per_second_per_gpu, 3)
    capacity = out["requests/s it can serve"]
    assert (capacity.expected.value, capacity.target, capacity.meets) == (20.0, None, None)
    # ... bounded by the demand: 2,400 tok/s over the plan's GPUs
    busy = _observed(output_tokens_per_second=2400.0, requests_per_second=25.0)
    bounded = {r.metric: r for r in expected_rows(plan, busy, rows, kept, 24)}
    gpus = plan.config.total_gpus
    assert bounded["output tok/s per GPU"].expected.value == round(
        min(e.tokens_per_second_per_gpu, 2400.0 / gpus), 3
    )
    assert bounded["requests/s it can serve"].meets is False  # 20 req/s < the 25 observed
    assert out["GPUs"].expected.value == plan.config.total_gpus
    assert out["TTFT p99"].meets is (e.ttft_ms * 4.5 <= plan.sla.ttft_ms)
    assert {c.source for r in out.values() for c in (r.today, r.expected)} <= {
        "measured",
        "derived",
        "deployed",
    }


def test_flags_win_over_the_plan_and_missing_ones_are_named() -> None:
    plan = Plan.model_validate(demo_plan())
    kept = resolve(plan, "the plan stored", Assumptions(ttft_ms=500.0), 16, 24)
    assert (kept.ttft_ms, kept.tpot_ms, kept.total_gpus) == (500.0, plan.sla.tpot_ms, 16)
    assert {c.source for c in kept.cited if c.figure == "TTFT target"} == {"given"}
    with pytest.raises(InvalidInput, match="missing: --model, --system, --backend, --ttft, --tpot"):
        resolve(None, "no plan is stored", Assumptions(), None, 24)
    with pytest.raises(InvalidInput, match="missing: --system, --tpot"):
        resolve(None, "no plan", Assumptions(model="m", backend="vllm", ttft_ms=1.0), None, 8)
