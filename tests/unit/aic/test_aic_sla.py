"""Our SLA check: AIConfigurator's "closest" rows must not pass for compliant ones."""

from __future__ import annotations

from grove_mcp.aic.sla import row_violations, select_row, violations

TARGETS = (300.0, 10.0, None)


def row(ttft: float, tpot: float, latency: float | None = None) -> dict:
    return {"ttft": ttft, "tpot": tpot, "request_latency": latency}


def test_met_targets_give_no_violation_and_rounding_slack_is_tiny():
    assert row_violations(row(300.0, 10.0), *TARGETS) == []
    assert row_violations(row(300.0004, 9.9), *TARGETS) == []
    assert row_violations(row(300.01, 9.9), *TARGETS) == ["TTFT 300.0 ms exceeds the 300 ms target"]


def test_each_missed_target_is_a_sentence():
    found = violations(
        420.0,
        34.27,
        12000.0,
        ttft_target=300,
        tpot_target=2,
        request_latency_target=10000,
    )
    assert found == [
        "TTFT 420.0 ms exceeds the 300 ms target",
        "TPOT 34.27 ms exceeds the 2 ms target",
        "request latency 12000 ms exceeds the 10000 ms target",
    ]


def test_tpot_is_not_judged_without_a_tpot_target():
    assert row_violations(row(100, 50, 9000), 300, None, 10000) == []


def test_unmodelled_latency_cannot_pass_a_latency_target():
    assert row_violations(row(100, 5), 300, None, 10000) == [
        "request latency was not modelled, so its target cannot be checked"
    ]


def test_select_row_takes_the_best_ranked_row_that_meets_the_sla():
    rows = [row(290, 10.4), row(250, 9.5), row(200, 8.0)]
    assert select_row(rows, *TARGETS) == 1


def test_select_row_falls_back_to_the_closest_and_none_without_rows():
    assert select_row([row(290, 30.0), row(250, 12.0)], *TARGETS) == 0
    assert select_row([], *TARGETS) is None
