"""A scheduling gate that is not Grove's is reported under its own name: Grove does not lift
it, so "waiting for Grove" would send the reader to the wrong place."""

from __future__ import annotations

from grove_mcp import core
from grove_mcp.grove.k8s import GROVE_GATE
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.scenarios.catalog import KUEUE_GATE
from grove_mcp.sources import BundleSource

PCS = "my-inference"


def test_a_foreign_gate_is_named_in_the_gang_state_and_the_pod_findings():
    source = BundleSource(SCENARIOS["foreign-gate"]())
    health = core.run("health", source, None, PCS)
    gang = health.gangs[1]
    assert gang.state == "Gated"
    assert gang.reason == f"pods held by scheduling gate {KUEUE_GATE} (not Grove's)"
    gated = [i for i in gang.issues if i.code == "POD_GATED_FOREIGN"]
    assert len(gated) == 2  # both decode pods
    assert all(KUEUE_GATE in i.message and "Grove does not manage" in i.message for i in gated)
    assert all("Kueue" in i.remediation for i in gated)
    assert not [i for i in gang.issues if i.code == "POD_GATED"]  # not "waiting for Grove"
    status = core.run("status", source, None, PCS)
    assert status.gangs[1].reason == gang.reason


def test_grove_s_own_gate_still_means_waiting_for_grove():
    source = BundleSource(SCENARIOS["epoch-gangs"]())
    name = core.run("list", source).items[0].name  # type: ignore[attr-defined]
    health = core.run("health", source, None, name)
    issues = [i for g in health.gangs for i in g.issues if i.code.startswith("POD_GATED")]
    assert issues and {i.code for i in issues} == {"POD_GATED"}
    assert all(GROVE_GATE in i.evidence[0] for i in issues)
