"""The metrics report's edges: a quantile only bounded from below, pods not read, a recording
with a file that is not a time, lifetime figures without a start time, and the CLI's window."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grove_mcp import core
from grove_mcp.cli.app import app
from grove_mcp.grove.k8s import Pod
from grove_mcp.metrics.catalog import Quantity
from grove_mcp.metrics.discovery import discover
from grove_mcp.metrics.exposition import parse_exposition
from grove_mcp.metrics.figures import PodFigures, figures_from_scrapes
from grove_mcp.performance.metrics import _Deployment, _plan_rows
from grove_mcp.performance.roles import role_kind
from grove_mcp.planfile import plan_from_json
from grove_mcp.reports.metrics import Latency, MetricsReport, QuantileValue
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import BundleSource, demo_source

PCS = "my-inference"
DEMO = Path(__file__).resolve().parents[3] / "grove_mcp" / "demo" / "bundle"


def _plan():
    cm = next(o for o in SCENARIOS["demo"]().objects if o["kind"] == "ConfigMap")
    return plan_from_json(cm["data"]["plan.json"], "demo plan")


def _ttft_row(p99_ms: float, at_least: bool):
    m = core.run("metrics", demo_source(), None, PCS)
    assert isinstance(m, MetricsReport)
    q = QuantileValue(ms=p99_ms, at_least=at_least)
    lat = Latency(p50=q, p90=q, p99=q, mean_ms=None, observations=9, metric="x", source="y")
    rows = _plan_rows(_plan(), _Deployment(m.throughput, lat, None, None), 20)
    return next(r for r in rows if r.metric.startswith("TTFT"))


@pytest.mark.parametrize(
    ("p99", "at_least", "met"),
    [(250.0, False, True), (350.0, False, False), (250.0, True, None), (400.0, True, False)],
)
def test_a_p99_in_the_inf_bucket_is_over_or_cannot_tell(p99, at_least, met):
    assert _ttft_row(p99, at_least).met is met  # SLA 300 ms


def test_an_unread_pod_keeps_the_role_its_hint_gives():
    bundle = SCENARIOS["demo"]()
    pods = [
        o for o in bundle.objects if o["kind"] == "Pod" and "-prefill-" in o["metadata"]["name"]
    ]
    target = discover([Pod.model_validate(pods[0])])[0]
    unread = PodFigures(target.pod, 0.0, error="connection refused")
    assert role_kind(target, unread) == "prefill"


def test_a_recording_file_that_is_not_a_time_is_skipped_and_said(tmp_path: Path):
    copy = tmp_path / "bundle"
    shutil.copytree(DEMO, copy)
    pod_dir = next((copy / "metrics" / "vllm-disagg").iterdir())
    (pod_dir / "abc.prom").write_text("garbage")
    source = BundleSource.open(copy)
    assert core.run("status", source, None, PCS).summary  # the bundle still loads
    report = core.run("metrics", source, None, PCS)
    assert any("abc.prom: skipped" in n for n in report.notes)  # type: ignore[attr-defined]


def test_lifetime_figures_without_a_start_time_say_why_rates_are_missing():
    report = core.run("metrics", demo_source(), None, PCS, core.MetricsArgs(since_start=True))
    assert isinstance(report, MetricsReport) and report.since_start
    assert report.throughput.output_tokens_per_second is None
    assert report.ttft is not None and report.ttft.observations > 0
    assert any("lifetime rates unknown" in n for p in report.pods for n in p.notes)


@pytest.mark.parametrize(
    ("window", "code"), [("30s", 1), ("2m", 1), ("45", 1), ("0", 2), ("1h1s", 2), ("x", 2)]
)
def test_the_window_takes_seconds_or_a_duration(window: str, code: int):
    result = CliRunner().invoke(app, ["metrics", PCS, "--demo", "--window", window, "-o", "json"])
    assert result.exit_code == code, result.output


def test_prometheus_against_a_bundle_is_refused():
    result = CliRunner().invoke(
        app, ["metrics", PCS, "--demo", "--prometheus-url", "http://127.0.0.1:9090"]
    )
    assert result.exit_code == 2 and "drop --demo/--bundle" in result.output


def test_a_counter_whose_series_all_miss_the_filter_is_no_data_not_zero():
    """A decode pod serves sglang:realtime_tokens only with mode="decode": its input tokens
    (modes prefill_compute/prefill_cache) are not reported, not 0 tok/s."""

    def text(decode: int) -> str:
        return (
            "# TYPE sglang:realtime_tokens_total counter\n"
            f'sglang:realtime_tokens_total{{mode="decode",tp_rank="0"}} {decode}\n'
        )

    scrapes = [parse_exposition(text(100), 0.0), parse_exposition(text(400), 10.0)]
    fig = figures_from_scrapes("decode-0", scrapes, None)
    out = fig.get(Quantity.output_tokens)
    assert out is not None and out.per_second == pytest.approx(30.0)  # (400 - 100) / 10 s
    assert fig.get(Quantity.input_tokens) is None
