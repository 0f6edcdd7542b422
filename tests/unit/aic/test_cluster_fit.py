"""generate fitted to the cluster it renders for: the topology binding and its levels, KAI
detected from the cluster's queues (snapshots read through the bundle source)."""

from __future__ import annotations

import dataclasses

import pytest
from aic_helpers import load_run
from recorded_aic import pcs_of

from grove_mcp.aic import RenderOptions, generate
from grove_mcp.aic.cluster_fit import fit_to_cluster
from grove_mcp.errors import InvalidInput
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.snapshot import Snapshot, SnapshotRequest, fetch_snapshot
from grove_mcp.sources import BundleSource


def binding(name: str, *domains: str) -> dict:
    levels = [{"domain": d, "key": f"example.com/{d}"} for d in domains]
    return {
        "apiVersion": "grove.io/v1alpha1",
        "kind": "ClusterTopologyBinding",
        "metadata": {"name": name},
        "spec": {"levels": levels},
    }


def queue(name: str) -> dict:
    return {"apiVersion": "scheduling.run.ai/v2", "kind": "Queue", "metadata": {"name": name}}


def cluster(*extra: dict, demo_topology: bool = True) -> Snapshot:
    """The demo's cluster (binding gpu-fabric: region, zone, rack, host) plus ``extra``."""
    demo = SCENARIOS["demo"]()
    keep = [o for o in demo.objects if demo_topology or o["kind"] != "ClusterTopologyBinding"]
    bundle = dataclasses.replace(demo, objects=(*keep, *extra))
    request = SnapshotRequest("vllm-disagg", workloads=False, cluster_setup=True)
    return fetch_snapshot(BundleSource(bundle), request)


def test_the_only_binding_names_the_pack_domain():
    fitted = fit_to_cluster(RenderOptions(pack_domain="rack"), cluster())
    assert fitted.options.topology_name == "gpu-fabric"
    assert fitted.notes == [
        "Topology: the cluster's only ClusterTopologyBinding, 'gpu-fabric', names the pack "
        "domain 'rack'."
    ]


@pytest.mark.parametrize(
    ("options", "extra", "says"),
    [
        (
            RenderOptions(pack_domain="rack"),
            [binding("nvl", "zone", "block")],
            "has several ClusterTopologyBindings (gpu-fabric, nvl); choose one with "
            "--topology-name.",
        ),
        (
            RenderOptions(pack_domain="rack", topology_name="nvl"),
            [],
            "--topology-name 'nvl': no such ClusterTopologyBinding in bundle scenario",
        ),
        (
            RenderOptions(pack_domain="numa"),
            [],
            "--pack-domain 'numa' is not a level of ClusterTopologyBinding 'gpu-fabric'. Its "
            "levels, broadest first: region, zone, rack, host.",
        ),
        (
            RenderOptions(pack_domain="rack", topology_name="nvl"),
            [binding("nvl", "zone", "block")],
            "--pack-domain 'rack' is not a level of ClusterTopologyBinding 'nvl'. Its levels, "
            "broadest first: zone, block.",
        ),
    ],
)
def test_a_pack_domain_that_does_not_fit_the_cluster_is_refused_naming_the_flag(
    options, extra, says
):
    with pytest.raises(InvalidInput) as refused:
        fit_to_cluster(options, cluster(*extra))
    assert says in refused.value.message
    if "It has" in refused.value.message:
        assert refused.value.message.endswith("It has: gpu-fabric.")


def test_several_bindings_with_a_name_given_use_that_one():
    fitted = fit_to_cluster(
        RenderOptions(pack_domain="block", topology_name="nvl"),
        cluster(binding("nvl", "zone", "block")),
    )
    assert (fitted.options.topology_name, fitted.notes) == ("nvl", [])


def test_a_cluster_without_bindings_cannot_pack():
    with pytest.raises(InvalidInput, match="has no ClusterTopologyBinding"):
        fit_to_cluster(RenderOptions(pack_domain="rack"), cluster(demo_topology=False))


def test_offline_a_pack_domain_needs_the_topology_name():
    with pytest.raises(InvalidInput, match="Add --topology-name NAME"):
        fit_to_cluster(RenderOptions(pack_domain="rack"), None)
    given = RenderOptions(pack_domain="rack", topology_name="mine")
    assert fit_to_cluster(given, None).options == given


def test_kai_is_detected_from_the_clusters_queues_with_dynamos_default_queue():
    fitted = fit_to_cluster(RenderOptions(), cluster(queue("dynamo"), queue("team-a")))
    assert fitted.options.kai_queue == "dynamo"
    assert "KAI Scheduler: the cluster has KAI queues (dynamo, team-a)" in fitted.notes[0]
    assert len(fitted.notes) == 1
    chosen = fit_to_cluster(RenderOptions(kai_queue="team-a"), cluster(queue("team-a")))
    assert (chosen.options.kai_queue, chosen.notes) == ("team-a", [])


def test_a_missing_queue_is_named_and_no_queues_means_no_kai():
    fitted = fit_to_cluster(RenderOptions(), cluster(queue("team-a")))
    assert fitted.options.kai_queue == "dynamo"
    assert "KAI queue 'dynamo' does not exist in the cluster" in fitted.notes[1]
    assert fit_to_cluster(RenderOptions(), cluster()).options.kai_queue is None
    asked = fit_to_cluster(RenderOptions(kai_queue="team-a"), cluster())
    assert asked.options.kai_queue == "team-a"  # given: kept, with a warning
    assert "shows no KAI queue" in asked.notes[0]


def test_generate_renders_for_the_cluster_before_aiconfigurator_runs():
    run = load_run("qwen3_32b_sglang_8gpu")
    calls = []

    def replay(*args, **kwargs):
        calls.append(1)
        return run

    snapshot = cluster(queue("dynamo"))
    report = generate(run.request, RenderOptions(pack_domain="rack"), run=replay, snapshot=snapshot)
    pcs = pcs_of(report.plans[0].manifest)
    assert pcs["spec"]["template"]["topologyConstraint"] == {
        "topologyName": "gpu-fabric",
        "pack": {"required": "rack"},
    }
    frontend = pcs["spec"]["template"]["cliques"][0]
    assert frontend["spec"]["podSpec"]["schedulerName"] == "kai-scheduler"
    assert frontend["labels"]["kai.scheduler/queue"] == "dynamo"
    assert any(n.startswith("Topology: the cluster's only") for n in report.notes)
    with pytest.raises(InvalidInput, match="not a level"):
        generate(run.request, RenderOptions(pack_domain="numa"), run=replay, snapshot=snapshot)
    assert len(calls) == 1  # the refused one never started AIConfigurator
