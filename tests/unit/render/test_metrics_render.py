"""The ``metrics`` and ``compare`` renderers on the demo (recorded scrapes, stored plan): the
key figures in text (a fixed-width colourless console, as the CLI prints on a pipe) and in
Markdown; ``≥`` for a quantile in the +Inf bucket and ``no data`` for null (never 0); numbered
recommendations with whole commands; and no line wider than the console at 80 and 160."""

from __future__ import annotations

import io
import re
from functools import cache
from typing import Any

import pytest
from rich.console import Console
from text_capture import WIDTHS, printed, shell_commands, whole_on_a_line, width_of

from grove_mcp import core
from grove_mcp.core import MetricsArgs
from grove_mcp.render import OutputFormat, render
from grove_mcp.reports.compare import CompareReport
from grove_mcp.reports.metrics import MetricsReport, QuantileValue
from grove_mcp.scenarios.catalog import DEMO_ISL
from grove_mcp.sources import open_source

# the demo serves 19.2 req/s of DEMO_ISL prompt tokens
INPUT = f"Input {round(19.2 * DEMO_ISL):,} tok/s"

NOT_RUNNING = "my-inference-1-prefill-rp9nb"


@cache
def _report(name: str) -> Any:
    return core.run(name, open_source(demo=True), None, "my-inference", MetricsArgs())


def metrics() -> MetricsReport:
    report = _report("metrics")
    assert isinstance(report, MetricsReport)
    return report


def compare() -> CompareReport:
    report = _report("compare")
    assert isinstance(report, CompareReport)
    return report


def text(report: Any, width: int = 160) -> str:
    return "\n".join(printed(report, width))


def markdown(report: Any) -> str:
    out: str = render(report, OutputFormat.markdown)
    return out


def _line(output: str, start: str) -> str:
    found = [line for line in output.splitlines() if line.strip().startswith(start)]
    assert found, f"no line starting with {start!r}:\n{output}"
    return found[0]


def _fancy(report: Any) -> str:
    console = Console(file=io.StringIO(), width=160, color_system=None, record=True)
    console.print(render(report, OutputFormat.text, fancy=True))
    return console.export_text(styles=False)


# --- metrics ------------------------------------------------------------------------------------


def test_metrics_text_shows_the_key_figures() -> None:
    out = text(metrics())
    assert out.startswith("Metrics for: my-inference (window 30s, recorded in embedded demo")
    throughput = _line(out, "Throughput")
    # 19.2 req/s of DEMO_ISL prompt tokens (the demo's recorded traffic)
    for figure in (INPUT, "Output 9,600 tok/s", "480 tok/s/GPU (20 GPUs)", "19.2"):
        assert figure in throughput
    traffic = _line(out, "Traffic")
    assert "19.2 req/s" in traffic and "prefix-cache hits 30%" in traffic
    # each request of 30 s at 19.2 req/s once: 576; mean exactly the recorded DEMO_ISL and 500
    assert re.search(
        rf"mean {DEMO_ISL:,} tokens · 576 requests\s+\[the prefill engines\]", _line(out, "ISL")
    )
    assert re.search(r"mean 500 tokens · 576 requests\s+\[the decode engines\]", _line(out, "OSL"))
    latency = _line(out, "Latency")
    assert "TTFT" in latency and "p99 1,280 ms" in latency and "p50 205 ms" in latency
    assert "p99 9.6 ms" in _line(out, "ITL")  # under 10 ms: one decimal
    assert "waiting avg 7.0 (max 8.0)" in _line(out, "Queue")
    # the plan rows: TTFT p99 1,280 ms against the SLA of 300 ms, missed
    ttft = _line(out, "TTFT p99 vs SLA")
    assert re.search(r"300 ms\s+1,280 ms\s+\+326\.7%\s+MISS$", ttft), ttft
    assert re.search(r"10 ms\s+9\.6 ms\s+-4\.0%\s+ok$", _line(out, "TPOT p99 vs SLA"))
    # prefill is saturated, with its reason; the role table and the pod table
    prefill = _line(out, "prefill ")
    assert "saturated: 2.3 requests queued per pod" in prefill
    assert "1,280 ms" in prefill
    pod = _line(out, NOT_RUNNING)
    assert re.search(r"\bno\b", pod) and "no data" in pod
    assert f"{NOT_RUNNING}: not running (no pod IP)" in out
    assert _line(out, "Summary:") == "Summary: TTFT p99 over the SLA"
    assert f"note: 1 engine pod(s) not running, so not read: {NOT_RUNNING}" in out
    assert "Thresholds:" in out


def test_metrics_fancy_marks_the_plan_rows() -> None:
    out = _fancy(metrics())
    assert re.search(r"\+326\.7%\s+✗", out) and re.search(r"-4\.0%\s+✓", out)


def test_metrics_markdown_shows_the_key_figures() -> None:
    out = markdown(metrics())
    assert out.startswith("## my-inference — metrics\n**NOT OK: TTFT p99 over the SLA**")
    assert "p99 1,280 ms" in out and INPUT in out
    assert (
        f"mean {DEMO_ISL:,} tokens · 576 requests (the prefill engines; sglang:prompt_tokens_histogram)"
        in out
    )
    assert "| TTFT p99 vs SLA | 300 ms | 1,280 ms | +326.7% | MISS |" in out
    assert "| prefill | prefill | sglang | 3/4 | 12 |" in out
    assert "**saturated**: 2.3 requests queued per pod" in out
    assert f"| {NOT_RUNNING} | prefill | sglang | no: not running (no pod IP)" in out


def test_a_quantile_in_the_inf_bucket_reads_at_least() -> None:
    report = metrics()
    assert report.ttft is not None
    ttft = report.ttft.model_copy(update={"p99": QuantileValue(ms=40000.0, at_least=True)})
    changed = report.model_copy(update={"ttft": ttft})
    assert "p99 ≥ 40,000 ms" in _line(text(changed), "Latency")
    assert "p99 ≥ 40,000 ms" in markdown(changed)


def test_null_reads_no_data_never_zero() -> None:
    report = metrics()
    assert report.ttft is not None
    throughput = report.throughput.model_copy(
        update={"output_tokens_per_second": None, "output_tokens_per_second_per_gpu": None}
    )
    changed = report.model_copy(update={"ttft": None, "waiting": None, "throughput": throughput})
    out = text(changed)
    assert _line(out, "Latency").split() == ["Latency", "TTFT", "no", "data"]
    assert "Output no data" in _line(out, "Throughput")
    assert "no data per GPU" in _line(out, "Throughput")
    assert "waiting no data" in _line(out, "Queue")
    md = markdown(changed)
    assert "- TTFT: no data" in md and "waiting no data" in md and "Output no data" in md
    # a single missing quantile
    partial = report.ttft.model_copy(update={"p90": None})
    assert "p90 no data" in _line(text(report.model_copy(update={"ttft": partial})), "Latency")


# --- compare ------------------------------------------------------------------------------------


def test_compare_text_shows_plan_vs_actual_diagnosis_and_numbered_recommendations() -> None:
    report = compare()
    out = text(report)
    assert out.startswith("Plan vs Actual: my-inference\nPlan: Qwen/Qwen3-32B on h200_sxm")
    assert "from the plan stored in ConfigMap my-inference-aic-plan" in out
    assert re.search(r"300 ms \(SLA\)\s+1,280 ms\s+\+326\.7%\s+MISSED", _line(out, "TTFT p99"))
    assert re.search(r"-4\.0%\s+met$", _line(out, "TPOT p99"))
    assert "Diagnosis:" in out
    assert "⚠ TTFT_PREFILL_QUEUEING (warning): TTFT misses the SLA" in out
    assert "- TTFT p99 1280 ms vs SLA 300 ms (4.3x)" in out
    numbers = [int(m) for m in re.findall(r"^  (\d+)\. ", out, re.MULTILINE)]
    assert numbers == [a.priority for a in report.recommendations] == [1, 2, 3]
    assert "  2. Bring back the 1 prefill pod(s) not serving before adding workers" in out
    assert "→ The role's other pods queue 0.0 per pod at their load" in out
    assert _line(out, "Summary:").startswith("Summary: missed: Output tok/s per GPU, TTFT p99")
    fancy = _fancy(report)
    assert re.search(r"\+326\.7%\s+✗ missed", fancy) and re.search(r"-4\.0%\s+✓ met", fancy)


def test_compare_markdown() -> None:
    out = markdown(compare())
    assert out.startswith("## my-inference — plan vs actual\n**NOT OK: missed:")
    assert "| TTFT p99 | 300 ms (SLA) | 1,280 ms | +326.7% | ✗ missed |" in out
    assert "### Diagnosis" in out and "- **warning TTFT_PREFILL_QUEUEING**" in out
    assert "### Recommendations" in out
    numbered = re.findall(r"^(\d+)\. ", out, re.MULTILINE)
    assert numbered == ["1", "2", "3"]
    assert "   - `kubectl cordon gpu-c1`" in out


# --- layout ------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["metrics", "compare"])
def test_lines_fit_the_width_and_commands_and_names_stay_whole(name: str, width: int) -> None:
    report = _report(name)
    for line in printed(report, width, crop=False):
        assert width_of(line) <= width or not re.search(r"\s", line.strip()), (
            f"line wider than {width} columns (the CLI cuts it): {line!r}"
        )
    lines = printed(report, width)
    typed = shell_commands(lines)
    for action in getattr(report, "recommendations", []):
        for command in action.commands:
            assert " ".join(command.split()) in typed, f"command cut at {width}: {command!r}"
    for pod in report.model_dump().get("pods", []) or []:
        assert whole_on_a_line(pod["pod"], lines), f"{pod['pod']} cut at {width}"
    assert whole_on_a_line(NOT_RUNNING, lines)
