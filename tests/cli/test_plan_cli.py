"""``kubectl grove plan`` through typer's CliRunner on the demo and on bundles: outputs, exit
codes, and bad input refused before any API call. (store against a real API server: e2e.)"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from grove_mcp import core
from grove_mcp.cli.app import app
from grove_mcp.reports.plan_reports import PlanDiffReport, PlanHistoryReport, PlanShowReport
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import BundleSource, demo_source

runner = CliRunner()
PCS = "my-inference"


def invoke(*args: str):
    return runner.invoke(app, ["plan", *args], env={"NO_COLOR": "1", "COLUMNS": "140"})


@pytest.fixture(scope="module")
def drift_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return SCENARIOS["plan-drift"]().write(tmp_path_factory.mktemp("bundle") / "plan-drift")


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    plan = core.run("plan show", demo_source(), None, PCS).plan
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan.to_json_dict()))
    return path


def test_show_prints_the_plan_as_the_requirements_sketch_it():
    result = invoke("show", PCS, "--demo")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:7] == [
        "AIConfigurator Plan for: my-inference",
        "Stored: not recorded (ConfigMap created 2026-11-19 14:30:00)",
        "Model: Qwen/Qwen3-32B  System: h200_sxm  Mode: disagg",
        "Backend: sglang 0.5.5  Replicas: 2  Total GPUs: 24",
        "Configuration: Prefill Workers: 2 (tp4) / Decode Workers: 2 (tp2)",
        "Expected Performance: Throughput 612.40 tok/s/gpu, TTFT 268.00ms, TPOT 9.60ms",
        "SLA Targets: TTFT ≤300ms, TPOT ≤10ms",
    ]


@pytest.mark.parametrize(
    ("command", "model"),
    [("show", PlanShowReport), ("history", PlanHistoryReport), ("diff", PlanDiffReport)],
)
def test_json_is_the_core_report(command, model):
    result = invoke(command, PCS, "--demo", "-o", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    jsonschema.validate(data, model.model_json_schema())
    expected = core.run(f"plan {command}", demo_source(), None, PCS)
    assert data == json.loads(expected.model_dump_json())


def test_diff_on_the_demo_matches_where_it_can_tell():
    result = invoke("diff", PCS, "--demo")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Plan vs Deployed Comparison: my-inference\n")
    assert "┌─────────────────────┬" in out
    assert "│ Parameter           │ Planned      │ Deployed" in out
    assert "│ Prefill Workers     │ 2            │ 2 " in out
    assert "? Topology Constraint: the plan records no topology constraint" in out
    assert out.rstrip().endswith(
        "✓ Deployment matches plan where it can be told (cannot tell: Topology Constraint)"
    )


def test_diff_with_drift_exits_1(drift_bundle: Path):
    result = invoke("diff", PCS, "--bundle", str(drift_bundle))
    assert result.exit_code == 1, result.output
    assert "│ Decode TP           │ 2            │ 4 " in result.stdout
    assert "✗ Decode TP: TP flag in the engine arguments; the plan has tp2" in result.stdout
    assert "✗ Deployment drifts from plan: Prefill Workers, Decode TP" in result.stdout
    expected = core.run("plan diff", BundleSource.open(drift_bundle), None, PCS)
    json_run = invoke("diff", PCS, "--bundle", str(drift_bundle), "-o", "json")
    assert json_run.exit_code == 1
    assert json.loads(json_run.stdout) == json.loads(expected.model_dump_json())


def test_history_lists_the_stored_plans():
    result = invoke("history", PCS, "--demo")
    assert result.exit_code == 0, result.output
    assert "Plan history for: my-inference (1 of at most 10" in result.stdout
    assert "2 × (2×prefill tp4 + 2×decode tp2), 24 GPUs" in result.stdout


@pytest.mark.parametrize("command", ["show", "history", "diff"])
def test_missing_podcliqueset_exits_3_listing_what_exists(command):
    result = invoke(command, "nope", "--demo")
    assert result.exit_code == 3
    assert "PodCliqueSet 'nope' not found in namespace 'vllm-disagg'" in result.stderr
    assert "PodCliqueSets there: my-inference" in result.stderr


def test_bad_name_exits_2():
    result = invoke("diff", "My_Inference", "--demo")
    assert result.exit_code == 2
    assert "Did you mean 'my-inference'?" in result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"format": "grove-mcp-plan", "model": ""}', "field 'model': String should have at least"),
        ("{", "not valid JSON"),
    ],
)
def test_store_refuses_a_malformed_plan_naming_path_and_field(tmp_path: Path, content, expected):
    path = tmp_path / "plan.json"
    path.write_text(content)
    # no cluster is configured: the file is refused before any connection is attempted
    result = invoke("store", PCS, "-f", str(path), "--kubeconfig", str(tmp_path / "none"))
    assert result.exit_code == 2, result.output
    assert f"{path}: " in result.stderr and expected in result.stderr


def test_store_refuses_the_demo_and_bundles(plan_file: Path, drift_bundle: Path):
    for source in (["--demo"], ["--bundle", str(drift_bundle)]):
        result = invoke("store", PCS, "-f", str(plan_file), *source)
        assert result.exit_code == 2, result.output
        assert "is a read-only capture" in result.stderr


def test_store_needs_a_file():
    result = invoke("store", PCS, "--demo")
    assert result.exit_code == 2
    assert "--file" in result.output
