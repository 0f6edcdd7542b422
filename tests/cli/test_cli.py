"""kubectl-grove through typer's CliRunner: outputs, exit codes, and errors before any API call."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from grove_mcp.cli.app import app
from grove_mcp.reports.health import HealthReport
from grove_mcp.reports.listing import WorkloadList
from grove_mcp.reports.status import StatusList, StatusReport
from grove_mcp.reports.topology import TopologyReport
from grove_mcp.sources import demo_bundle_path

runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "120", **(env or {})})


@pytest.mark.parametrize(
    ("command", "model"),
    [
        ("status", StatusReport),
        ("topology", TopologyReport),
        ("health", HealthReport),
    ],
)
def test_json_output_validates_against_the_report_schema(command, model):
    result = invoke(command, "my-inference", "--demo", "-o", "json")
    assert result.exit_code == 1, result.output  # the demo has problems: exit code 1
    data = json.loads(result.stdout)
    jsonschema.validate(data, model.model_json_schema())
    assert data["report"] == command and data["namespace"] == "vllm-disagg"


def test_yaml_equals_json():
    as_json = json.loads(invoke("status", "my-inference", "--demo", "-o", "json").stdout)
    as_yaml = yaml.safe_load(invoke("status", "my-inference", "--demo", "-o", "yaml").stdout)
    assert as_yaml == as_json


def test_status_all_and_list():
    result = invoke("status", "--all", "--demo", "-o", "json")
    jsonschema.validate(json.loads(result.stdout), StatusList.model_json_schema())
    listing = invoke("list", "--demo", "-o", "json")
    assert listing.exit_code == 1
    data = json.loads(listing.stdout)
    jsonschema.validate(data, WorkloadList.model_json_schema())
    assert [i["name"] for i in data["items"]] == ["my-inference"]


def test_text_output_is_plain_with_no_color():
    result = invoke("status", "my-inference", "--demo")
    assert "\x1b[" not in result.stdout
    for heading in ("Resource Overview", "Clique Statuses", "PodGang Status", "Summary:"):
        assert heading in result.stdout
    assert "my-inference-1  ⚠ Breached" in result.stdout


def test_health_text_shows_countdown():
    result = invoke("health", "my-inference", "--demo")
    assert "Time Remaining: 3h 42m" in result.stdout
    assert "PodGang: my-inference-1" in result.stdout


def test_bundle_path_is_a_source(tmp_path):
    result = invoke("health", "my-inference", "--bundle", str(demo_bundle_path()), "-o", "json")
    assert json.loads(result.stdout)["source"].startswith("bundle ")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("status", "My_Inference", "--demo"), 2, "not a valid PodCliqueSet name"),
        (("status", "my-inference", "-n", "Bad_NS", "--demo"), 2, "not a valid namespace"),
        (("status", "--demo"), 2, "needs a PodCliqueSet name"),
        (("status", "x", "--all", "--demo"), 2, "not both"),
        (("status", "my-inferense", "--demo"), 3, "Did you mean 'my-inference'"),
        (("status", "my-inference", "--demo", "--bundle", "/tmp"), 2, "not both"),
        (("status", "my-inference", "--bundle", "/nonexistent"), 4, "no such file"),
        (("topology", "my-inference", "--watch", "--demo"), 4, "needs a live cluster"),
        (("status", "my-inference", "--kubeconfig", "/nonexistent"), 4, "does not exist"),
    ],
)
def test_errors_are_one_paragraph_with_exit_codes(args, code, message):
    result = invoke(*args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_invalid_name_is_refused_before_any_cluster_access(tmp_path):
    # The kubeconfig points at a port nobody listens on: validation must fail first.
    result = invoke("status", "BAD!", "--kubeconfig", str(tmp_path / "absent"))
    assert result.exit_code == 2


def test_missing_kubeconfig_everywhere_suggests_demo(tmp_path):
    result = invoke(
        "status",
        "my-inference",
        env={"KUBECONFIG": "", "HOME": str(tmp_path), "KUBERNETES_SERVICE_HOST": ""},
    )
    assert result.exit_code == 4
    assert "--demo" in result.stderr


def test_version():
    result = invoke("version")
    assert result.exit_code == 0 and "grove-mcp" in result.stdout


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["-n", "ns", "status", "x"], ["status", "x", "-n", "ns"]),
        (
            ["--context=c", "--kubeconfig", "k", "plan", "show", "x"],
            ["plan", "show", "x", "--context=c", "--kubeconfig", "k"],
        ),
        (["status", "x", "-n", "ns"], ["status", "x", "-n", "ns"]),
        (["--help"], ["--help"]),
        (["-n", "ns"], ["-n", "ns"]),
    ],
)
def test_kubectl_style_flags_before_the_command(argv, expected):
    from grove_mcp.cli.main import hoist_global_flags

    assert hoist_global_flags(argv) == expected


def test_the_installed_command_takes_flags_before_the_command():
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "kubectl-grove"
    run = subprocess.run(
        [str(exe), "-n", "vllm-disagg", "status", "my-inference", "--demo", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1, run.stderr
    assert json.loads(run.stdout)["namespace"] == "vllm-disagg"
