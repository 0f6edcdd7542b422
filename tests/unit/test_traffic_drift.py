"""Traffic drift: thresholds on hand-made traffic, and diagnose on a drifted scenario (the demo:
ISL DEMO_ISL (7,000) served against a plan of 4,000) and on a matching one (healthy_served)."""

from __future__ import annotations

import pytest

from grove_mcp import core
from grove_mcp.performance.drift import DRIFT_ABOVE, DRIFT_BELOW, traffic_drift
from grove_mcp.planfile import Plan, plan_from_json
from grove_mcp.reports.diagnose import DiagnoseReport
from grove_mcp.reports.metrics import TokenDistribution, Traffic
from grove_mcp.scenarios import SCENARIOS, demo
from grove_mcp.scenarios.catalog import DEMO_ISL
from grove_mcp.sources import BundleSource, demo_source
from grove_mcp.sources.base import Source

PLAN_ISL, PLAN_OSL = 4000, 500  # the scenarios' stored plan (scenarios/catalog.py)


def _plan(rps: float | None = None) -> Plan:
    """The scenarios' stored plan, with the request rate it predicts set to ``rps``."""
    [cm] = [o for o in demo().objects if o["metadata"]["name"] == "my-inference-aic-plan"]
    plan = plan_from_json(cm["data"]["plan.json"], "plan.json")
    assert (plan.inputs.isl, plan.inputs.osl) == (PLAN_ISL, PLAN_OSL)
    return plan.model_copy(
        update={"expected": plan.expected.model_copy(update={"requests_per_second": rps})}
    )


def _dist(mean: float, p50: float, p90: float) -> TokenDistribution:
    return TokenDistribution(mean=mean, p50=p50, p90=p90, requests=100, metric="m", source="s")


def _traffic(
    isl: TokenDistribution | None, osl: TokenDistribution | None, rps: float | None = None
) -> Traffic:
    return Traffic(
        requests_per_second=rps, requests_source="r", isl=isl, osl=osl,
        prefix_cache_hit_rate=None, prefix_cache_metric=None, concurrency=None, not_observed=[],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("ratio", "drifted"),
    [
        (DRIFT_ABOVE, True),
        (DRIFT_ABOVE - 0.01, False),
        (DRIFT_BELOW, True),
        (DRIFT_BELOW + 0.01, False),
        (1.0, False),
    ],
)
def test_the_thresholds_on_p50(ratio: float, drifted: bool) -> None:
    plan = _plan()
    got = traffic_drift(
        plan,
        _traffic(_dist(PLAN_ISL, PLAN_ISL * ratio, PLAN_ISL), _dist(PLAN_OSL, PLAN_OSL, PLAN_OSL)),
    )
    row = next(r for r in got.rows if (r.figure, r.statistic) == ("ISL", "p50"))
    assert row.ratio == pytest.approx(ratio) and row.drifted is drifted
    assert got.drifted is drifted


def test_mean_judged_p90_not() -> None:
    plan = _plan()
    tail = traffic_drift(
        plan, _traffic(_dist(PLAN_ISL, PLAN_ISL, PLAN_ISL * 3), _dist(PLAN_OSL, PLAN_OSL, PLAN_OSL))
    )
    assert not tail.drifted  # a long tail alone is no drift
    assert next(r for r in tail.rows if r.statistic == "p90" and r.figure == "ISL").ratio == 3
    mean = traffic_drift(
        plan,
        _traffic(_dist(PLAN_ISL, PLAN_ISL, PLAN_ISL), _dist(PLAN_OSL * 0.5, PLAN_OSL, PLAN_OSL)),
    )
    assert mean.drifted and [(r.figure, r.statistic) for r in mean.rows if r.drifted] == [
        ("OSL", "mean")
    ]


def test_summary_names_the_figure_and_ratio() -> None:
    got = traffic_drift(
        _plan(), _traffic(_dist(9500, 9100, 14000), _dist(PLAN_OSL, PLAN_OSL, PLAN_OSL))
    )
    assert got.summary == (  # the exact mean leads, its ratio 9500 / 4000; then the median
        "the plan assumed ISL 4,000; the deployment serves mean 9,500 (×2.38), p50 9,100"
    )
    assert any("1.25" in t for t in got.thresholds)


def test_request_rate_against_the_predicted_capacity() -> None:
    same = _dist(PLAN_ISL, PLAN_ISL, PLAN_ISL), _dist(PLAN_OSL, PLAN_OSL, PLAN_OSL)
    assert not any(
        r.figure == "request rate" for r in traffic_drift(_plan(), _traffic(*same, 30.0)).rows
    )
    got = traffic_drift(_plan(rps=20.0), _traffic(*same, 30.0))
    row = next(r for r in got.rows if r.figure == "request rate")
    assert (row.planned, row.observed, row.ratio, row.drifted) == (20.0, 30.0, 1.5, True)
    assert got.summary == (
        "the plan's capacity is 20 req/s; the deployment receives 30 req/s (×1.50: overloaded)"
    )
    # below the capacity is headroom, not drift: a plan sizes for the peak
    quiet = traffic_drift(_plan(rps=20.0), _traffic(*same, 8.0))
    low = next(r for r in quiet.rows if r.figure == "request rate")
    assert (low.ratio, low.drifted, quiet.drifted) == (0.4, False, False)


def test_nothing_observed_is_no_drift() -> None:
    got = traffic_drift(_plan(), _traffic(None, None))
    assert not got.drifted and got.summary.startswith("traffic not observed")
    assert all(r.observed is None and r.ratio is None for r in got.rows)


def _diagnose(source: Source) -> DiagnoseReport:
    return core.run("diagnose", source, "vllm-disagg", "my-inference")


def test_diagnose_names_the_demo_drift() -> None:
    report = _diagnose(demo_source())
    [found] = [f for f in report.findings if f.code == "TRAFFIC_DRIFT"]
    # the demo records every prompt at DEMO_ISL on average (lengths add up exactly): mean ratio
    mean = next(e for e in found.evidence if e.startswith("ISL mean"))
    assert f"(×{DEMO_ISL / PLAN_ISL:.2f}) — drifted" in mean
    assert "kubectl grove replan my-inference" in found.remediation
    assert not any(e.startswith("OSL") and "drifted" in e for e in found.evidence)


def test_diagnose_finds_no_drift_when_the_traffic_matches() -> None:
    source = BundleSource(SCENARIOS["healthy-served"](), "scenario")
    report = _diagnose(source)
    codes = {f.code for f in report.findings}
    assert "TRAFFIC_DRIFT" not in codes and "TRAFFIC_NOT_OBSERVED" not in codes
    assert "traffic_drift" in report.checked
