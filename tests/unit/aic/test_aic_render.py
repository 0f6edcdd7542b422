"""The PodCliqueSet renderer, per backend and mode, checked against Grove's CRD schema."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml
from aic_helpers import CREATED, load_run, pcs_validator

from grove_mcp.aic import RenderOptions, render_pcs, to_yaml
from grove_mcp.aic.engine_args import EngineArgs
from grove_mcp.aic.interpret import ModePlan, mode_plan
from grove_mcp.aic.naming import MAX_COMBINED_NAME
from grove_mcp.errors import InvalidInput
from grove_mcp.planfile import PLAN_ANNOTATION, RoleConfig, nodes_per_worker

CASES = [
    ("qwen3_32b_sglang_8gpu", "agg"),
    ("qwen3_32b_sglang_8gpu", "disagg"),
    ("qwen3_32b_vllm_32gpu", "agg"),
    ("qwen3_32b_vllm_32gpu", "disagg"),
    ("qwen3_32b_trtllm_32gpu", "agg"),
    ("qwen3_32b_trtllm_32gpu", "disagg"),
]


def plan_of(fixture: str, mode: str) -> ModePlan:
    found = mode_plan(load_run(fixture), mode, created_at=CREATED)
    assert found is not None
    return found


def cliques(manifest: dict) -> dict[str, dict]:
    return {c["name"]: c for c in manifest["spec"]["template"]["cliques"]}


def container(clique: dict) -> dict:
    return clique["spec"]["podSpec"]["containers"][0]


def gpus(clique: dict) -> int:
    resources = container(clique).get("resources", {})
    requested = resources.get("requests", {}).get("nvidia.com/gpu", "0")
    assert resources.get("limits", {}).get("nvidia.com/gpu", "0") == requested
    return int(requested)


def script(clique: dict) -> str:
    c = container(clique)
    return " ".join(c["command"] + c.get("args", []))


def assert_valid_for_grove(manifest: dict) -> None:
    """Grove's CRD schema (stricter on unknown fields), its CEL packDomain rule and the
    45-character combined-name limit of its webhook."""
    pcs_validator().validate(manifest)
    template = manifest["spec"]["template"]
    assert "packDomain" not in template.get("topologyConstraint", {})
    name = manifest["metadata"]["name"]
    groups = {
        c: g["name"] for g in template.get("podCliqueScalingGroups", []) for c in g["cliqueNames"]
    }
    for clique in template["cliques"]:
        combined = len(name) + len(groups.get(clique["name"], "")) + len(clique["name"])
        assert combined <= MAX_COMBINED_NAME, (name, clique["name"])


@pytest.mark.parametrize(("fixture", "mode"), CASES)
def test_every_backend_and_mode_renders_a_valid_pcs(fixture, mode):
    p = plan_of(fixture, mode)
    pcs = render_pcs(p.plan, p.engine, RenderOptions())
    assert_valid_for_grove(pcs.manifest)
    assert yaml.safe_load(to_yaml(pcs.manifest)) == pcs.manifest
    found = cliques(pcs.manifest)
    roles = p.plan.config.roles()
    assert set(found) == {"frontend"} | {"worker" if r == "agg" else r for r in roles}
    assert pcs.manifest["spec"]["replicas"] == 1  # Dynamo's shape: one PCS replica
    for role, cfg in roles.items():
        clique = found["worker" if role == "agg" else role]
        assert clique["spec"]["replicas"] == cfg.workers * p.plan.config.replicas
        assert clique["spec"]["minAvailable"] == 1
        assert gpus(clique) == cfg.gpus_per_worker
        assert f"dynamo.{p.plan.backend}" in script(clique)
    assert gpus(found["frontend"]) == 0
    assert container(found["frontend"])["ports"] == [
        {"name": "http", "containerPort": 8000, "protocol": "TCP"}
    ]
    assert found["frontend"]["spec"]["replicas"] == found["frontend"]["spec"]["minAvailable"] == 1


def test_the_pcs_requests_exactly_the_gpus_of_the_plan():
    p = plan_of("qwen3_32b_vllm_32gpu", "disagg")  # 2P tp4 + 2D tp8: 24 of 32 GPUs
    manifest = render_pcs(p.plan, p.engine, RenderOptions()).manifest
    per_replica = sum(gpus(c) * c["spec"]["replicas"] for c in cliques(manifest).values())
    assert per_replica * manifest["spec"]["replicas"] == p.plan.config.total_gpus == 24


def test_sglang_disagg_uses_aiconfigurator_flags_and_disaggregation_mode():
    p = plan_of("qwen3_32b_sglang_8gpu", "disagg")
    found = cliques(render_pcs(p.plan, p.engine, RenderOptions()).manifest)
    prefill, decode = script(found["prefill"]), script(found["decode"])
    assert p.engine.flags["prefill"] in prefill and "--disaggregation-mode prefill" in prefill
    assert p.engine.flags["decode"] in decode and "--disaggregation-mode decode" in decode
    assert "--model-path Qwen/Qwen3-32B" in prefill
    assert "--served-model-name Qwen/Qwen3-32B" in prefill


def test_vllm_disagg_adds_the_nixl_kv_transfer_like_aiconfigurators_manifest():
    p = plan_of("qwen3_32b_vllm_32gpu", "disagg")
    prefill = script(cliques(render_pcs(p.plan, p.engine, RenderOptions()).manifest)["prefill"])
    assert "--model Qwen/Qwen3-32B" in prefill
    assert "--disaggregation-mode prefill --kv-transfer-config" in prefill
    assert '"kv_connector":"NixlConnector"' in prefill


def test_trtllm_writes_aiconfigurators_engine_yaml_and_points_at_it():
    p = plan_of("qwen3_32b_trtllm_32gpu", "disagg")
    decode = script(cliques(render_pcs(p.plan, p.engine, RenderOptions()).manifest)["decode"])
    assert "cat > /workspace/engine_configs/decode_config.yaml <<'YAML'" in decode
    assert p.engine.engine_yaml["decode"].strip() in decode
    assert "--extra-engine-args /workspace/engine_configs/decode_config.yaml" in decode


@pytest.mark.parametrize("backend", ["sglang", "vllm", "trtllm"])
def test_without_aiconfigurator_flags_defaults_follow_the_plan(backend):
    p = plan_of("qwen3_32b_sglang_32gpu", "disagg")
    plan = p.plan.model_copy(update={"backend": backend})
    manifest = render_pcs(plan, EngineArgs(), RenderOptions()).manifest
    assert_valid_for_grove(manifest)
    decode = script(cliques(manifest)["decode"])
    assert "--tensor-parallel-size 8" in decode and "--pipeline-parallel-size 1" in decode
    assert (
        f"nvcr.io/nvidia/ai-dynamo/{'tensorrtllm' if backend == 'trtllm' else backend}"
        in (container(cliques(manifest)["decode"])["image"])
    )


def test_options_image_model_path_namespace_topology_queue_env():
    p = plan_of("qwen3_32b_sglang_8gpu", "agg")
    options = RenderOptions(
        name="my-inference",
        namespace="vllm-disagg",
        image="registry.local/dynamo-sglang:dev",
        model_path="/models/Qwen3-32B",
        pack_domain="rack",
        topology_name="gpu-fabric",
        kai_queue="inference",
        env={"ETCD_ENDPOINTS": "etcd.dynamo:2379"},
    )
    manifest = render_pcs(p.plan, p.engine, options).manifest
    assert_valid_for_grove(manifest)
    assert manifest["metadata"]["name"] == "my-inference"
    assert manifest["metadata"]["namespace"] == "vllm-disagg"
    assert manifest["spec"]["template"]["topologyConstraint"] == {
        "topologyName": "gpu-fabric",
        "pack": {"required": "rack"},
    }
    worker = cliques(manifest)["worker"]
    assert container(worker)["image"] == "registry.local/dynamo-sglang:dev"
    assert "--model-path /models/Qwen3-32B" in script(worker)
    assert "--served-model-name Qwen/Qwen3-32B" in script(worker)
    assert worker["labels"]["kai.scheduler/queue"] == "inference"
    assert worker["spec"]["podSpec"]["schedulerName"] == "kai-scheduler"
    assert {"name": "ETCD_ENDPOINTS", "value": "etcd.dynamo:2379"} in container(worker)["env"]


@pytest.mark.parametrize(
    "options",
    [
        RenderOptions(name="My_Inference"),
        RenderOptions(namespace="Bad NS"),
        RenderOptions(pack_domain="Rack!"),
        RenderOptions(pack_domain="rack"),  # Grove's webhook needs topologyName (alpha.9+)
    ],
)
def test_bad_options_are_invalid_input(options):
    p = plan_of("qwen3_32b_sglang_8gpu", "agg")
    with pytest.raises(InvalidInput):
        render_pcs(p.plan, p.engine, options)


def test_the_plan_rides_in_an_annotation_stamped_with_the_pcs_name():
    p = plan_of("qwen3_32b_sglang_8gpu", "disagg")
    manifest = render_pcs(p.plan, p.engine, RenderOptions()).manifest
    carried = json.loads(manifest["metadata"]["annotations"][PLAN_ANNOTATION])
    assert carried["name"] == manifest["metadata"]["name"] == "qwen3-32b-sglang-disagg"
    assert carried["config"]["decode"]["gpusPerWorker"] == 4
    assert not any(k.startswith("grove.io/") for k in manifest["metadata"]["annotations"])


def test_long_names_are_cut_with_a_stable_hash_to_the_combined_limit():
    p = plan_of("qwen3_32b_sglang_8gpu", "disagg")
    long = "a-very-long-deployment-name-for-the-qwen3-32b-model"
    first = render_pcs(p.plan, p.engine, RenderOptions(name=long))
    again = render_pcs(p.plan, p.engine, RenderOptions(name=long))
    other = render_pcs(p.plan, p.engine, RenderOptions(name=long + "x"))
    assert first.name == again.name != other.name
    assert 40 < len(first.name) + len("frontend") <= MAX_COMBINED_NAME  # the longest clique
    assert first.name.startswith("a-very-long-deployment-name")
    assert any("shortened" in n for n in first.notes)
    assert_valid_for_grove(first.manifest)


def test_nodes_per_worker():
    assert [nodes_per_worker(g, 8) for g in (1, 4, 8, 16, 32, 12)] == [1, 1, 1, 2, 4, 2]
    assert nodes_per_worker(12, 4) == 3
    assert nodes_per_worker(10, 8) == 2


def multi_node(backend: str, gpn: int = 8) -> dict:
    """A disagg plan whose decode worker (tp1 dp16 ep16, as DeepSeek-V3's) spans 2 nodes."""
    p = plan_of("qwen3_32b_sglang_8gpu", "disagg")
    decode = RoleConfig(workers=2, tp=1, dp=16, moe_ep=16, gpus_per_worker=16, batch_size=8)
    config = p.plan.config.model_copy(
        update={"decode": decode, "gpus_per_node": gpn, "total_gpus": 36}
    )
    plan = p.plan.model_copy(update={"backend": backend, "config": config})
    return render_pcs(
        plan, EngineArgs(), RenderOptions(pack_domain="rack", topology_name="gpu-fabric")
    ).manifest


@pytest.mark.parametrize("backend", ["sglang", "vllm", "trtllm"])
def test_a_worker_spanning_nodes_becomes_a_scaling_group_of_leader_and_workers(backend):
    manifest = multi_node(backend)
    assert_valid_for_grove(manifest)
    template = manifest["spec"]["template"]
    constraint = {"topologyName": "gpu-fabric", "pack": {"required": "rack"}}
    assert template["podCliqueScalingGroups"] == [
        {
            "name": "decode",
            "cliqueNames": ["decode-ldr", "decode-wkr"],
            "replicas": 2,  # one per worker; the scaled ones are gangs of their own
            "minAvailable": 1,  # as Dynamo sets it
            "topologyConstraint": constraint,  # every gang packed, with its topologyName
        }
    ]
    assert template["topologyConstraint"] == constraint
    found = cliques(manifest)
    assert set(found) == {"frontend", "prefill", "decode-ldr", "decode-wkr"}
    for member in ("decode-ldr", "decode-wkr"):  # every rank of a worker is needed
        assert found[member]["spec"]["replicas"] == found[member]["spec"]["minAvailable"] == 1
    assert gpus(found["decode-ldr"]) == gpus(found["decode-wkr"]) == 8  # 16 over 2 nodes
    leader, worker = script(found["decode-ldr"]), script(found["decode-wkr"])
    host = "${GROVE_PCSG_NAME}-${GROVE_PCSG_INDEX}-decode-ldr-0.${GROVE_HEADLESS_SERVICE}"
    assert host in leader and host in worker


def test_multi_node_launch_per_backend():
    sg = cliques(multi_node("sglang"))
    assert "--nnodes 2 --node-rank 0" in script(sg["decode-ldr"])
    assert "--node-rank $((GROVE_PCLQ_POD_INDEX + 1))" in script(sg["decode-wkr"])
    assert "--enable-dp-attention" in script(sg["decode-ldr"])
    vl = cliques(multi_node("vllm"))
    assert "ray start --head" in script(vl["decode-ldr"])
    assert "--distributed-executor-backend ray" in script(vl["decode-ldr"])
    assert 'ray start --address="${LEADER}:6379" --block' in script(vl["decode-wkr"])
    trt = multi_node("trtllm")
    found = cliques(trt)
    assert "mpirun" in script(found["decode-ldr"]) and "-np 16" in script(found["decode-ldr"])
    assert "sshd -D -p 2222" in script(found["decode-wkr"])
    volumes = found["decode-wkr"]["spec"]["podSpec"]["volumes"]
    secret = {"secretName": "mpirun-ssh-key-qwen3-32b-trtllm-disagg", "defaultMode": 0o600}
    assert {"name": "mpirun-ssh", "secret": secret} in volumes


def bash_syntax_errors(script: str) -> str:
    """What ``bash -n`` (parse, do not run) says about ``script``: empty when it is valid,
    here-documents closed included."""
    bash = shutil.which("bash")
    assert bash is not None, "bash is not on PATH"
    checked = subprocess.run(
        [bash, "-n"], input=script, capture_output=True, text=True, timeout=30, check=False
    )
    return checked.stderr or ("" if checked.returncode == 0 else f"exit {checked.returncode}")


def shell_scripts(manifest: dict) -> dict[str, str]:
    """The ``bash -c`` script of every clique that has one."""
    found = {}
    for name, clique in cliques(manifest).items():
        c = container(clique)
        if c["command"][-1] == "-c":
            assert c["command"] == ["/bin/bash", "-c"] and len(c["args"]) == 1, name
            found[name] = c["args"][0]
    return found


def test_scripts_are_valid_shell_words():
    plans = [plan_of(fixture, mode) for fixture, mode in CASES]
    manifests = [render_pcs(p.plan, p.engine, RenderOptions()).manifest for p in plans]
    for manifest in [*manifests, *(multi_node(b) for b in ("sglang", "vllm", "trtllm"))]:
        scripts = shell_scripts(manifest)
        assert set(scripts) == set(cliques(manifest)) - {"frontend"}
        for name, script in scripts.items():
            assert bash_syntax_errors(script) == "", f"{name}:\n{script}"
    trtllm = shell_scripts(manifests[CASES.index(("qwen3_32b_trtllm_32gpu", "disagg"))])
    assert "<<'YAML'" in trtllm["decode"]  # the controls: a check that can fail
    assert "matching" in bash_syntax_errors(trtllm["decode"] + " '")
    assert "here-document" in bash_syntax_errors(trtllm["decode"].replace("\nYAML\n", "\n"))


def test_the_crd_schema_check_catches_a_missing_role_name():
    p = plan_of("qwen3_32b_sglang_8gpu", "agg")
    manifest = render_pcs(p.plan, p.engine, RenderOptions()).manifest
    del manifest["spec"]["template"]["cliques"][1]["spec"]["roleName"]
    errors = list(pcs_validator().iter_errors(manifest))
    assert [e.message for e in errors] == ["'roleName' is a required property"]


def test_deepseek_decode_spans_two_nodes_with_aiconfigurators_flags():
    p = plan_of("deepseek_v3_sglang_32gpu", "disagg")
    pcs = render_pcs(p.plan, p.engine, RenderOptions())
    assert_valid_for_grove(pcs.manifest)
    assert pcs.multi_node_roles == {"decode": 2}
    found = cliques(pcs.manifest)
    assert gpus(found["prefill"]) == 8 and found["prefill"]["spec"]["replicas"] == 2
    assert gpus(found["decode-ldr"]) == gpus(found["decode-wkr"]) == 8
    total = sum(gpus(c) * c["spec"]["replicas"] for c in found.values())
    assert total == 32  # not the 32 + 256 of AIConfigurator's Dynamo manifest
    leader = script(found["decode-ldr"])
    assert '--tensor-parallel-size "16"' in leader and "--enable-dp-attention" in leader
    assert "--nnodes 2 --node-rank 0" in leader
    agg = mode_plan(load_run("deepseek_v3_sglang_32gpu"), "agg", created_at=CREATED)
    assert agg is not None
    assert_valid_for_grove(render_pcs(agg.plan, agg.engine, RenderOptions()).manifest)
