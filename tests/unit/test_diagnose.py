"""diagnose on named scenarios: ranking, the planted cause on top, numbers equal to the other
reports of the same snapshot, no false alarm, and every analyzer module registered."""

from __future__ import annotations

import copy
import pkgutil
from dataclasses import replace
from pathlib import Path

import pytest

from grove_mcp import core
from grove_mcp.diagnosis import analyzers
from grove_mcp.diagnosis.registry import ANALYZERS
from grove_mcp.reports.common import Severity
from grove_mcp.reports.diagnose import IMPACT_ORDER, DiagnoseReport
from grove_mcp.scenarios import PLANTED, SCENARIOS
from grove_mcp.sources import BundleSource, demo_source
from grove_mcp.timefmt import format_seconds

PCS = "my-inference"


def diagnose(source, **args) -> DiagnoseReport:
    report = core.run("diagnose", source, None, PCS, core.MetricsArgs(**args))
    assert isinstance(report, DiagnoseReport)
    return report


def scenario(name: str) -> BundleSource:
    return BundleSource(SCENARIOS[name](), name)


def test_the_demo_ranks_what_blocks_serving_first_and_names_it_in_the_answer():
    report = diagnose(demo_source())
    codes = [f.code for f in report.findings]
    # the cause (a prefill pod no node can hold), then the countdown it leads to, then the SLA
    assert codes[:3] == ["POD_UNSCHEDULABLE", "MIN_AVAILABLE_BREACHED", "TTFT_PREFILL_QUEUEING"]
    assert {"GANG_SPLIT", "LOAD_IMBALANCE"} <= set(codes)
    problems = [f for f in report.findings if f.severity is not Severity.info]
    impacts = [IMPACT_ORDER.index(f.impact) for f in problems]
    assert impacts == sorted(impacts)  # blocks serving, then the SLA, then efficiency
    assert [f.rank for f in report.findings] == list(range(1, len(codes) + 1))
    assert report.answer.startswith("Most likely cause: ") and "POD_UNSCHEDULABLE" in report.answer
    assert "in 3h 42m" in report.answer  # the countdown, named among the next problems
    assert not report.summary.ok and report.summary.severity is Severity.critical


def test_the_numbers_are_the_other_reports_numbers():
    source = demo_source()
    report = diagnose(source)
    health = core.run("health", source, None, PCS)
    metrics = core.run("metrics", source, None, PCS)
    topology = core.run("topology", source, None, PCS)
    by_code = {f.code: f for f in report.findings}
    left = health.summary.next_termination_seconds  # type: ignore[attr-defined]
    assert f"in {format_seconds(left)}" in by_code["MIN_AVAILABLE_BREACHED"].title
    p99 = metrics.ttft.p99.ms  # type: ignore[attr-defined]
    assert f"TTFT p99 {p99:.0f} ms" in by_code["TTFT_PREFILL_QUEUEING"].evidence[0]
    split = next(g for g in topology.gangs if g.verdict == "fragmented")  # type: ignore[attr-defined]
    assert f"{split.derived_placement.score:.2f}" in by_code["GANG_SPLIT"].title
    assert by_code["POD_UNSCHEDULABLE"].title == next(
        i.message
        for g in health.gangs
        for i in g.issues
        if i.code == "POD_UNSCHEDULABLE"  # type: ignore[attr-defined]
    )


def test_without_metrics_it_says_what_it_could_not_check():
    report = diagnose(demo_source(), no_metrics=True)
    codes = [f.code for f in report.findings]
    assert "TTFT_PREFILL_QUEUEING" not in codes and "METRICS_NOT_CHECKED" in codes
    assert report.metrics == "not read: skipped (--no-metrics)"
    assert any("latency" in n for n in report.not_checked)
    assert codes[:2] == ["POD_UNSCHEDULABLE", "MIN_AVAILABLE_BREACHED"]  # health still leads


def test_a_healthy_deployment_raises_no_alarm():
    report = diagnose(scenario("healthy"), no_metrics=True)
    assert report.summary.ok, [(f.code, f.title) for f in report.findings]
    assert all(f.severity is Severity.info for f in report.findings)
    assert report.answer.startswith("No problem found")


@pytest.mark.parametrize(
    ("name", "planted"),
    [
        ("rolling-update", {"ROLLING_UPDATE"}),
        ("scheduler-disagrees", {"SCHEDULER_DISAGREES"}),
        ("breached-countdown", {"MIN_AVAILABLE_BREACHED"}),
        ("split-racks", {"GANG_SPLIT"}),
    ],
)
def test_the_planted_cause_is_first_or_second(name: str, planted: set[str]):
    report = diagnose(scenario(name), no_metrics=True)
    top = [f.code for f in report.findings[:2]]
    assert planted & set(top), top


def test_every_analyzer_module_is_registered_once():
    folder = Path(analyzers.__file__).parent
    modules = {m.name for m in pkgutil.iter_modules([str(folder)]) if not m.name.startswith("_")}
    names = [name for name, _ in ANALYZERS]
    assert sorted(names) == sorted(modules) and len(set(names)) == len(names)


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_every_planted_scenario_puts_its_cause_first_or_second(name: str):
    report = diagnose(scenario(name))  # with the scenario's recorded metrics
    planted = set(PLANTED[name])
    problems = [f for f in report.findings if f.severity is not Severity.info]
    if not planted:  # a healthy deployment: no false alarm
        assert report.summary.ok and not problems, [(f.code, f.title) for f in problems]
        return
    top = [f.code for f in problems[:2]]
    assert planted & set(top), [(f.code, f.title[:80]) for f in problems[:4]]


def _variant(change) -> BundleSource:
    """healthy-served with one thing broken by ``change(objects)``."""
    base = SCENARIOS["healthy-served"]()
    objects = [copy.deepcopy(o) for o in base.objects]
    change(objects)
    return BundleSource(replace(base, objects=tuple(objects)), "variant")


def _pod(objects, part: str) -> dict:
    return next(o for o in objects if o["kind"] == "Pod" and part in o["metadata"]["name"])


def _crash_loop(objects) -> None:
    pod = _pod(objects, "-0-decode-")
    spec = pod["spec"]["containers"][0]
    pod["status"]["containerStatuses"] = [
        {
            "name": spec["name"],
            "image": spec["image"],
            "ready": False,
            "restartCount": 12,
            "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}},
        }
    ]
    for c in pod["status"].get("conditions", []):
        if c["type"] in ("Ready", "ContainersReady"):
            c["status"] = "False"
    clique = next(o for o in objects if o["metadata"]["name"] == "my-inference-0-decode")
    clique["status"]["readyReplicas"] -= 1


def _node_of_decode(objects) -> dict:
    name = _pod(objects, "-1-decode-")["spec"]["nodeName"]
    return next(o for o in objects if o["kind"] == "Node" and o["metadata"]["name"] == name)


def _not_ready(objects) -> None:
    for c in _node_of_decode(objects)["status"]["conditions"]:
        if c["type"] == "Ready":
            c.update(status="Unknown", reason="NodeStatusUnknown")


def _cordoned(objects) -> None:
    _node_of_decode(objects)["spec"]["unschedulable"] = True


@pytest.mark.parametrize(
    ("change", "code"),
    [(_crash_loop, "CRASH_LOOP"), (_not_ready, "NODE_NOT_READY"), (_cordoned, "NODE_CORDONED")],
)
def test_situations_outside_the_catalog_lead_with_their_cause(change, code: str):
    for args in ({"no_metrics": True}, {}):
        report = diagnose(_variant(change), **args)
        problems = [f.code for f in report.findings if f.severity is not Severity.info]
        assert problems[:1] == [code], problems
