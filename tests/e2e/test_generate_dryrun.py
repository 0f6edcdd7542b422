"""Every PodCliqueSet ``generate`` renders from recorded real AIConfigurator runs is accepted by
the real API server with Grove's CRDs (server-side dry run, strict field validation), with the
ServiceAccount, Role, RoleBinding and frontend Service rendered beside it, and deliberately
broken ones are refused with our actionable error.

Grove's webhook (the 45-character combined-name limit) does not run here: it is checked in
tests/unit/aic. The dry run checks everything the CRD holds: schema, required fields, CEL rules.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from recorded_aic import Replay

from grove_mcp.aic import RenderOptions, generate
from grove_mcp.errors import ApiError
from grove_mcp.grove import KubeObject
from grove_mcp.grove.kinds import PODCLIQUESET, Kind
from grove_mcp.sources.kube import KubeClient
from tools.envtest.objects import contained

DRY_RUN = [("dryRun", "All"), ("fieldValidation", "Strict")]
RBAC = "rbac.authorization.k8s.io"
KINDS = {
    "ServiceAccount": Kind("ServiceAccount", "", "v1", "serviceaccounts", True, KubeObject),
    "Role": Kind("Role", RBAC, "v1", "roles", True, KubeObject, has_status=False),
    "RoleBinding": Kind("RoleBinding", RBAC, "v1", "rolebindings", True, KubeObject, False),
    "Service": Kind("Service", "", "v1", "services", True, KubeObject),
    "PodCliqueSet": PODCLIQUESET,
}
LONG_NAME = "a-rather-long-inference-deployment-name-for-qwen"

# (recorded run, changes to the run, render options): every backend, both modes (each run
# renders both), workers spanning nodes, a name shortened to Grove's limit, every option.
CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "sglang": ("qwen3_32b_sglang_32gpu", {}, {}),
    "vllm": ("qwen3_32b_vllm_32gpu", {}, {}),
    "trtllm": ("qwen3_32b_trtllm_32gpu", {}, {}),
    "sglang-multi-node-moe": (
        "deepseek_v3_sglang_32gpu",
        {},
        {"pack_domain": "rack", "topology_name": "gpu-fabric"},
    ),
    "vllm-multi-node": ("qwen3_32b_vllm_32gpu", {"gpus_per_node": 4}, {}),
    "trtllm-multi-node": ("qwen3_32b_trtllm_32gpu", {"gpus_per_node": 4}, {}),
    "shortened-name-every-option": (
        "qwen3_32b_sglang_8gpu",
        {},
        {
            "name": LONG_NAME,
            "image": "registry.example/dynamo/sglang-runtime:1.3.0",
            "model_path": "/models/qwen3-32b",
            "pack_domain": "host",
            "topology_name": "gpu-fabric",
            "kai_queue": "inference",
            "env": {"NATS_SERVER": "nats://nats:4222", "ETCD_ENDPOINTS": "http://etcd:2379"},
            "termination_delay": "1h30m",
        },
    ),
}


def files(case: str, namespace: str) -> list[list[dict[str, Any]]]:
    """Every plan's YAML file, as its objects in file order."""
    fixture, changes, options = CASES[case]
    replay = Replay(fixture)
    replay.run = replay.run.model_copy(update=changes)
    report = generate(replay.run.request, RenderOptions(namespace=namespace, **options), run=replay)
    assert [p.mode for p in report.plans] == ["disagg", "agg"]
    return [list(yaml.safe_load_all(p.manifest)) for p in report.plans]


def manifests(case: str, namespace: str) -> list[dict[str, Any]]:
    """Every plan's PodCliqueSet."""
    return [next(d for d in docs if d["kind"] == "PodCliqueSet") for docs in files(case, namespace)]


def dry_run(admin: KubeClient, namespace: str, manifest: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = admin.request(
        "POST", KINDS[manifest["kind"]], namespace, body=manifest, params=DRY_RUN
    )
    return answer


@pytest.mark.parametrize("case", sorted(CASES))
def test_generated_files_are_accepted_as_they_are(
    admin: KubeClient, namespace: str, case: str
) -> None:
    for docs in files(case, namespace):
        assert [d["kind"] for d in docs] == list(KINDS)  # what the pods need comes first
        for manifest in docs:
            stored = dry_run(admin, namespace, manifest)
            assert stored["metadata"]["name"] == manifest["metadata"]["name"]
            body = {k: v for k, v in manifest.items() if k not in ("apiVersion", "kind")}
            assert contained(body, stored) == [], manifest["kind"]
    # a dry run persists nothing
    assert admin.request("GET", PODCLIQUESET, namespace)["items"] == []
    assert admin.request("GET", KINDS["Service"], namespace)["items"] == []


def test_the_shapes_this_covers(admin: KubeClient, namespace: str) -> None:
    """The cases hold what they claim: scaling groups for workers spanning nodes, a cut name."""
    groups = {
        case: [
            len(m["spec"]["template"].get("podCliqueScalingGroups", []))
            for m in manifests(case, namespace)
        ]
        for case in ("sglang-multi-node-moe", "vllm-multi-node", "trtllm-multi-node")
    }
    assert groups == {
        "sglang-multi-node-moe": [1, 0],
        "vllm-multi-node": [1, 1],
        "trtllm-multi-node": [1, 1],
    }
    names = [m["metadata"]["name"] for m in manifests("shortened-name-every-option", namespace)]
    assert all(name != LONG_NAME and name.startswith("a-rather-long") for name in names)


def _broken(namespace: str, change: str) -> dict[str, Any]:
    manifest = copy.deepcopy(manifests("sglang", namespace)[0])
    template = manifest["spec"]["template"]
    if change == "missing roleName":
        del template["cliques"][1]["spec"]["roleName"]
    elif change == "packDomain":
        template["topologyConstraint"] = {"packDomain": "rack"}
    elif change == "unknown field":
        template["cliques"][1]["spec"]["podSpec"]["containers"][0]["gpuCount"] = 4
    return manifest


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        (
            "missing roleName",
            422,
            "The API server refused the PodCliqueSet as invalid: "
            'PodCliqueSet.grove.io "qwen3-32b-sglang-disagg" is invalid: '
            "[spec.template.cliques[1].spec.roleName: Required value",
        ),
        ("packDomain", 422, "The API server refused the PodCliqueSet as invalid:"),
        (
            "unknown field",
            400,
            'unknown field "spec.template.cliques[1].spec.podSpec.containers[0].gpuCount"',
        ),
    ],
)
def test_broken_podcliquesets_are_refused_saying_what_is_wrong(
    admin: KubeClient, namespace: str, change: str, status: int, says: str
) -> None:
    with pytest.raises(ApiError) as caught:
        dry_run(admin, namespace, _broken(namespace, change))
    assert caught.value.__cause__.status == status  # type: ignore[union-attr]
    assert says in str(caught.value)
    if change == "packDomain":
        assert "packDomain" in str(caught.value)
