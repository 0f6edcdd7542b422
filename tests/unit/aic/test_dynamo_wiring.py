"""Field by field, per backend: the Dynamo wiring on the pods generate renders (what Dynamo's
operator would add, ../shared/reference/dynamo-pod-wiring.md), on recorded AIConfigurator runs."""

from __future__ import annotations

from typing import Any

import pytest
from aic_helpers import load_run
from recorded_aic import documents

from grove_mcp.aic import RenderOptions, generate

NS = "llm"
BACKENDS = {
    "sglang": "qwen3_32b_sglang_32gpu",
    "vllm": "qwen3_32b_vllm_32gpu",
    "trtllm": "qwen3_32b_trtllm_32gpu",
}
WORKER_ENV = {
    "DYN_SYSTEM_ENABLED": "true",
    "DYN_SYSTEM_PORT": "9090",
    "DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS": '["generate"]',
}
FIELD_REFS = {"POD_NAME": "metadata.name", "POD_NAMESPACE": "metadata.namespace"}
FIELD_REFS |= {"POD_UID": "metadata.uid"}


def rendered(backend: str, gpus_per_node: int | None = None, **options: Any) -> list[dict]:
    """Every document of each plan's YAML (disagg, then agg), by kind."""
    run = load_run(BACKENDS[backend])
    if gpus_per_node:
        run = run.model_copy(update={"gpus_per_node": gpus_per_node})
    report = generate(run.request, RenderOptions(namespace=NS, **options), run=lambda *a, **k: run)
    return [documents(plan.manifest) for plan in report.plans]


def cliques(pcs: dict) -> dict[str, dict]:
    return {c["name"]: c for c in pcs["spec"]["template"]["cliques"]}


def main(clique: dict) -> dict:
    return clique["spec"]["podSpec"]["containers"][0]


def env_of(clique: dict) -> dict[str, Any]:
    """name → value, or → the Downward API field path."""
    return {
        e["name"]: e.get("value", e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath"))
        for e in main(clique)["env"]
    }


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_discovery_rbac_and_the_frontend_service_ride_in_the_same_file(backend):
    for docs in rendered(backend):
        assert list(docs) == ["ServiceAccount", "Role", "RoleBinding", "Service", "PodCliqueSet"]
        name = docs["PodCliqueSet"]["metadata"]["name"]
        sa = f"{name}-k8s-service-discovery"
        assert docs["ServiceAccount"]["metadata"] | {"labels": None} == {
            "name": sa,
            "namespace": NS,
            "labels": None,
        }
        role = docs["Role"]
        assert role["metadata"]["name"] == f"{sa}-role"
        granted = {
            (group, resource): set(rule["verbs"])
            for rule in role["rules"]
            for group in rule["apiGroups"]
            for resource in rule["resources"]
        }
        read = {"get", "list", "watch"}
        assert granted == {
            ("", "pods"): read,
            ("", "endpoints"): read,
            ("discovery.k8s.io", "endpointslices"): read,
            ("nvidia.com", "dynamoworkermetadatas"): read | {"create", "update", "patch", "delete"},
        }
        binding = docs["RoleBinding"]
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": sa, "namespace": NS}]
        assert binding["roleRef"] == {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": f"{sa}-role",
        }
        service = docs["Service"]
        assert service["metadata"]["name"] == f"{name}-frontend"
        assert service["spec"]["ports"] == [
            {"name": "http", "port": 8000, "targetPort": "http", "protocol": "TCP"}
        ]
        selector = service["spec"]["selector"].items()
        selected = [
            n for n, c in cliques(docs["PodCliqueSet"]).items() if selector <= c["labels"].items()
        ]
        assert selected == ["frontend"]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_every_pod_has_dynamos_env_labels_account_grace_and_shm(backend):
    for docs in rendered(backend):
        pcs = docs["PodCliqueSet"]
        name = pcs["metadata"]["name"]
        dynamo_ns = f"{NS}-{name}"
        mode = "disagg" if "prefill" in cliques(pcs) else "agg"
        for clique_name, clique in cliques(pcs).items():
            env, labels, pod = env_of(clique), clique["labels"], clique["spec"]["podSpec"]
            kind = "frontend" if clique_name == "frontend" else "worker"
            assert env["DYN_NAMESPACE"] == labels["nvidia.com/dynamo-namespace"] == dynamo_ns
            assert env["DYN_COMPONENT"] == labels["nvidia.com/dynamo-component-type"] == kind
            assert env["DYN_DISCOVERY_BACKEND"] == "kubernetes"
            assert env["DYN_PARENT_DGD_K8S_NAME"] == name
            assert env["DYN_PARENT_DGD_K8S_NAMESPACE"] == NS
            assert {k: env[k] for k in FIELD_REFS} == FIELD_REFS
            assert {k: labels[k] for k in labels if k.startswith("nvidia.com/")} == {
                "nvidia.com/selector": f"{name}-{clique_name}",
                "nvidia.com/dynamo-graph-deployment-name": name,
                "nvidia.com/dynamo-component": clique_name,
                "nvidia.com/dynamo-component-type": kind,
                **(
                    {"nvidia.com/dynamo-sub-component-type": clique_name}
                    if mode == "disagg" and kind == "worker"
                    else {}
                ),
                "nvidia.com/dynamo-namespace": dynamo_ns,
                "nvidia.com/metrics-enabled": "true",
                "nvidia.com/dynamo-discovery-backend": "kubernetes",
                "nvidia.com/dynamo-discovery-enabled": "true",
            }
            assert pod["serviceAccountName"] == f"{name}-k8s-service-discovery"
            assert pod["terminationGracePeriodSeconds"] == 60
            assert {"name": "shm", "mountPath": "/dev/shm"} in main(clique)["volumeMounts"]
            shm = next(v for v in pod["volumes"] if v["name"] == "shm")
            assert shm["emptyDir"]["medium"] == "Memory"
            assert "schedulerName" not in pod  # no KAI asked for, none detected
            if kind == "worker":
                assert {k: env[k] for k in WORKER_ENV} == WORKER_ENV
                assert "DYNAMO_PORT" not in env
            else:
                assert env["DYNAMO_PORT"] == env["DYN_HTTP_PORT"] == "8000"
                assert not WORKER_ENV.keys() & env.keys()


def probe(container: dict, which: str) -> tuple | None:
    p = container.get(f"{which}Probe")
    if p is None:
        return None
    where = (
        (p["httpGet"]["path"], p["httpGet"]["port"])
        if "httpGet" in p
        else ("tcp", p["tcpSocket"]["port"])
    )
    timing = tuple(p.get(k) for k in ("initialDelaySeconds", "periodSeconds", "failureThreshold"))
    return (*where, *timing)


FRONTEND_PROBES = {
    "liveness": ("/live", "http", 15, 10, 3),
    "readiness": ("/health", "http", 10, 10, 3),
    "startup": None,
}
WORKER_PROBES = {
    "liveness": ("/live", "system", None, 5, 1),
    "readiness": ("/health", "system", None, 10, 3),
    "startup": ("/live", "system", None, 10, 720),  # two hours to load a model
}


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_ports_and_probes_as_dynamo_sets_them(backend):
    for docs in rendered(backend):
        for name, clique in cliques(docs["PodCliqueSet"]).items():
            c = main(clique)
            expected = FRONTEND_PROBES if name == "frontend" else WORKER_PROBES
            assert {w: probe(c, w) for w in expected} == expected, name
            port = ("http", 8000) if name == "frontend" else ("system", 9090)
            assert [(p["name"], p["containerPort"]) for p in c["ports"]] == [port]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_pcs_shape_replicas_one_min_available_and_termination_delay(backend):
    run = load_run(BACKENDS[backend])
    report = generate(run.request, RenderOptions(namespace=NS), run=lambda *a, **k: run)
    clique_of = {"prefill": "prefill", "decode": "decode", "agg": "worker"}
    for item in report.plans:
        pcs = documents(item.manifest)["PodCliqueSet"]
        assert pcs["spec"]["replicas"] == 1
        template = pcs["spec"]["template"]
        assert template["terminationDelay"] == "15m"
        assert template["cliqueStartupType"] == "CliqueStartupTypeAnyOrder"
        found = cliques(pcs)
        assert {n: c["spec"]["minAvailable"] for n, c in found.items()} == dict.fromkeys(found, 1)
        config = item.plan.config
        assert {role: found[clique_of[role]]["spec"]["replicas"] for role in config.roles()} == {
            role: r.workers * config.replicas for role, r in config.roles().items()
        }
        assert found["frontend"]["spec"]["replicas"] == 1
    delayed = rendered(backend, termination_delay="1h30m")[0]["PodCliqueSet"]
    assert delayed["spec"]["template"]["terminationDelay"] == "1h30m"


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_multi_node_workers_start_and_probe_as_dynamo_does(backend):
    docs = rendered(backend, gpus_per_node=4)[1]  # agg tp8 on 4-GPU nodes: 2 nodes a worker
    template = docs["PodCliqueSet"]["spec"]["template"]
    found = cliques(docs["PodCliqueSet"])
    leader, worker = found["worker-ldr"], found["worker-wkr"]
    assert template["podCliqueScalingGroups"][0]["minAvailable"] == 1
    assert (leader["spec"]["minAvailable"], worker["spec"]["minAvailable"]) == (1, 1)
    assert {w: probe(main(leader), w) for w in WORKER_PROBES} == WORKER_PROBES
    worker_probes = {w: probe(main(worker), w) for w in WORKER_PROBES}
    if backend == "trtllm":  # mpirun on the leader reaches sshd on the workers
        assert template["cliqueStartupType"] == "CliqueStartupTypeExplicit"
        assert leader["spec"]["startsAfter"] == ["worker-wkr"]
        assert "startsAfter" not in worker["spec"]
        assert worker_probes == {
            "liveness": None,
            "readiness": ("tcp", 2222, 20, 20, 10),
            "startup": None,
        }
    else:  # no Dynamo runtime on the other ranks: no probes
        assert template["cliqueStartupType"] == "CliqueStartupTypeAnyOrder"
        assert "startsAfter" not in leader["spec"]
        assert worker_probes == dict.fromkeys(WORKER_PROBES)


def test_kai_queue_puts_the_scheduler_and_queue_on_every_clique():
    pcs = rendered("sglang", kai_queue="inference")[0]["PodCliqueSet"]
    assert pcs["metadata"]["labels"]["kai.scheduler/queue"] == "inference"
    for clique in cliques(pcs).values():
        assert clique["labels"]["kai.scheduler/queue"] == "inference"
        assert clique["spec"]["podSpec"]["schedulerName"] == "kai-scheduler"


def test_env_given_overrides_dynamos_by_name_and_adds_the_rest():
    pcs = rendered("vllm", env={"DYN_NAMESPACE": "shared", "NATS_SERVER": "nats://n:4222"})[0]
    for clique in cliques(pcs["PodCliqueSet"]).values():
        names = [e["name"] for e in main(clique)["env"]]
        assert names.count("DYN_NAMESPACE") == 1
        assert env_of(clique)["DYN_NAMESPACE"] == "shared"
        assert env_of(clique)["NATS_SERVER"] == "nats://n:4222"


def test_without_a_namespace_the_parent_namespace_comes_from_the_downward_api():
    run = load_run(BACKENDS["sglang"])
    report = generate(run.request, RenderOptions(), run=lambda *a, **k: run)
    docs = documents(report.plans[0].manifest)
    assert "namespace" not in docs["ServiceAccount"]["metadata"]
    assert docs["RoleBinding"]["subjects"] == [
        {"kind": "ServiceAccount", "name": "qwen3-32b-sglang-disagg-k8s-service-discovery"}
    ]
    env = env_of(cliques(docs["PodCliqueSet"])["frontend"])
    assert env["DYN_PARENT_DGD_K8S_NAMESPACE"] == "metadata.namespace"
    assert env["DYN_NAMESPACE"] == "qwen3-32b-sglang-disagg"
