"""tools/seed, run as a user runs it, against the test API server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from grove_mcp.grove.kinds import POD, PODCLIQUE
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import demo_bundle_path
from grove_mcp.sources.kube import KubeClient

SEED = Path(__file__).resolve().parents[2] / "tools" / "seed"


def _seed(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SEED), *args], capture_output=True, text=True, timeout=120
    )


def test_seeds_a_bundle_into_a_namespace(
    admin: KubeClient, admin_kubeconfig: str, namespace: str
) -> None:
    run = _seed(
        "--bundle", str(demo_bundle_path()), "-n", namespace, "--kubeconfig", admin_kubeconfig
    )

    assert run.returncode == 0, run.stderr
    assert f"into {namespace} on admin" in run.stdout
    pods = admin.request("GET", POD, namespace)["items"]
    assert len(pods) == sum(1 for o in SCENARIOS["demo"]().objects if o["kind"] == "Pod")


def test_at_capture_time_keeps_the_times(
    admin: KubeClient, admin_kubeconfig: str, namespace: str
) -> None:
    args = ("--scenario", "healthy", "-n", namespace, "--kubeconfig", admin_kubeconfig)

    run = _seed(*args, "--at-capture-time")

    assert run.returncode == 0, run.stderr
    assert "timestamps moved by 0:00:00" in run.stdout
    captured = next(
        o
        for o in SCENARIOS["healthy"]().objects
        if o["metadata"]["name"] == "my-inference-0-router"
    )
    live = admin.request("GET", PODCLIQUE, namespace, "my-inference-0-router")
    assert live["status"]["conditions"] == captured["status"]["conditions"]


def test_refuses_legacy_shapes_with_exit_code_2(admin_kubeconfig: str) -> None:
    run = _seed("--scenario", "legacy-alpha8", "--kubeconfig", admin_kubeconfig)

    assert run.returncode == 2
    assert run.stderr.startswith("seed: This bundle has Grove ≤ alpha.8 shapes")
    assert run.stdout == ""
