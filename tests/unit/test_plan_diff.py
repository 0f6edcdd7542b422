"""``plan diff`` on scenarios: matches, drift per parameter, and the cannot-tell cases."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime

import pytest
from plan_helpers import PCS, containers, demo_plan, edited, plan_config_map

from grove_mcp import core
from grove_mcp.aic.manifests import RenderOptions, render_pcs, to_yaml
from grove_mcp.errors import NotFound
from grove_mcp.planfile import Plan
from grove_mcp.plans.configmap import PlanInput, next_content, plan_input_from_text
from grove_mcp.reports.plan_reports import PlanDiffReport, RenderedDeployment
from grove_mcp.scenarios import SCENARIOS, CliqueSpec, ScenarioBuilder, WorkloadSpec
from grove_mcp.scenarios.catalog import CAPTURED_AT, NAMESPACE
from grove_mcp.sources import Bundle, BundleSource

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def diff(bundle: Bundle, name: str = PCS) -> PlanDiffReport:
    return core.run("plan diff", BundleSource(bundle), None, name)


def verdicts(report: PlanDiffReport) -> dict[str, str]:
    return {row.parameter: row.verdict.value for row in report.rows}


def row(report: PlanDiffReport, parameter: str):
    return next(r for r in report.rows if r.parameter == parameter)


def stored_with(plan: dict, rendered: RenderedDeployment | None, namespace: str = NAMESPACE):
    """A plan ConfigMap as plan store writes it (history.json and all)."""
    content = next_content(None, PCS, PlanInput(Plan.model_validate(plan), "x", rendered), NOW)
    cm = plan_config_map(plan, namespace=namespace)
    cm["data"] = content.data
    return cm


def set_args(clique: str, old: str, new: str):
    def change(obj: dict) -> None:
        for c in containers(obj, clique):
            c["args"] = [new if a == old else a for a in c.get("args", [])]

    return change


def test_demo_matches_its_plan_and_cannot_tell_the_constraint():
    report = diff(SCENARIOS["demo"]())
    assert [r.parameter for r in report.rows] == [
        "replicas",
        "prefill.workers",
        "prefill.tp",
        "prefill.gpus_per_worker",
        "decode.workers",
        "decode.tp",
        "decode.gpus_per_worker",
        "total_gpus",
        "backend",
        "image",
        "topology_constraint",
    ]
    assert set(verdicts(report).values()) == {"match", "cannot_tell"}
    assert verdicts(report)["topology_constraint"] == "cannot_tell"
    assert "stored from a plan.json" in row(report, "topology_constraint").reason
    assert row(report, "prefill.tp").reason == "TP flag in the engine arguments"
    assert row(report, "image").deployed == "lmsysorg/sglang:v0.5.5"
    assert report.summary.ok and report.summary.drifts == 0 and report.summary.cannot_tell == 1
    assert report.summary.text.startswith("Deployment matches plan where it can be told")
    assert any("1 worker pod(s) are not ready" in n for n in report.notes)
    assert [(m.role, m.cliques, m.matched_by) for m in report.roles] == [
        ("prefill", ["prefill"], "clique name"),
        ("decode", ["decode"], "clique name"),
    ]


def test_drift_scenario_names_every_drifting_parameter():
    report = diff(SCENARIOS["plan-drift"]())
    assert verdicts(report) == {
        "replicas": "match",
        "prefill.workers": "drift",
        "prefill.tp": "match",
        "prefill.gpus_per_worker": "match",
        "decode.workers": "match",
        "decode.tp": "drift",
        "decode.gpus_per_worker": "drift",
        "total_gpus": "drift",
        "backend": "match",
        "image": "drift",
        "topology_constraint": "cannot_tell",
    }
    workers = row(report, "prefill.workers")
    assert (workers.planned, workers.deployed) == ("2", "3")
    assert "my-inference-0-prefill: spec.replicas 3 (3 ready); the template says 2" in (
        workers.evidence
    )
    assert (row(report, "total_gpus").planned, row(report, "total_gpus").deployed) == ("24", "40")
    assert "tag v0.5.3 is engine version 0.5.3" in row(report, "image").reason
    assert not report.summary.ok
    assert report.summary.text.startswith("Deployment drifts from plan: Prefill Workers, Decode TP")


def test_tp_drift_alone():
    report = diff(edited("demo", set_args("decode", "2", "4")))
    assert {k: v for k, v in verdicts(report).items() if v != "match"} == {
        "decode.tp": "drift",
        "topology_constraint": "cannot_tell",
    }
    assert row(report, "decode.tp").deployed == "4"
    assert row(report, "decode.tp").reason.endswith("the plan has tp2")


@pytest.mark.parametrize(
    ("image", "verdict", "reason"),
    [
        ("lmsysorg/sglang:v0.4.10", "drift", "tag v0.4.10 is engine version 0.4.10"),
        ("lmsysorg/sglang:v0.5.5-cu126", "match", "carries engine version 0.5.5"),
        ("lmsysorg/sglang:latest", "cannot_tell", "tag 'latest' names no version"),
        (
            "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.3.0",
            "cannot_tell",
            "tag is the Dynamo release, not the engine version",
        ),
    ],
)
def test_image_against_the_engine_version_of_the_plan(image, verdict, reason):
    def change(obj: dict) -> None:
        for clique in ("prefill", "decode"):
            for c in containers(obj, clique):
                c["image"] = image

    image_row = row(diff(edited("demo", change)), "image")
    assert (image_row.verdict.value, image_row.deployed) == (verdict, image)
    assert reason in image_row.reason


def test_plan_without_engine_version_cannot_tell_the_image():
    plan = demo_plan()
    del plan["backendVersion"]
    image_row = row(diff(edited("demo", plan=plan)), "image")
    assert image_row.verdict.value == "cannot_tell"
    assert "records neither an image nor the engine version" in image_row.reason


@pytest.mark.parametrize(
    ("rendered", "verdict"),
    [
        (
            RenderedDeployment(
                image=None, topology_name="gpu-fabric", pack_required=None, pack_preferred="rack"
            ),
            "match",
        ),
        (
            RenderedDeployment(
                image=None, topology_name=None, pack_required="rack", pack_preferred=None
            ),
            "drift",
        ),
        (
            RenderedDeployment(
                image=None, topology_name=None, pack_required=None, pack_preferred=None
            ),
            "drift",
        ),
    ],
)
def test_topology_constraint_against_the_rendered_one(rendered, verdict):
    bundle = edited("demo", config_maps=[stored_with(demo_plan(), rendered)])
    topology = row(diff(bundle), "topology_constraint")
    assert topology.verdict.value == verdict
    assert topology.deployed == "preferred=rack (topology gpu-fabric)"


def test_rendered_image_is_compared_exactly():
    rendered = RenderedDeployment(
        image="lmsysorg/sglang:v0.5.5", topology_name=None, pack_required=None, pack_preferred=None
    )
    bundle = edited("demo", config_maps=[stored_with(demo_plan(), rendered)])
    assert row(diff(bundle), "image").verdict.value == "match"
    other = rendered.model_copy(update={"image": "lmsysorg/sglang:v0.5.6"})
    bundle = edited("demo", config_maps=[stored_with(demo_plan(), other)])
    assert row(diff(bundle), "image").verdict.value == "drift"


def _without_tp_flags(obj: dict) -> None:
    for clique in ("prefill", "decode"):
        for c in containers(obj, clique):
            args = c.get("args", [])
            if "--tp" in args:
                i = args.index("--tp")
                c["args"] = args[:i] + args[i + 2 :]


def test_tp_is_derived_from_gpu_requests_without_a_flag():
    report = diff(edited("demo", _without_tp_flags))
    tp = row(report, "prefill.tp")
    assert (tp.verdict.value, tp.deployed) == ("match", "4 (derived)")
    assert "derived from GPU requests" in tp.reason


def test_tp_cannot_be_told_when_gpus_are_ambiguous():
    plan = demo_plan()
    plan["config"]["prefill"] = {"workers": 2, "tp": 2, "pp": 2, "gpusPerWorker": 4}
    report = diff(edited("demo", _without_tp_flags, plan=plan))
    tp = row(report, "prefill.tp")
    assert (tp.verdict.value, tp.deployed) == ("cannot_tell", "?")
    assert "4 GPUs per worker could be tp×pp×dp in several ways (the plan has tp2 pp2)" in tp.reason
    assert not report.summary.text.startswith("Deployment drifts")


def test_gpus_through_dra_cannot_be_told():
    def change(obj: dict) -> None:
        for c in containers(obj, "prefill"):
            c["resources"] = {"requests": {"cpu": "8"}}
        if obj["kind"] == "PodCliqueSet":
            for t in obj["spec"]["template"]["cliques"]:
                if t["name"] == "prefill":
                    t["spec"]["podSpec"]["resourceClaims"] = [
                        {"name": "gpus", "resourceClaimTemplateName": "four-gpus"}
                    ]
        if obj["kind"] == "PodClique" and obj["metadata"]["name"].endswith("-prefill"):
            obj["spec"]["podSpec"]["resourceClaims"] = [
                {"name": "gpus", "resourceClaimTemplateName": "four-gpus"}
            ]

    report = diff(edited("demo", change))
    gpus = row(report, "prefill.gpus_per_worker")
    assert (gpus.verdict.value, gpus.deployed) == ("cannot_tell", "?")
    assert "DRA ResourceClaims" in gpus.reason
    assert row(report, "prefill.tp").verdict.value == "match"  # the --tp flag still tells


def test_a_role_no_clique_serves_is_drift():
    def change(obj: dict) -> None:
        if obj["kind"] == "PodCliqueSet":
            for t in obj["spec"]["template"]["cliques"]:
                if t["name"] == "decode":
                    t["name"] = "generator"
                    t["spec"]["roleName"] = "generator"

    report = diff(edited("demo", change))
    assert row(report, "decode.workers").verdict.value == "drift"
    assert row(report, "decode.workers").reason == (
        "no clique serves decode (cliques: router, prefill, generator)"
    )
    assert any("Clique 'generator' requests GPUs but serves no role" in n for n in report.notes)


def test_multi_node_workers_are_scaling_group_replicas():
    plan = demo_plan()
    plan["config"] = {
        "replicas": 1,
        "prefill": {"workers": 1, "tp": 4, "gpusPerWorker": 4},
        "decode": {"workers": 2, "tp": 8, "gpusPerWorker": 8},
        "totalGpus": 20,
        "gpusPerNode": 4,
    }
    report = diff(edited("epoch-gangs", plan=plan, pcs="mn-disagg"), "mn-disagg")
    roles = {m.role: m for m in report.roles}
    assert roles["decode"].scaling_group == "decode"
    assert roles["decode"].cliques == ["dleader", "dworker"]
    assert roles["decode"].matched_by == "scaling group name"
    assert roles["prefill"].cliques == []
    workers = row(report, "decode.workers")
    assert (workers.verdict.value, workers.deployed) == ("match", "2")
    assert "scaling group 'decode'" in workers.reason
    gpus = row(report, "decode.gpus_per_worker")
    assert (gpus.planned, gpus.deployed, gpus.verdict.value) == (
        "8 (2 nodes × 4)",
        "8 (2 pods per worker)",
        "match",
    )
    assert row(report, "decode.tp").deployed == "8 (derived)"
    assert row(report, "prefill.workers").verdict.value == "drift"
    assert (row(report, "total_gpus").deployed, row(report, "total_gpus").verdict.value) == (
        "16",
        "drift",
    )


def test_live_scaling_group_replicas_win_over_the_template():
    plan = demo_plan()
    plan["config"] = {
        "replicas": 1,
        "prefill": {"workers": 1, "tp": 4, "gpusPerWorker": 4},
        "decode": {"workers": 2, "tp": 8, "gpusPerWorker": 8},
        "totalGpus": 20,
    }

    def scale(obj: dict) -> None:
        if obj["kind"] == "PodCliqueScalingGroup":
            obj["spec"]["replicas"] = 3

    workers = row(
        diff(edited("epoch-gangs", scale, plan=plan, pcs="mn-disagg"), "mn-disagg"),
        "decode.workers",
    )
    assert (workers.deployed, workers.verdict.value) == ("3", "drift")


def test_an_aggregated_plan_takes_a_lone_decode_worker_as_aggregated():
    b = ScenarioBuilder(NAMESPACE, CAPTURED_AT, "aggregated vLLM")
    b.node("gpu-1", {})
    args = ("vllm", "serve", "Qwen/Qwen3-8B", "--tensor-parallel-size", "1")
    b.workload(
        WorkloadSpec(
            name=PCS,
            replicas=1,
            cliques=[
                CliqueSpec("frontend", 1, role="frontend"),
                CliqueSpec(
                    "vllmdecodeworker", 4, gpus=1, image="vllm/vllm-openai:v0.11.0", args=args
                ),
            ],
        )
    )
    plan = demo_plan()
    plan.update(backend="vllm", servingMode="agg", backendVersion="0.11.0")
    plan["config"] = {
        "replicas": 1,
        "agg": {"workers": 4, "tp": 1, "gpusPerWorker": 1},
        "totalGpus": 4,
    }
    b.objects.append(plan_config_map(plan))
    report = diff(b.bundle())
    assert report.roles[0].role == "agg" and report.roles[0].cliques == ["vllmdecodeworker"]
    assert "taken as the aggregated worker" in report.roles[0].matched_by
    assert set(verdicts(report).values()) == {"match", "cannot_tell"}
    assert row(report, "agg.tp").reason == "TP flag in the engine arguments"


def _generated_bundle(plan: Plan, change=None) -> Bundle:
    """Nodes of the demo, a PodCliqueSet rendered by generate (no live children: nothing
    reconciles a bundle), and the plan stored from the generated YAML."""
    rendered = render_pcs(
        plan,
        None,
        RenderOptions(
            name=PCS, namespace=NAMESPACE, pack_domain="rack", topology_name="gpu-fabric"
        ),
    )
    manifest = copy.deepcopy(rendered.manifest)
    if change:
        change(manifest)
    given = plan_input_from_text(to_yaml(manifest), "my-inference.yaml")
    cm = plan_config_map(plan.to_json_dict())
    cm["data"] = next_content(None, PCS, given, NOW).data
    demo = SCENARIOS["demo"]()
    nodes = [o for o in demo.objects if o["kind"] in ("Node", "ClusterTopologyBinding")]
    return Bundle(demo.manifest, (*nodes, manifest, cm), origin="generated")


def _plan(**config) -> Plan:
    data = demo_plan()
    data["config"] = config
    return Plan.model_validate(data)


def test_a_generated_podcliqueset_matches_its_plan_from_the_template():
    plan = _plan(
        replicas=1,
        prefill={"workers": 1, "tp": 16, "gpusPerWorker": 16},
        decode={"workers": 2, "tp": 2, "dp": 4, "gpusPerWorker": 8},
        totalGpus=32,
        gpusPerNode=8,
    )
    report = diff(_generated_bundle(plan))
    assert set(verdicts(report).values()) == {"match"}, report.rows
    roles = {m.role: m for m in report.roles}
    assert roles["prefill"].scaling_group == "prefill"
    assert roles["prefill"].cliques == ["prefill-ldr", "prefill-wkr"]
    assert roles["decode"].matched_by == "label grove-mcp.io/role"
    assert row(report, "prefill.gpus_per_worker").deployed == "16 (2 pods per worker)"
    assert row(report, "decode.tp").planned == "2 (flag 8 with attention dp4)"
    assert row(report, "decode.tp").deployed == "8"  # --tensor-parallel-size tp×dp for SGLang
    assert row(report, "image").planned == "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.3.0"
    assert row(report, "topology_constraint").planned == "required=rack (topology gpu-fabric)"
    assert any("come from the PodCliqueSet template" in n for n in report.notes)


def test_a_generated_podcliqueset_changed_after_storing_drifts():
    plan = _plan(
        replicas=1,
        prefill={"workers": 1, "tp": 4, "gpusPerWorker": 4},
        decode={"workers": 1, "tp": 4, "gpusPerWorker": 4},
        totalGpus=8,
    )
    bundle = _generated_bundle(plan)

    def redeploy(obj: dict) -> None:
        if obj["kind"] == "PodCliqueSet":
            obj["spec"]["template"]["topologyConstraint"] = {"pack": {"preferred": "zone"}}
            for c in containers(obj, "decode"):
                c["image"] = "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.4.0"
                c["args"] = [
                    a.replace("--tensor-parallel-size 4", "--tensor-parallel-size 2")
                    for a in c["args"]
                ]

    objects = [copy.deepcopy(o) for o in bundle.objects]
    for obj in objects:
        redeploy(obj)
    report = diff(Bundle(bundle.manifest, tuple(objects)))
    assert {k for k, v in verdicts(report).items() if v == "drift"} == {
        "decode.tp",
        "image",
        "topology_constraint",
    }


def test_missing_pcs_and_missing_plan_say_so():
    with pytest.raises(
        NotFound,
        match=re.escape(
            "PodCliqueSet 'nope' not found in namespace 'vllm-disagg'. PodCliqueSets there: "
            "my-inference"
        ),
    ):
        diff(SCENARIOS["demo"](), "nope")
    with pytest.raises(
        NotFound,
        match=r"No plan stored for PodCliqueSet 'my-inference'.*kubectl grove plan store my-inference",
    ):
        diff(edited("demo", config_maps=[]))


def test_the_grove_mcp_label_is_read_too():
    cm = plan_config_map(demo_plan(), label="grove-mcp.io/aic-plan", name="plans-of-my-inference")
    report = core.run("plan show", BundleSource(edited("demo", config_maps=[cm])), None, PCS)
    assert (report.label, report.config_map) == ("grove-mcp.io/aic-plan", "plans-of-my-inference")


def test_an_aggregated_plan_against_a_disaggregated_deployment():
    plan = demo_plan()
    plan["servingMode"] = "agg"
    plan["config"] = {
        "replicas": 2,
        "agg": {"workers": 1, "tp": 4, "gpusPerWorker": 4},
        "totalGpus": 8,
    }
    report = diff(edited("demo", plan=plan))
    assert (
        row(report, "agg.workers").reason
        == "no clique serves agg (cliques: router, prefill, decode)"
    )
    assert "Cliques prefill serve prefill, which the plan (agg) does not have." in report.notes
    assert "Cliques decode serve decode, which the plan (agg) does not have." in report.notes
    assert not report.summary.ok


def test_a_generated_podcliqueset_of_several_plan_replicas_matches_in_dynamos_shape():
    """generate renders one PodCliqueSet replica holding every plan replica's workers (as
    Dynamo's operator does): plan diff reads that shape as the plan, not as drift."""
    plan = _plan(
        replicas=2,
        prefill={"workers": 1, "tp": 4, "gpusPerWorker": 4},
        decode={"workers": 3, "tp": 4, "gpusPerWorker": 4},
        totalGpus=32,
    )
    report = diff(_generated_bundle(plan))
    assert set(verdicts(report).values()) == {"match"}, report.rows
    assert row(report, "replicas").deployed.startswith("2 (1 PodCliqueSet replica")
    assert row(report, "decode.workers").planned == "6 (3 × 2 replicas)"
    assert row(report, "decode.workers").deployed == "6"

    def fewer(obj: dict) -> None:
        if obj["kind"] == "PodCliqueSet":
            for clique in obj["spec"]["template"]["cliques"]:
                if clique["name"] == "decode":
                    clique["spec"]["replicas"] = 3

    objects = [copy.deepcopy(o) for o in _generated_bundle(plan).objects]
    for obj in objects:
        fewer(obj)
    drifted = diff(Bundle(_generated_bundle(plan).manifest, tuple(objects)))
    assert {k for k, v in verdicts(drifted).items() if v == "drift"} >= {"decode.workers"}
    assert verdicts(drifted)["replicas"] == "drift"
