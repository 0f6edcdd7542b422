"""Window math: counter deltas with resets (B.2), histogram quantiles (B.3), gauges (§0.4)."""

from __future__ import annotations

import math

import pytest

from grove_mcp.errors import MetricsError
from grove_mcp.metrics.exposition import Scrape, parse_exposition
from grove_mcp.metrics.window import (
    counter_delta,
    gauge_stats,
    histogram_delta,
    histogram_since_start,
    merge_histograms,
    sum_counters,
)


def scrape(t: float, body: str) -> Scrape:
    return parse_exposition(body, time=t)


def tokens(
    values: dict[str, float], created: dict[str, float] | None = None, colon: bool = True
) -> str:
    p = "vllm:" if colon else "vllm_"
    lines = [f"# TYPE {p}prompt_tokens_total counter"]
    lines += [f'{p}prompt_tokens_total{{engine="{e}"}} {v}' for e, v in values.items()]
    if created:
        lines.append(f"# TYPE {p}prompt_tokens_created gauge")
        lines += [f'{p}prompt_tokens_created{{engine="{e}"}} {v}' for e, v in created.items()]
    return "\n".join(lines) + "\n"


def ttft(
    cumulative: dict[str, float], engine: str = "0", count: float | None = None, total: float = 0.0
) -> str:
    lines = ["# TYPE vllm:time_to_first_token_seconds histogram"]
    for le, c in cumulative.items():
        lines.append(f'vllm:time_to_first_token_seconds_bucket{{engine="{engine}",le="{le}"}} {c}')
    n = cumulative["+Inf"] if count is None else count
    lines.append(f'vllm:time_to_first_token_seconds_count{{engine="{engine}"}} {n}')
    lines.append(f'vllm:time_to_first_token_seconds_sum{{engine="{engine}"}} {total}')
    return "\n".join(lines) + "\n"


# --- counters --------------------------------------------------------------------------------


def test_counter_delta_sums_series_and_gives_a_rate() -> None:
    a = scrape(10.0, tokens({"0": 100, "1": 50}))
    b = scrape(40.0, tokens({"0": 400, "1": 80}))
    d = counter_delta(a, b, "vllm:prompt_tokens_total")
    assert d is not None
    assert (d.delta, d.seconds, d.series, d.resets, d.new_series) == (330.0, 30.0, 2, 0, 0)
    assert d.rate == 11.0


def test_counter_delta_is_the_same_for_either_prefix_form_on_either_side() -> None:
    a = scrape(0.0, tokens({"0": 100}, colon=True))
    b = scrape(10.0, tokens({"0": 160}, colon=False))
    for name in ("vllm:prompt_tokens_total", "vllm_prompt_tokens", "vllm:prompt_tokens"):
        d = counter_delta(a, b, name)
        assert d is not None and d.delta == 60.0


def test_counter_delta_filters_by_labels() -> None:
    a = scrape(0.0, tokens({"0": 100, "1": 50}))
    b = scrape(10.0, tokens({"0": 130, "1": 90}))
    d = counter_delta(a, b, "vllm:prompt_tokens", where={"engine": "1"})
    assert d is not None and (d.delta, d.series) == (40.0, 1)
    none = counter_delta(a, b, "vllm:prompt_tokens", where={"engine": "7"})
    assert none is not None and (none.delta, none.series) == (0.0, 0)


def test_a_counter_that_went_down_restarted_from_zero() -> None:
    a = scrape(0.0, tokens({"0": 1000, "1": 50}))
    b = scrape(10.0, tokens({"0": 30, "1": 70}))
    d = counter_delta(a, b, "vllm:prompt_tokens")
    assert d is not None and (d.delta, d.resets) == (30.0 + 20.0, 1)


def test_a_changed_created_time_is_a_restart_even_when_the_value_grew() -> None:
    a = scrape(0.0, tokens({"0": 100}, created={"0": 1000.0}))
    b = scrape(10.0, tokens({"0": 150}, created={"0": 1005.0}))
    d = counter_delta(a, b, "vllm:prompt_tokens")
    assert d is not None and (d.delta, d.resets) == (150.0, 1)
    same = scrape(10.0, tokens({"0": 150}, created={"0": 1000.0}))
    d2 = counter_delta(a, same, "vllm:prompt_tokens")
    assert d2 is not None and (d2.delta, d2.resets) == (50.0, 0)


def test_the_callers_restart_marker_resets_every_series() -> None:
    a = scrape(0.0, tokens({"0": 100, "1": 10}))
    b = scrape(10.0, tokens({"0": 150, "1": 20}))
    d = counter_delta(a, b, "vllm:prompt_tokens", restarted=True)
    assert d is not None and (d.delta, d.resets) == (170.0, 2)


def test_series_new_in_the_window_count_from_zero_and_vanished_ones_are_ignored() -> None:
    a = scrape(0.0, tokens({"0": 100, "gone": 500}))
    b = scrape(10.0, tokens({"0": 110, "1": 25}))
    d = counter_delta(a, b, "vllm:prompt_tokens")
    assert d is not None and (d.delta, d.series, d.new_series) == (35.0, 2, 1)


def test_a_counter_missing_from_the_after_scrape_is_not_reported_not_zero() -> None:
    a = scrape(0.0, tokens({"0": 100}))
    b = scrape(10.0, "")
    assert counter_delta(a, b, "vllm:prompt_tokens") is None
    assert counter_delta(a, a, "vllm:generation_tokens_total") is None
    # a family that appeared only in the after-scrape (Dynamo creates them lazily) counts from 0
    d = counter_delta(b, a, "vllm:prompt_tokens")
    assert d is not None and d.delta == 100.0


def test_only_counters_have_counter_deltas() -> None:
    gauge = "# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running 3\n"
    assert counter_delta(scrape(0, gauge), scrape(1, gauge), "vllm:num_requests_running") is None
    hist = ttft({"0.1": 1, "+Inf": 1})
    assert (
        counter_delta(scrape(0, hist), scrape(1, hist), "vllm:time_to_first_token_seconds") is None
    )


def test_a_window_without_length_has_no_rate() -> None:
    a = scrape(5.0, tokens({"0": 1}))
    d = counter_delta(a, a, "vllm:prompt_tokens")
    assert d is not None and d.delta == 0.0 and d.rate is None


def test_sum_counters_over_pods() -> None:
    a1, b1 = scrape(0.0, tokens({"0": 0})), scrape(10.0, tokens({"0": 100}))
    a2, b2 = scrape(0.0, tokens({"0": 5})), scrape(12.0, tokens({"0": 25}))
    total = sum_counters(
        [
            counter_delta(a1, b1, "vllm:prompt_tokens"),
            counter_delta(a2, b2, "vllm:prompt_tokens"),
            None,
        ]
    )
    assert total is not None and (total.delta, total.seconds, total.series) == (120.0, 12.0, 2)
    assert total.rate == 10.0
    assert sum_counters([None, None]) is None


# --- histograms: the reference's worked example (B.3) ----------------------------------------

BEFORE = {"0.1": 10, "0.25": 40, "0.5": 80, "1.0": 95, "+Inf": 100}
AFTER = {"0.1": 30, "0.25": 100, "0.5": 190, "1.0": 215, "+Inf": 220}


def test_the_worked_example_of_the_reference() -> None:
    h = histogram_delta(
        scrape(0, ttft(BEFORE, total=10.0)),
        scrape(60, ttft(AFTER, total=70.0)),
        "vllm:time_to_first_token_seconds",
    )
    assert h is not None
    assert h.buckets == ((0.1, 20.0), (0.25, 60.0), (0.5, 110.0), (1.0, 120.0), (math.inf, 120.0))
    assert (h.observations, h.count, h.sum, h.partial) == (120.0, 120.0, 60.0, False)
    assert h.mean == 0.5
    assert h.rate == 2.0
    p50 = h.quantile(0.5)
    assert (
        p50 is not None
        and p50.value == pytest.approx(0.25)
        and (p50.lower, p50.upper) == (0.1, 0.25)
    )
    p99 = h.quantile(0.99)
    assert p99 is not None and p99.value == pytest.approx(0.94) and not p99.at_least
    assert (p99.lower, p99.upper, p99.observations) == (0.5, 1.0, 120.0)


def test_a_quantile_in_inf_is_at_least_the_last_finite_bound() -> None:
    after = dict(AFTER, **{"1.0": 213})  # the 1.0 bucket reaches only 118 in the window
    h = histogram_delta(
        scrape(0, ttft(BEFORE)), scrape(60, ttft(after)), "vllm:time_to_first_token_seconds"
    )
    assert h is not None
    p99 = h.quantile(0.99)
    assert p99 is not None
    assert (p99.value, p99.at_least, p99.lower, p99.upper) == (1.0, True, 1.0, math.inf)
    p50 = h.quantile(0.5)
    assert p50 is not None and not p50.at_least


def test_an_empty_window_is_no_data_never_zero() -> None:
    a = scrape(0, ttft(BEFORE, total=10.0))
    h = histogram_delta(a, scrape(30, ttft(BEFORE, total=10.0)), "vllm:time_to_first_token_seconds")
    assert h is not None and h.empty and h.observations == 0
    assert h.quantile(0.99) is None
    assert h.mean is None
    assert h.fraction_at_most(0.3) is None
    assert h.rate == 0.0


def test_a_missing_histogram_is_not_reported() -> None:
    a = scrape(0, ttft(BEFORE))
    assert histogram_delta(a, a, "vllm:inter_token_latency_seconds") is None
    assert (
        histogram_delta(a, scrape(1, tokens({"0": 1})), "vllm:time_to_first_token_seconds") is None
    )
    # a counter is not a histogram
    assert histogram_delta(a, scrape(1, tokens({"0": 1})), "vllm:prompt_tokens") is None


def test_first_bound_zero_returns_zero_and_interpolation_starts_at_zero() -> None:
    zero = {"0": 5, "0.5": 10, "+Inf": 10}
    h = histogram_delta(scrape(0, ""), scrape(1, ttft(zero)), "vllm:time_to_first_token_seconds")
    assert h is not None
    q = h.quantile(0.3)
    assert q is not None and q.value == 0.0
    first = {"0.5": 10, "+Inf": 10}
    h2 = histogram_delta(scrape(0, ""), scrape(1, ttft(first)), "vllm:time_to_first_token_seconds")
    assert h2 is not None
    median = h2.quantile(0.5)
    assert (
        median is not None and median.value == 0.25 and (median.lower, median.upper) == (0.0, 0.5)
    )


def test_fraction_at_most_a_threshold() -> None:
    h = histogram_delta(
        scrape(0, ttft(BEFORE)), scrape(60, ttft(AFTER)), "vllm:time_to_first_token_seconds"
    )
    assert h is not None
    assert h.fraction_at_most(0.25) == pytest.approx(60 / 120)  # exact on a bound
    assert h.fraction_at_most(0.75) == pytest.approx((110 + 10 * 0.5) / 120)  # interpolated
    assert h.fraction_at_most(5.0) == pytest.approx(
        1.0
    )  # past the last finite bound: all finite ones
    assert h.fraction_at_most(0.05) == pytest.approx(10 / 120)


def test_a_histogram_reset_uses_the_after_scrape_alone_and_is_partial() -> None:
    after = {"0.1": 3, "0.25": 5, "0.5": 6, "1.0": 6, "+Inf": 7}  # counts went down: restart
    h = histogram_delta(
        scrape(0, ttft(BEFORE, total=50.0)),
        scrape(60, ttft(after, total=2.0)),
        "vllm:time_to_first_token_seconds",
    )
    assert h is not None and h.partial
    assert h.buckets[-1] == (math.inf, 7.0) and h.count == 7.0 and h.sum == 2.0


def test_a_changed_bucket_layout_is_a_reset() -> None:
    before = {"0.1": 1, "+Inf": 2}
    after = {"0.1": 5, "0.2": 6, "+Inf": 9}
    h = histogram_delta(
        scrape(0, ttft(before)), scrape(1, ttft(after)), "vllm:time_to_first_token_seconds"
    )
    assert h is not None and h.partial and h.observations == 9.0


def test_the_callers_restart_marker_makes_a_histogram_partial() -> None:
    h = histogram_delta(
        scrape(0, ttft(BEFORE)),
        scrape(60, ttft(AFTER)),
        "vllm:time_to_first_token_seconds",
        restarted=True,
    )
    assert h is not None and h.partial and h.observations == 220.0


def test_non_monotonic_buckets_within_one_scrape_are_clamped() -> None:
    noisy = {"0.1": 30, "0.25": 29, "0.5": 190, "1.0": 215, "+Inf": 220}  # not atomic (B.1)
    h = histogram_delta(
        scrape(0, ttft({k: 0 for k in AFTER})),
        scrape(60, ttft(noisy)),
        "vllm:time_to_first_token_seconds",
    )
    assert h is not None
    assert [c for _, c in h.buckets] == [30.0, 30.0, 190.0, 215.0, 220.0]


def test_series_sum_per_bound_and_filter_by_labels() -> None:
    before = (
        ttft({"0.1": 0, "1.0": 0, "+Inf": 0}, engine="0")
        + ttft({"0.1": 0, "1.0": 0, "+Inf": 0}, engine="1").split("\n", 1)[1]
    )
    after = (
        ttft({"0.1": 1, "1.0": 2, "+Inf": 2}, engine="0")
        + ttft({"0.1": 3, "1.0": 3, "+Inf": 4}, engine="1").split("\n", 1)[1]
    )
    a, b = scrape(0, before), scrape(10, after)
    both = histogram_delta(a, b, "vllm:time_to_first_token_seconds")
    assert both is not None and both.buckets == ((0.1, 4.0), (1.0, 5.0), (math.inf, 6.0))
    one = histogram_delta(a, b, "vllm:time_to_first_token_seconds", where={"engine": "1"})
    assert one is not None and one.buckets == ((0.1, 3.0), (1.0, 3.0), (math.inf, 4.0))


def test_series_with_different_bounds_refuse_to_merge() -> None:
    after = (
        ttft({"0.1": 1, "+Inf": 2}, engine="0")
        + ttft({"0.2": 1, "+Inf": 2}, engine="1").split("\n", 1)[1]
    )
    with pytest.raises(MetricsError, match="bucket bounds"):
        histogram_delta(scrape(0, ""), scrape(1, after), "vllm:time_to_first_token_seconds")
    ok = histogram_delta(
        scrape(0, ""), scrape(1, after), "vllm:time_to_first_token_seconds", where={"engine": "1"}
    )
    assert ok is not None and ok.observations == 2.0


def test_merge_histograms_over_pods() -> None:
    pod1 = histogram_delta(
        scrape(0, ttft(BEFORE)), scrape(60, ttft(AFTER)), "vllm:time_to_first_token_seconds"
    )
    pod2 = histogram_since_start(scrape(30, ttft(BEFORE)), "vllm:time_to_first_token_seconds")
    merged = merge_histograms([pod1, pod2, None])
    assert merged is not None
    assert merged.buckets == (
        (0.1, 30.0),
        (0.25, 100.0),
        (0.5, 190.0),
        (1.0, 215.0),
        (math.inf, 220.0),
    )
    assert merge_histograms([None]) is None
    other = histogram_since_start(
        scrape(0, ttft({"0.2": 1, "+Inf": 1})), "vllm:time_to_first_token_seconds"
    )
    with pytest.raises(MetricsError, match="different bucket bounds"):
        merge_histograms([pod1, other])


def test_quantile_outside_zero_one_is_refused() -> None:
    h = histogram_since_start(scrape(0, ttft(BEFORE)), "vllm:time_to_first_token_seconds")
    assert h is not None
    with pytest.raises(ValueError):
        h.quantile(99)


# --- gauges ----------------------------------------------------------------------------------


def running(values: dict[str, float]) -> str:
    return "# TYPE vllm:num_requests_running gauge\n" + "".join(
        f'vllm:num_requests_running{{engine="{e}"}} {v}\n' for e, v in values.items()
    )


def test_gauge_average_and_maximum_over_several_scrapes() -> None:
    scrapes = [scrape(t, running({"0": v, "1": 1})) for t, v in enumerate([2, 6, 4, 0])]
    g = gauge_stats(scrapes, "vllm_num_requests_running")
    assert g is not None
    assert (g.average, g.maximum, g.samples) == (4.0, 7.0, 4)
    by_max = gauge_stats(scrapes, "vllm:num_requests_running", combine="max")
    assert by_max is not None and by_max.maximum == 6.0
    mean = gauge_stats(scrapes, "vllm:num_requests_running", combine="mean")
    assert mean is not None and mean.average == 2.0
    one = gauge_stats(scrapes, "vllm:num_requests_running", where={"engine": "1"})
    assert one is not None and (one.average, one.maximum) == (1.0, 1.0)


def test_a_gauge_missing_in_some_scrapes_counts_only_where_present() -> None:
    scrapes = [scrape(0, running({"0": 3})), scrape(1, ""), scrape(2, running({"0": 5}))]
    g = gauge_stats(scrapes, "vllm:num_requests_running")
    assert g is not None and (g.average, g.samples) == (4.0, 2)
    assert gauge_stats([scrape(0, "")], "vllm:num_requests_running") is None
    assert gauge_stats([], "vllm:num_requests_running") is None
