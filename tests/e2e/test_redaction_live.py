"""``plan store`` on the real API server with a credential planted in the plan: its report
(CLI, table exit) shows none, though the ConfigMap keeps the plan as given (the store is
input, not output)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from grove_mcp import core
from grove_mcp.cli.app import app
from grove_mcp.grove.kinds import CONFIGMAP
from grove_mcp.planfile import dump_plan
from grove_mcp.plans.configmap import PlanInput
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import demo_source
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed

SECRET = "xoxb-0123456789-plantedsecret"
PCS = "my-inference"


def test_plan_store_reports_no_planted_secret(
    admin: KubeClient, admin_kubeconfig: str, namespace: str, tmp_path: Path
) -> None:
    seed(admin, SCENARIOS["healthy"](), namespace=namespace)
    plan = core.run("plan show", demo_source(), None, PCS).plan  # type: ignore[attr-defined]
    plan = plan.model_copy(update={"model": f"org/{SECRET}"})
    source = LiveSource.connect(kubeconfig=admin_kubeconfig)
    report = core.run("plan store", source, namespace, PCS, PlanInput(plan, f"token={SECRET}"))
    source.close()
    assert report.stored.model == "org/[REDACTED]"  # type: ignore[attr-defined]
    assert SECRET not in report.model_dump_json()
    stored = admin.request("GET", CONFIGMAP, namespace, f"{PCS}-aic-plan")
    assert SECRET in stored["data"]["plan.json"]  # what was stored is the user's own input

    again = plan.model_copy(update={"model": f"org2/{SECRET}"})
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(dump_plan(again), encoding="utf-8")
    argv = ["plan", "store", PCS, "-f", str(plan_file), "-n", namespace]
    result = CliRunner().invoke(
        app, [*argv, "--kubeconfig", admin_kubeconfig], env={"NO_COLOR": "1"}
    )
    assert result.exit_code == 0, result.output
    assert "[REDACTED]" in result.stdout and SECRET not in result.stdout + result.stderr
