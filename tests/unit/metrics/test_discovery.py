"""Discovery: role, engine hint, metrics endpoint and GPUs of a workload's pods."""

from __future__ import annotations

from typing import Any

import pytest

from grove_mcp.grove.k8s import Pod
from grove_mcp.metrics.catalog import Engine
from grove_mcp.metrics.discovery import (
    Override,
    PortSource,
    dedup_rule,
    discover,
    gpus_by_role,
    target_of,
)
from grove_mcp.scenarios import SCENARIOS


def workload_pods(scenario: str, pcs: str) -> list[Pod]:
    bundle = SCENARIOS[scenario]()
    return [
        Pod.model_validate(o)
        for o in bundle.objects
        if o["kind"] == "Pod" and o["metadata"]["labels"].get("app.kubernetes.io/part-of") == pcs
    ]


def pod(
    name: str = "p",
    *,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    containers: list[dict[str, Any]] | None = None,
    node: str | None = "n1",
    phase: str = "Running",
) -> Pod:
    spec: dict[str, Any] = {"containers": containers or [{"name": "main", "image": "busybox"}]}
    if node:
        spec["nodeName"] = node
    return Pod.model_validate(
        {
            "metadata": {
                "name": name,
                "namespace": "ns",
                "labels": labels or {},
                "annotations": annotations or {},
            },
            "spec": spec,
            "status": {"phase": phase, "podIP": "10.0.0.7"},
        }
    )


DYNAMO_IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.9.0"


def dynamo_worker(name: str, sub: str, gpus: int = 2, **kw: Any) -> Pod:
    return pod(
        name,
        labels={
            "nvidia.com/dynamo-component-type": "worker",
            "nvidia.com/dynamo-sub-component-type": sub,
        },
        containers=[
            {
                "name": "main",
                "image": DYNAMO_IMAGE,
                "command": ["python3", "-m", "dynamo.vllm"],
                "args": ["--model", "Qwen/Qwen3-32B"],
                "ports": [{"name": "system", "containerPort": 9090}],
                "resources": {"limits": {"nvidia.com/gpu": str(gpus)}},
            }
        ],
        **kw,
    )


# --- scenarios ---------------------------------------------------------------------------------


def test_demo_pods_roles_hints_endpoints_and_gpus():
    targets = discover(workload_pods("demo", "my-inference"))
    assert [t.role.name for t in targets] == ["decode"] * 4 + ["prefill"] * 4 + ["router"] * 2
    router = next(t for t in targets if t.role.name == "router")
    assert router.endpoint is not None
    assert (router.endpoint.port, router.endpoint.path, router.endpoint.source) == (
        8000,
        "/metrics",
        PortSource.named_port,
    )
    assert router.hint is not None and router.hint.engine is Engine.unknown  # the SGLang router
    prefill = next(t for t in targets if t.role.name == "prefill")
    assert prefill.role.clique and prefill.role.clique.endswith("-prefill")
    assert prefill.hint is not None and prefill.hint.engine is Engine.sglang
    assert prefill.endpoint is not None
    assert (prefill.endpoint.port, prefill.endpoint.source) == (30000, PortSource.args)
    assert prefill.endpoint.caveat == ""  # the demo runs SGLang with --enable-metrics (A.2)
    assert prefill.gpus == 4 and prefill.pod_ip == "10.244.0.10"


def test_demo_gpus_by_role_leave_out_the_pending_prefill_pod():
    roles = {r.role: r for r in gpus_by_role(discover(workload_pods("demo", "my-inference")))}
    assert (roles["decode"].gpus, len(roles["decode"].counted)) == (8, 4)
    assert roles["prefill"].gpus == 12 and len(roles["prefill"].counted) == 3
    [(excluded, why)] = roles["prefill"].excluded
    assert excluded.startswith("my-inference-1-prefill") and "holds no GPUs" in why
    assert roles["router"].gpus == 0


def test_scaling_group_leader_and_workers_are_one_role():
    targets = discover(workload_pods("epoch-gangs", "mn-disagg"))
    decode = [t for t in targets if t.role.scaling_group == "decode"]
    assert {t.role.template_clique for t in decode} == {"dleader", "dworker"}
    assert {t.role.name for t in decode} == {"decode"}
    [role] = [r for r in gpus_by_role(targets) if r.role == "decode"]
    assert role.gpus == 4 * len(role.counted)
    assert len(role.counted) + len(role.excluded) == len(decode)


# --- Dynamo labels, annotations, override, no port ------------------------------------------


def test_dynamo_worker_role_hint_and_system_port():
    t = target_of(dynamo_worker("w", "prefill"))
    assert (t.role.name, t.role.component_type) == ("prefill", "worker")
    assert t.hint is not None
    assert (t.hint.engine, t.hint.backend) == (Engine.dynamo_worker, Engine.vllm)
    assert t.endpoint is not None
    assert (t.endpoint.port, t.endpoint.path, t.endpoint.source) == (
        9090,
        "/metrics",
        PortSource.named_port,
    )
    assert t.endpoint.caveat == ""
    assert t.gpus == 2 and t.holds_gpus


def test_dynamo_frontend_prefers_its_http_port():
    t = target_of(
        pod(
            "fe",
            labels={"nvidia.com/dynamo-component-type": "frontend"},
            containers=[
                {
                    "name": "main",
                    "image": DYNAMO_IMAGE,
                    "command": ["python3", "-m", "dynamo.frontend"],
                    "ports": [
                        {"name": "system", "containerPort": 9090},
                        {"name": "http", "containerPort": 8000},
                    ],
                }
            ],
        )
    )
    assert t.hint is not None and t.hint.engine is Engine.dynamo_frontend
    assert t.endpoint is not None and t.endpoint.port == 8000
    assert t.role.name == "frontend" and t.gpus == 0


def test_metrics_named_port_wins_over_http():
    t = target_of(
        pod(
            containers=[
                {
                    "name": "main",
                    "image": "vllm/vllm-openai:v0.11.0",
                    "ports": [
                        {"name": "http", "containerPort": 8000},
                        {"name": "metrics", "containerPort": 9100},
                    ],
                }
            ]
        )
    )
    assert t.endpoint is not None and (t.endpoint.port, t.endpoint.why) == (
        9100,
        "container port named 'metrics'",
    )


def test_annotations_give_port_and_path():
    t = target_of(
        pod(
            annotations={"prometheus.io/port": "8080", "prometheus.io/path": "/stats/prometheus"},
            containers=[{"name": "main", "image": "registry.local/inference:1"}],
        )
    )
    assert t.endpoint is not None
    assert (t.endpoint.port, t.endpoint.path, t.endpoint.source) == (
        8080,
        "/stats/prometheus",
        PortSource.annotation,
    )


def test_trtllm_default_path_and_caveat():
    t = target_of(
        pod(containers=[{"name": "main", "image": "x:1", "command": ["trtllm-serve", "m"]}])
    )
    assert t.endpoint is not None
    assert (t.endpoint.port, t.endpoint.path, t.endpoint.source) == (
        8000,
        "/prometheus/metrics",
        PortSource.engine_default,
    )
    assert "return_perf_metrics" in t.endpoint.caveat


def test_vllm_port_flag_in_equals_form():
    t = target_of(
        pod(
            containers=[
                {"name": "main", "image": "vllm/vllm-openai:v0.11.0", "args": ["--port=8100"]}
            ]
        )
    )
    assert t.endpoint is not None and (t.endpoint.port, t.endpoint.source) == (
        8100,
        PortSource.args,
    )
    assert t.endpoint.caveat == ""


def test_override_wins_over_everything():
    worker = dynamo_worker("w", "decode")
    t = target_of(worker, Override(port=9999, path="/custom"))
    assert t.endpoint is not None
    assert (t.endpoint.port, t.endpoint.path, t.endpoint.source) == (
        9999,
        "/custom",
        PortSource.override,
    )
    path_only = target_of(worker, Override(path="/other"))
    assert path_only.endpoint is not None
    assert (path_only.endpoint.port, path_only.endpoint.path) == (9090, "/other")


def test_worker_without_system_port_takes_dyn_system_port_env_or_gets_a_reason():
    base = {"name": "main", "image": DYNAMO_IMAGE, "command": ["python3", "-m", "dynamo.sglang"]}
    labels = {"nvidia.com/dynamo-component-type": "worker"}
    with_env = target_of(
        pod(
            labels=labels,
            containers=[{**base, "env": [{"name": "DYN_SYSTEM_PORT", "value": "8081"}]}],
        )
    )
    assert with_env.endpoint is not None
    assert (with_env.endpoint.port, with_env.endpoint.source) == (8081, PortSource.env)
    without = target_of(pod(labels=labels, containers=[base]))
    assert without.endpoint is None
    assert without.no_endpoint and "DYN_SYSTEM_PORT" in without.no_endpoint


@pytest.mark.parametrize(
    "annotations", [{}, {"prometheus.io/port": "metrics"}], ids=["nothing", "bad-annotation"]
)
def test_no_way_to_find_a_port_is_a_reason_not_a_guess(annotations):
    t = target_of(pod(annotations=annotations))
    assert t.endpoint is None and t.no_endpoint is not None
    assert "no engine default applies" in t.no_endpoint
    if annotations:
        assert "'metrics' is not a port" in t.no_endpoint


def test_dynamo_planner_is_not_an_engine():
    t = target_of(pod(labels={"nvidia.com/dynamo-component-type": "planner"}))
    assert t.hint is not None and t.hint.engine is Engine.unknown
    assert t.endpoint is None and "not an inference engine" in (t.no_endpoint or "")


def test_scrape_false_annotation_is_a_caveat():
    t = target_of(
        pod(
            annotations={"prometheus.io/scrape": "false"},
            containers=[
                {
                    "name": "main",
                    "image": "vllm/vllm-openai:v0.11.0",
                    "ports": [{"name": "http", "containerPort": 8000}],
                }
            ],
        )
    )
    assert t.endpoint is not None and "prometheus.io/scrape=false" in t.endpoint.caveat


def test_gpus_sum_over_containers_and_roles():
    two = pod(
        "two",
        labels={"nvidia.com/dynamo-sub-component-type": "decode"},
        containers=[
            {"name": "a", "resources": {"requests": {"nvidia.com/gpu": "2"}}},
            {"name": "b", "resources": {"limits": {"nvidia.com/gpu": "1"}}},
        ],
    )
    pending = dynamo_worker("pending", "decode", gpus=4, node=None, phase="Pending")
    done = dynamo_worker("done", "decode", gpus=4, phase="Succeeded")
    targets = discover([two, pending, done, dynamo_worker("pf", "prefill", gpus=8)])
    roles = {r.role: r for r in gpus_by_role(targets)}
    assert (roles["decode"].gpus, roles["decode"].counted) == (3, ("two",))
    assert [p for p, _ in roles["decode"].excluded] == ["done", "pending"]
    assert roles["prefill"].gpus == 8
    assert sum(r.gpus for r in roles.values()) == 11  # a disaggregated deployment's denominator


def test_dedup_rules_per_engine():
    assert "tp_rank" in dedup_rule(Engine.sglang)
    assert "`engine`" in dedup_rule(Engine.dynamo_worker, Engine.vllm)
    assert dedup_rule(Engine.unknown).startswith("unknown engine")
