"""Consolidation advice lets the gang complete: the target is chosen for the whole gang's GPU
demand, placed and pending; and the topology tree shows, collapsed, the domains with room."""

from __future__ import annotations

import copy
from dataclasses import replace

from grove_mcp import core
from grove_mcp.reports.topology import DomainPlacement, TopologyReport
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import BundleSource

PCS = "my-inference"


def _topology(source: BundleSource) -> TopologyReport:
    report = core.run("topology", source, None, PCS)
    assert isinstance(report, TopologyReport)
    return report


def _racks(report: TopologyReport) -> dict[str, DomainPlacement]:
    return {d.name: d for d in report.tree[0].domains[0].domains}


def test_an_empty_rack_that_holds_the_whole_gang_beats_the_one_with_fewer_moves():
    report = _topology(BundleSource(SCENARIOS["advice-whole-gang"]()))
    [rec] = report.recommendations
    assert rec.feasible and (rec.level, rec.target_domain) == ("rack", "rack-c")
    assert rec.pending_pods_fit is True and rec.score_after == 1.0
    assert {m.from_domain for m in rec.moves} == {"rack-a", "rack-b"}
    assert sum(m.gpus for m in rec.moves) == 8  # every placed GPU pod moves
    assert (
        "Rack rack-c is chosen for the whole gang: its unscheduled pods fit there too, so the "
        "gang can complete, while rack rack-b, which needs fewer moves, would have no room left "
        "for them." in rec.explanation
    )
    rack_c = _racks(report)["rack-c"]
    assert rack_c.gpus.free is not None
    assert rack_c.gpus.free >= sum(m.gpus for m in rec.moves) + 4  # moves + the pending prefill


def test_the_domain_with_fewer_moves_wins_when_the_pending_pods_fit_there_too():
    bundle = SCENARIOS["advice-whole-gang"]()
    objects = copy.deepcopy(list(bundle.objects))
    for obj in objects:  # the training job on gpu-b2 shrinks from 5 GPUs to 1
        if obj["kind"] == "Pod" and obj["spec"].get("nodeName") == "gpu-b2":
            resources = obj["spec"]["containers"][0]["resources"]
            resources["requests"]["nvidia.com/gpu"] = resources["limits"]["nvidia.com/gpu"] = "1"
    report = _topology(BundleSource(replace(bundle, objects=tuple(objects))))
    [rec] = report.recommendations
    assert (rec.target_domain, rec.pending_pods_fit) == ("rack-b", True)
    assert [m.pod.split("-")[3] for m in rec.moves] == ["decode"]
    assert "Its unscheduled pods would fit there too, so the gang can complete." in (
        rec.explanation
    )
    assert "chosen for the whole gang" not in rec.explanation


def test_when_no_domain_holds_everything_the_advice_says_so():
    [rec] = _topology(BundleSource(SCENARIOS["demo"]())).recommendations
    assert (rec.target_domain, rec.pending_pods_fit) == ("rack-b", False)
    assert (
        "No candidate domain can hold the whole gang (8 GPUs placed + 4 pending) with today's "
        "free GPUs: this plan consolidates the placed pods only." in rec.explanation
    )


def test_without_pending_pods_only_occupied_domains_are_targets():
    [rec] = _topology(BundleSource(SCENARIOS["split-racks"]())).recommendations
    assert (rec.target_domain, rec.pending_pods_fit) == ("rack-b", None)


def test_domains_without_the_workload_are_one_collapsed_line_each():
    racks = _racks(_topology(BundleSource(SCENARIOS["advice-whole-gang"]())))
    assert sorted(racks) == ["rack-a", "rack-b", "rack-c"]
    rack_c = racks["rack-c"]
    assert rack_c.verdict == "unoccupied"
    assert (rack_c.domains, rack_c.nodes, rack_c.node_names) == ([], [], ["gpu-c1", "gpu-c2"])
    gpus = rack_c.gpus
    assert (gpus.allocatable, gpus.this_workload, gpus.other_workloads, gpus.free) == (
        16,
        0,
        0,
        16,
    )
    assert all(racks[r].node_names == [] and racks[r].nodes for r in ("rack-a", "rack-b"))

    healthy = _racks(_topology(BundleSource(SCENARIOS["healthy"]())))
    assert (healthy["rack-c"].verdict, healthy["rack-c"].node_names) == (
        "unoccupied",
        ["gpu-c1", "gpu-c2"],
    )
    assert (healthy["rack-c"].gpus.other_workloads, healthy["rack-c"].gpus.free) == (8, 8)


def test_the_collapsed_line_renders_with_its_nodes():
    from grove_mcp.render.markdown import topology as markdown_topology

    report = _topology(BundleSource(SCENARIOS["advice-whole-gang"]()))
    text = markdown_topology(report)
    assert (
        "- rack rack-c [unoccupied] GPUs 0 this / 0 other / 16 free of 16; nodes gpu-c1, gpu-c2"
        in text
    )


def test_moves_that_breach_a_clique_are_commanded_one_at_a_time():
    [rec] = _topology(BundleSource(SCENARIOS["advice-whole-gang"]())).recommendations
    assert "move one pod at a time" in rec.explanation
    deletes = [c for c in rec.commands if c.startswith("kubectl delete pod")]
    assert len(deletes) == len(rec.moves) > 1
    assert all(c.endswith("# then wait until its replacement is Ready") for c in deletes)
