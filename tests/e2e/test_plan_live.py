"""``plan`` on the real API server: store → show → store again (no-op) → store changed →
history → diff through the CLI; the history cap; a conflicting writer; RBAC denials naming the
missing permission; a missing PodCliqueSet; and grove_plan_store under --allow-writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from typer.testing import CliRunner

from grove_mcp import core
from grove_mcp.cli.app import app
from grove_mcp.errors import AccessDenied
from grove_mcp.grove.kinds import CONFIGMAP
from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.planfile import Plan
from grove_mcp.plans.configmap import PlanInput, next_content
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import demo_source
from grove_mcp.sources.configmap_write import write_config_map
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed

PCS = "my-inference"
CM = f"{PCS}-aic-plan"
runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, ["plan", *args], env={"NO_COLOR": "1", "COLUMNS": "140"})


def demo_plan(**config: Any) -> Plan:
    plan = core.run("plan show", demo_source(), None, PCS).plan
    return plan.model_copy(update={"config": plan.config.model_copy(update=config)})


def write(path: Path, plan: Plan) -> Path:
    path.write_text(json.dumps(plan.to_json_dict()))
    return path


@pytest.fixture
def healthy(admin: KubeClient, namespace: str) -> str:
    """A namespace with my-inference running and no plan stored."""
    seed(admin, SCENARIOS["healthy"](), namespace=namespace)
    return namespace


def test_store_show_history_diff_end_to_end(
    admin: KubeClient, admin_kubeconfig: str, healthy: str, tmp_path: Path
) -> None:
    target = ("-n", healthy, "--kubeconfig", admin_kubeconfig)
    missing = cli("show", PCS, *target)
    assert missing.exit_code == 3
    assert f"No plan stored for PodCliqueSet '{PCS}' in namespace '{healthy}'" in missing.stderr

    first = write(tmp_path / "plan.json", demo_plan())
    stored = cli("store", PCS, "-f", str(first), *target)
    assert stored.exit_code == 0, stored.output
    assert f"Stored the plan for {PCS} (created; 1 plan(s) in the history" in stored.stdout
    assert f"ConfigMap: {healthy}/{CM}\n" in stored.stdout
    cm = admin.request("GET", CONFIGMAP, healthy, CM)
    assert cm["metadata"]["labels"]["grove.io/aic-plan"] == PCS
    assert sorted(cm["data"]) == ["history.json", "plan.json"]
    assert "ownerReferences" not in cm["metadata"]

    show = cli("show", PCS, *target)
    assert show.exit_code == 0, show.output
    assert show.stdout.startswith(f"AIConfigurator Plan for: {PCS}\nStored: 20")
    assert "Configuration: Prefill Workers: 2 (tp4) / Decode Workers: 2 (tp2)" in show.stdout

    again = cli("store", PCS, "-f", str(first), *target)
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.stdout and "nothing written" in again.stdout
    after = admin.request("GET", CONFIGMAP, healthy, CM)
    assert after["metadata"]["resourceVersion"] == cm["metadata"]["resourceVersion"]

    changed = write(tmp_path / "plan-2.json", demo_plan(replicas=3, total_gpus=36))
    updated = cli("store", PCS, "-f", str(changed), *target)
    assert updated.exit_code == 0, updated.output
    assert "(updated; 2 plan(s) in the history" in updated.stdout
    assert "config.replicas: 2 → 3" in updated.stdout

    history = cli("history", PCS, *target, "-o", "json")
    assert history.exit_code == 0, history.output
    entries = json.loads(history.stdout)["entries"]
    assert [(e["revision"], e["current"], e["replicas"]) for e in entries] == [
        (1, True, 3),
        (2, False, 2),
    ]
    assert entries[0]["changes"] == ["config.replicas: 2 → 3", "config.totalGpus: 24 → 36"]
    assert entries[0]["stored_at"] >= entries[1]["stored_at"]

    diff = cli("diff", PCS, *target)
    assert diff.exit_code == 1, diff.output  # 2 replicas deployed, 3 planned
    assert "│ Replicas            │ 3            │ 2 " in diff.stdout
    assert "✗ Deployment drifts from plan: Replicas, Total GPUs" in diff.stdout


def test_eleven_stores_keep_ten(admin_kubeconfig: str, healthy: str) -> None:
    source = LiveSource.connect(kubeconfig=admin_kubeconfig)
    try:
        for replicas in range(1, 12):
            plan = PlanInput(demo_plan(replicas=replicas, total_gpus=12 * replicas), "plan.json")
            report = core.run("plan store", source, healthy, PCS, plan)
            assert report.action == ("created" if replicas == 1 else "updated")
        assert report.history_entries == 10
        assert "1 older one(s) dropped" in " ".join(report.notes)
        history = core.run("plan history", source, healthy, PCS)
    finally:
        source.close()
    assert [e.replicas for e in history.entries] == list(range(11, 1, -1))


def test_a_concurrent_writer_is_retried_once(
    admin: KubeClient, admin_kubeconfig: str, healthy: str
) -> None:
    """Between our read and our update, another writer stores a plan: the API server answers
    409 Conflict, the store reads again and keeps both plans."""
    source = LiveSource.connect(kubeconfig=admin_kubeconfig)
    core.run("plan store", source, healthy, PCS, PlanInput(demo_plan(), "first"))

    class Interleaved:
        """The real client; before our first update, another writer's update lands."""

        def __init__(self) -> None:
            self.raced = False

        def request(
            self, method: str, kind: Any, namespace: Any = None, name: Any = None, **kw: Any
        ) -> Any:
            if method == "PUT" and not self.raced:
                self.raced = True
                other = PlanInput(demo_plan(replicas=5, total_gpus=60), "other writer")
                core.run("plan store", source, healthy, PCS, other)
            return admin.request(method, kind, namespace, name, **kw)

    mine = PlanInput(demo_plan(replicas=4, total_gpus=48), "mine")
    now = source.now()
    result = write_config_map(
        Interleaved(),  # type: ignore[arg-type]
        healthy,
        CM,
        lambda existing: next_content(existing, PCS, mine, now),
    )
    history = core.run("plan history", source, healthy, PCS)
    source.close()
    assert result.action == "updated"
    assert [e.origin for e in history.entries] == ["mine", "other writer", "first"]


def test_viewer_is_denied_the_write_naming_the_permission(
    admin: KubeClient, viewer_kubeconfig: str, healthy: str, make_namespace: Any, tmp_path: Path
) -> None:
    plan_file = write(tmp_path / "plan.json", demo_plan(replicas=3, total_gpus=36))
    create = cli(
        "store", PCS, "-f", str(plan_file), "-n", healthy, "--kubeconfig", viewer_kubeconfig
    )
    assert create.exit_code == 4, create.output
    assert f"RBAC denied 'create' on configmaps in namespace '{healthy}'" in create.stderr
    assert f"auth can-i create configmaps -n {healthy}" in create.stderr
    assert "plan store needs get, create and update on configmaps" in create.stderr
    assert "Traceback" not in create.stderr

    demo = make_namespace("plan-viewer-update")
    seed(admin, SCENARIOS["demo"](), namespace=demo)  # the demo stores a plan already
    with pytest.raises(AccessDenied) as denied:
        source = LiveSource.connect(kubeconfig=viewer_kubeconfig)
        core.run(
            "plan store", source, demo, PCS, PlanInput(demo_plan(replicas=3, total_gpus=36), "x")
        )
    assert (denied.value.verb, denied.value.resource, denied.value.namespace) == (
        "update",
        "configmaps",
        demo,
    )
    assert core.run("plan show", source, demo, PCS).stored.replicas == 2  # unchanged


def test_store_for_a_missing_podcliqueset_says_what_exists(
    admin_kubeconfig: str, healthy: str, tmp_path: Path
) -> None:
    plan_file = write(tmp_path / "plan.json", demo_plan())
    result = cli(
        "store",
        "my-inferenc",
        "-f",
        str(plan_file),
        "-n",
        healthy,
        "--kubeconfig",
        admin_kubeconfig,
    )
    assert result.exit_code == 3, result.output
    assert f"PodCliqueSet 'my-inferenc' not found in namespace '{healthy}'" in result.stderr
    assert "PodCliqueSets there: my-inference. Did you mean 'my-inference'?" in result.stderr


def test_diff_on_the_seeded_demo_equals_the_demo(
    admin: KubeClient, admin_kubeconfig: str, namespace: str
) -> None:
    seed(admin, SCENARIOS["demo"](), namespace=namespace, at_capture_time=True)
    source = LiveSource.connect(kubeconfig=admin_kubeconfig)
    live = json.loads(core.run("plan diff", source, namespace, PCS).model_dump_json())
    source.close()
    demo = json.loads(core.run("plan diff", demo_source(), None, PCS).model_dump_json())
    for report in (live, demo):
        for key in ("source", "as_of", "namespace"):
            report.pop(key)
    assert json.loads(json.dumps(live).replace(namespace, "vllm-disagg")) == demo


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_mcp_store_with_allow_writes_writes_and_show_reads_it(
    admin_kubeconfig: str, viewer_kubeconfig: str, healthy: str
) -> None:
    plan = demo_plan().to_json_dict()
    server = build_server(
        ServerConfig(kubeconfig=admin_kubeconfig, namespace=healthy, allow_writes=True)
    )
    async with Client(server) as client:
        stored = await client.call_tool("grove_plan_store", {"name": PCS, "plan": plan})
        assert not stored.is_error, stored.content[0].text
        assert stored.structured_content["action"] == "created"
        again = await client.call_tool("grove_plan_store", {"name": PCS, "plan": json.dumps(plan)})
        assert again.structured_content["action"] == "unchanged"
        shown = await client.call_tool("grove_plan_show", {"name": PCS})
        assert shown.structured_content["stored"]["origin"] == "tool argument"
        diff = await client.call_tool("grove_plan_diff", {"name": PCS})
        assert diff.structured_content["summary"]["ok"] is True

    read_only = build_server(ServerConfig(kubeconfig=admin_kubeconfig, namespace=healthy))
    async with Client(read_only) as client:
        assert "grove_plan_store" not in {t.name for t in (await client.list_tools()).tools}

    viewer = build_server(
        ServerConfig(kubeconfig=viewer_kubeconfig, namespace=healthy, allow_writes=True)
    )
    changed = demo_plan(replicas=3, total_gpus=36).to_json_dict()
    async with Client(viewer) as client:
        denied = await client.call_tool("grove_plan_store", {"name": PCS, "plan": changed})
    assert denied.is_error
    text = denied.content[0].text
    assert f"RBAC denied 'update' on configmaps in namespace '{healthy}'" in text
    assert text.endswith("[access_denied]")
