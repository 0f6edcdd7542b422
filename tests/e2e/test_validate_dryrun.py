"""Why the offline check exists, on the real API server with Grove's CRDs (and, as everywhere
but a Grove cluster, without Grove's webhook):

- every PodCliqueSet ``generate`` renders for the three backends (recorded real AIConfigurator
  runs) passes both the strict server-side dry run and ``kubectl grove validate``, the pack
  domain checked against a ClusterTopologyBinding read from this API server;
- a PodCliqueSet that breaks a rule only Grove's webhook enforces passes the dry run, and
  ``validate`` refuses it, naming the field.
"""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from recorded_aic import Replay
from typer.testing import CliRunner

from grove_mcp.aic import RenderOptions, generate
from grove_mcp.cli.app import app
from grove_mcp.grove.kinds import PODCLIQUESET, TOPOLOGY_BINDING
from grove_mcp.sources.kube import KubeClient

DRY_RUN = [("dryRun", "All"), ("fieldValidation", "Strict")]
BACKENDS = {
    "sglang": "qwen3_32b_sglang_32gpu",
    "vllm": "qwen3_32b_vllm_32gpu",
    "trtllm": "qwen3_32b_trtllm_32gpu",
}
LEVELS = [
    ("zone", "topology.kubernetes.io/zone"),
    ("rack", "topology.kubernetes.io/rack"),
    ("host", "kubernetes.io/hostname"),
]


@pytest.fixture
def binding(admin: KubeClient) -> Iterator[str]:
    """A ClusterTopologyBinding zone > rack > host on the API server, removed afterwards."""
    name = f"validate-fabric-{secrets.token_hex(3)}"
    body = {
        "apiVersion": "grove.io/v1alpha1",
        "kind": "ClusterTopologyBinding",
        "metadata": {"name": name},
        "spec": {"levels": [{"domain": d, "key": k} for d, k in LEVELS]},
    }
    admin.request("POST", TOPOLOGY_BINDING, body=body)
    yield name
    admin.request("DELETE", TOPOLOGY_BINDING, None, name)


def rendered(backend: str, namespace: str, topology: str) -> list[dict[str, Any]]:
    replay = Replay(BACKENDS[backend])
    options = RenderOptions(namespace=namespace, pack_domain="rack", topology_name=topology)
    report = generate(replay.run.request, options, run=replay)
    assert [p.mode for p in report.plans] == ["disagg", "agg"]
    return [  # the PodCliqueSet of each file (test_generate_dryrun.py sends the rest too)
        next(d for d in yaml.safe_load_all(p.manifest) if d["kind"] == "PodCliqueSet")
        for p in report.plans
    ]


def dry_run(admin: KubeClient, namespace: str, manifest: dict[str, Any]) -> None:
    stored = admin.request("POST", PODCLIQUESET, namespace, body=manifest, params=DRY_RUN)
    assert stored["metadata"]["name"] == manifest["metadata"]["name"]


def validate(kubeconfig: str, manifest: dict[str, Any], tmp_path: Path) -> tuple[int, dict]:
    """``kubectl grove validate -f FILE --kubeconfig K -o json``: exit code and report."""
    file = tmp_path / f"{manifest['metadata']['name']}.yaml"
    file.write_text(yaml.safe_dump(manifest, sort_keys=False))
    result = CliRunner().invoke(
        app, ["validate", "-f", str(file), "--kubeconfig", kubeconfig, "-o", "json"]
    )
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_every_rendered_podcliqueset_passes_the_dry_run_and_validate(
    admin: KubeClient,
    admin_kubeconfig: str,
    namespace: str,
    binding: str,
    backend: str,
    tmp_path: Path,
) -> None:
    for manifest in rendered(backend, namespace, binding):
        dry_run(admin, namespace, manifest)
        code, report = validate(admin_kubeconfig, manifest, tmp_path)
        assert (code, report["violations"], report["skipped_rules"]) == (0, [], [])
        assert report["topology_source"].startswith("cluster ")  # read from this API server
        assert {"name": binding, "levels": ["zone", "rack", "host"]} in report["bindings"]


def _set(manifest: dict[str, Any], change: str) -> None:
    template = manifest["spec"]["template"]
    decode = template["cliques"][-1]
    if change == "no topologyName":
        del template["topologyConstraint"]["topologyName"]
    elif change == "a level the binding lacks":
        template["topologyConstraint"]["pack"]["required"] = "block"
    elif change == "names over 45 characters":
        manifest["metadata"]["name"] = "a-rather-long-inference-deployment-name-x"
    elif change == "minAvailable over replicas":
        decode["spec"]["minAvailable"] = decode["spec"]["replicas"] + 1
    elif change == "startsAfter naming no clique":
        template["cliqueStartupType"] = "CliqueStartupTypeExplicit"
        decode["spec"]["startsAfter"] = ["router"]
    elif change == "an invalid environment variable name":
        decode["spec"]["podSpec"]["containers"][0]["env"].append({"name": "9LIVES", "value": "1"})


@pytest.mark.parametrize(
    ("change", "rule", "field"),
    [
        ("no topologyName", "TOPOLOGY_NAME_REQUIRED", "topologyConstraint.topologyName"),
        (
            "a level the binding lacks",
            "TOPOLOGY_DOMAIN_UNKNOWN",
            "topologyConstraint.pack.required",
        ),
        ("names over 45 characters", "NAME_TOO_LONG", "cliques[2].name"),
        ("minAvailable over replicas", "MIN_AVAILABLE_INVALID", "cliques[2].spec.minAvailable"),
        ("startsAfter naming no clique", "STARTS_AFTER_UNKNOWN", "cliques[2].spec.startsAfter[0]"),
        (
            "an invalid environment variable name",
            "ENV_INVALID",
            "cliques[2].spec.podSpec.containers[0].env",
        ),
    ],
)
def test_a_webhook_only_violation_passes_the_dry_run_and_fails_validate(
    admin: KubeClient,
    admin_kubeconfig: str,
    namespace: str,
    binding: str,
    tmp_path: Path,
    change: str,
    rule: str,
    field: str,
) -> None:
    manifest = copy.deepcopy(rendered("sglang", namespace, binding)[0])
    _set(manifest, change)
    dry_run(admin, namespace, manifest)  # the API server admits it …
    code, report = validate(admin_kubeconfig, manifest, tmp_path)  # … Grove's webhook would not
    assert code == 1 and not report["summary"]["ok"]
    found = [(v["rule"], v["field"]) for v in report["violations"]]
    assert any(r == rule and f.startswith(f"spec.template.{field}") for r, f in found), found
