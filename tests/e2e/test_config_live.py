"""The config file on a real API server: its default namespace and operator namespace take
effect, and flags override them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.seeder import seed

pytestmark = pytest.mark.e2e


def cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("kubectl-grove", path=str(Path(sys.executable).parent))
    assert exe is not None, "kubectl-grove is not installed next to this interpreter"
    env = {"NO_COLOR": "1", "PATH": "/usr/bin:/bin", "KUBECTL_GROVE_CONFIG": str(config)}
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=120, env=env)


def test_the_default_namespace_comes_from_the_file_and_the_flag_wins(
    admin: KubeClient, admin_kubeconfig: str, namespace: str, tmp_path: Path
) -> None:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    config = tmp_path / "config.yaml"
    config.write_text("defaults: {}\n")
    args = ("status", "my-inference", "--kubeconfig", admin_kubeconfig, "-o", "json")
    assert cli(config, *args).returncode == 3  # the context's namespace: default
    config.write_text(f"defaults:\n  namespace: {namespace}\n")
    found = cli(config, *args)
    assert found.returncode == 1, found.stderr  # found, with findings (the breached gang)
    assert json.loads(found.stdout)["namespace"] == namespace
    flagged = cli(config, *args, "-n", "default")
    assert flagged.returncode == 3 and "'default'" in flagged.stderr


def test_the_operator_is_looked_for_where_the_file_says(
    admin: KubeClient, admin_kubeconfig: str, namespace: str, tmp_path: Path
) -> None:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)  # the operator's Deployment too
    config = tmp_path / "config.yaml"
    args = ("health", "my-inference", "-n", namespace, "--kubeconfig", admin_kubeconfig)
    config.write_text(f"defaults:\n  operator_namespace: {namespace}\n")
    here = json.loads(cli(config, *args, "-o", "json").stdout)["grove_version"]
    assert here["version"] is not None, here
    config.write_text("defaults:\n  operator_namespace: kube-system\n")
    elsewhere = json.loads(cli(config, *args, "-o", "json").stdout)["grove_version"]
    assert elsewhere["version"] is None, elsewhere
