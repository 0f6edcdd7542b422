"""Parsing an exposition into a Scrape: tolerant name lookup (§0.2, B.4, B.5) and clear errors."""

from __future__ import annotations

import math

import pytest

from grove_mcp.errors import GroveError, MetricsError
from grove_mcp.metrics.exposition import bound, parse_exposition

VLLM_TEXT = """\
# HELP vllm:prompt_tokens_total Number of prefill tokens processed.
# TYPE vllm:prompt_tokens_total counter
vllm:prompt_tokens_total{engine="0",model_name="m"} 120.0
vllm:prompt_tokens_total{engine="1",model_name="m"} 30.0
# TYPE vllm:prompt_tokens_created gauge
vllm:prompt_tokens_created{engine="0",model_name="m"} 1.7e9
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="m"} 3.0
# TYPE vllm:iteration_tokens_total histogram
vllm:iteration_tokens_total_bucket{le="1.0"} 2.0
vllm:iteration_tokens_total_bucket{le="+Inf"} 5.0
vllm:iteration_tokens_total_count 5.0
vllm:iteration_tokens_total_sum 40.0
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_bucket{engine="0",le="0.1",model_name="m"} 4.0
vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="m"} 6.0
vllm:time_to_first_token_seconds_count{engine="0",model_name="m"} 6.0
vllm:time_to_first_token_seconds_sum{engine="0",model_name="m"} 2.5
"""

# prometheus_client 0.23–0.26 negotiating OpenMetrics: sample names lose their colons, the
# metadata keeps them (§0.1, B.5).
BUGGY_OPENMETRICS = """\
# HELP vllm:prompt_tokens Number of prefill tokens processed.
# TYPE vllm:prompt_tokens counter
vllm_prompt_tokens_total{engine="0"} 120.0
vllm_prompt_tokens_created{engine="0"} 1.7e9
# TYPE vllm:num_requests_running gauge
vllm_num_requests_running{engine="0"} 3.0
# TYPE vllm:time_to_first_token_seconds histogram
vllm_time_to_first_token_seconds_bucket{engine="0",le="0.1"} 4.0
vllm_time_to_first_token_seconds_bucket{engine="0",le="+Inf"} 6.0
vllm_time_to_first_token_seconds_count{engine="0"} 6.0
vllm_time_to_first_token_seconds_sum{engine="0"} 2.5
# EOF
"""


def test_families_are_found_in_both_prefix_forms_and_with_or_without_total() -> None:
    scrape = parse_exposition(VLLM_TEXT, time=12.5)
    assert scrape.time == 12.5
    for name in (
        "vllm:prompt_tokens_total",
        "vllm_prompt_tokens_total",
        "vllm:prompt_tokens",
        "vllm_prompt_tokens",
    ):
        fam = scrape.family(name)
        assert fam is not None, name
        assert fam.type == "counter"
        assert sorted(s.value for s in fam.samples) == [30.0, 120.0]
        assert {s.suffix for s in fam.samples} == {"_total"}
    running = scrape.family("vllm_num_requests_running")
    assert running is not None and running.type == "gauge"
    assert running.samples[0].label("engine") == "0"


def test_a_histogram_named_total_stays_a_histogram() -> None:
    scrape = parse_exposition(VLLM_TEXT, time=0)
    fam = scrape.family("vllm:iteration_tokens_total")
    assert fam is not None and fam.type == "histogram"
    assert {s.suffix for s in fam.samples} == {"_bucket", "_count", "_sum"}
    # "_total is optional" applies to counters only
    assert scrape.family("vllm:iteration_tokens") is None


def test_created_series_stay_separate_and_missing_metrics_are_none() -> None:
    scrape = parse_exposition(VLLM_TEXT, time=0)
    created = scrape.family("vllm:prompt_tokens_created")
    assert created is not None and created.samples[0].value == 1.7e9
    assert scrape.family("vllm:kv_cache_usage_perc") is None
    assert scrape.family("sglang:prompt_tokens_total") is None


def test_openmetrics_style_names_regroup_under_their_typed_family() -> None:
    good = parse_exposition(VLLM_TEXT, time=0)
    buggy = parse_exposition(BUGGY_OPENMETRICS, time=0)
    counter = buggy.family("vllm:prompt_tokens_total")
    assert counter is not None and counter.type == "counter"
    assert [(s.suffix, s.value) for s in counter.samples] == [
        ("_total", 120.0),
        ("_created", 1.7e9),
    ]
    hist = buggy.family("vllm:time_to_first_token_seconds")
    good_hist = good.family("vllm_time_to_first_token_seconds")
    assert hist is not None and good_hist is not None
    assert hist.type == "histogram"
    strip = {("model_name", "m")}
    assert sorted(
        (s.suffix, tuple(x for x in s.labels if x not in strip), s.value) for s in hist.samples
    ) == sorted(
        (s.suffix, tuple(x for x in s.labels if x not in strip), s.value) for s in good_hist.samples
    )
    gauge = buggy.family("vllm:num_requests_running")
    assert gauge is not None and gauge.type == "gauge" and gauge.samples[0].value == 3.0


def test_untyped_samples_group_by_their_sample_names() -> None:
    text = """\
sglang_prompt_tokens_total{tp_rank="0"} 7
sglang_time_to_first_token_seconds_bucket{le="0.5"} 1
sglang_time_to_first_token_seconds_bucket{le="+Inf"} 3
sglang_time_to_first_token_seconds_count 3
sglang_time_to_first_token_seconds_sum 2.0
"""
    scrape = parse_exposition(text, time=0)
    counter = scrape.family("sglang:prompt_tokens")
    assert counter is not None and counter.samples[0].value == 7.0
    hist = scrape.family("sglang:time_to_first_token_seconds")
    assert hist is not None and hist.type == "histogram"
    buckets = sorted(bound(s) for s in hist.samples if s.suffix == "_bucket")
    assert buckets == [0.5, math.inf]
    assert {s.suffix for s in hist.samples} == {"_bucket", "_count", "_sum"}


def test_values_are_floats_and_le_is_converted() -> None:
    scrape = parse_exposition(VLLM_TEXT, time=0)
    hist = scrape.family("vllm:time_to_first_token_seconds")
    assert hist is not None
    assert all(isinstance(s.value, float) for s in hist.samples)
    assert {bound(s) for s in hist.samples if s.suffix == "_bucket"} == {0.1, math.inf}


def test_an_empty_body_is_an_empty_scrape() -> None:
    scrape = parse_exposition("", time=1.0)
    assert dict(scrape.families) == {}
    assert scrape.family("vllm:prompt_tokens") is None


@pytest.mark.parametrize(
    "body",
    [
        "<html><body>502 Bad Gateway</body></html>",
        '{"gpuMemUsage": 1, "iter": 3}',
        'vllm:x{engine="0" 1',
        "vllm:x not-a-number",
    ],
)
def test_garbage_is_a_clear_error_naming_the_source(body: str) -> None:
    with pytest.raises(MetricsError) as caught:
        parse_exposition(body, time=0, source="pod vllm-disagg/decode-0 :8000/metrics")
    err = caught.value
    assert isinstance(err, GroveError) and err.code == "metrics_error"
    assert "pod vllm-disagg/decode-0 :8000/metrics" in str(err)
    assert "Prometheus text" in str(err)
    assert err.__cause__ is None and err.__suppress_context__
