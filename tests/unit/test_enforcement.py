"""A pack constraint Grove reports it cannot enforce (TopologyLevelsUnavailable) is said to be
not enforced, with why and what to do, in status and topology; every reason Grove's
PodCliqueSet controller writes is covered (reconcilestatus.go)."""

from __future__ import annotations

import copy
import io
from dataclasses import replace

import pytest
from rich.console import Console

from grove_mcp import core
from grove_mcp.render import OutputFormat, render_markdown
from grove_mcp.render import render as render_report
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import BundleSource

PCS = "my-inference"


def _with_condition(status: str, reason: str, message: str) -> BundleSource:
    bundle = SCENARIOS["constraint-not-enforced"]()
    objects = []
    for obj in bundle.objects:
        if obj["kind"] == "PodCliqueSet":
            obj = copy.deepcopy(obj)
            obj["status"]["conditions"][0].update(status=status, reason=reason, message=message)
        objects.append(obj)
    return BundleSource(replace(bundle, objects=tuple(objects)))


def test_levels_missing_from_the_binding_mean_not_enforced():
    source = BundleSource(SCENARIOS["constraint-not-enforced"]())
    status = core.run("status", source, None, PCS)
    assert status.overview.topology_enforced is False
    assert "not in the ClusterTopologyBinding" in status.overview.topology_not_enforced_why
    assert "[rack]" in status.overview.topology_not_enforced_why  # Grove names what is missing
    assert not status.summary.ok and status.summary.severity == "warning"
    assert "topology constraint NOT ENFORCED" in status.summary.text  # as topology's verdict
    topology = core.run("topology", source, None, PCS)
    assert topology.constraint_enforced is False
    [warning] = [w for w in topology.warnings if w.code == "CONSTRAINT_NOT_ENFORCED"]
    assert warning.evidence == [
        "TopologyLevelsUnavailable=True ClusterTopologyLevelsUnavailable: "
        "Unavailable topology domains: [rack]"
    ]
    assert not topology.summary.ok and topology.summary.severity == "warning"
    assert "NOT ENFORCED: levels it names are not in" in render_markdown(status)
    console = Console(width=200, color_system=None, file=io.StringIO())
    console.print(render_report(status, OutputFormat.text))
    assert "NOT ENFORCED: levels it names are not in" in console.file.getvalue()


@pytest.mark.parametrize(
    ("status", "reason", "why"),
    [
        ("Unknown", "ClusterTopologyNotFound", "does not exist"),
        ("Unknown", "TopologyNameMissing", "no topologyName"),
        ("Unknown", "TopologyAwareSchedulingDisabled", "disabled in the Grove operator"),
    ],
)
def test_every_unknown_reason_says_why(status, reason, why):
    report = core.run("status", _with_condition(status, reason, "from Grove"), None, PCS)
    assert report.overview.topology_enforced is False
    assert why in report.overview.topology_not_enforced_why


def test_available_levels_mean_enforced_and_no_condition_means_not_reported():
    enforced = _with_condition("False", "AllClusterTopologyLevelsAvailable", "all available")
    report = core.run("topology", enforced, None, PCS)
    assert report.constraint_enforced is True
    assert "CONSTRAINT_NOT_ENFORCED" not in [w.code for w in report.warnings]
    demo = core.run("topology", BundleSource(SCENARIOS["demo"]()), None, PCS)
    assert demo.constraint_enforced is None  # the demo's Grove reports no such condition
