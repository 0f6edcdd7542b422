"""The CLI and --watch against the real API server, as a user runs them."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from grove_mcp import core
from grove_mcp.grove.kinds import PODCLIQUE
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed

SERVER_ASSIGNED = ("created_at", "age_seconds")


def _kubectl_grove() -> str:
    """The plugin installed with the running interpreter (a virtualenv's bin/), else on PATH."""
    found = shutil.which("kubectl-grove", path=str(Path(sys.executable).parent))
    found = found or shutil.which("kubectl-grove")
    assert found is not None, "kubectl-grove is not installed (pip install -e .)"
    return found


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {"NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    if "PYTHONPATH" in os.environ:  # the grove_mcp under test, as in this process
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run(
        [_kubectl_grove(), *args], capture_output=True, text=True, timeout=120, env=env
    )


def _watch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("grove-watch-")]


def _comparable(text: str, namespace: str) -> Any:
    """The JSON report minus what differs by nature: where it came from, when, what the server
    assigned (creation times), and the namespace name the test used."""
    data = json.loads(text.replace(namespace, "vllm-disagg"))
    data.pop("source")
    data.pop("as_of")
    for key in SERVER_ASSIGNED:
        data.get("overview", {}).pop(key, None)
    return data


def test_cli_json_on_the_seeded_demo_equals_the_demo(
    admin: KubeClient, admin_kubeconfig: str, namespace: str
) -> None:
    seed(admin, SCENARIOS["demo"](), namespace=namespace, at_capture_time=True)
    for report in ("status", "topology"):
        live = _cli(
            report, "my-inference", "-n", namespace, "--kubeconfig", admin_kubeconfig, "-o", "json"
        )
        demo = _cli(report, "my-inference", "--demo", "-o", "json")
        assert (live.returncode, demo.returncode) == (1, 1), live.stderr + demo.stderr
        assert _comparable(live.stdout, namespace) == _comparable(demo.stdout, "vllm-disagg"), (
            f"{report} differs between the seeded cluster and --demo"
        )


def test_cli_names_the_denied_permission(
    viewer_kubeconfig: str, admin: KubeClient, namespace: str
) -> None:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    run = _cli("status", "my-inference", "-n", "default", "--kubeconfig", viewer_kubeconfig)
    assert run.returncode == 4
    assert "RBAC denied 'list'" in run.stderr and "namespace 'default'" in run.stderr
    assert f"kubectl --kubeconfig {viewer_kubeconfig} auth can-i list" in run.stderr
    assert "Traceback" not in run.stderr


def test_watch_redraws_after_a_change_and_closes_its_connections(
    admin: KubeClient, admin_kubeconfig: str, namespace: str
) -> None:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    source = LiveSource.connect(kubeconfig=admin_kubeconfig)
    reports: queue.Queue[Any] = queue.Queue()
    stream = core.watch("health", source, namespace, "my-inference")
    done = threading.Event()

    def consume() -> None:
        for report in stream:
            reports.put(report)
            if done.is_set():
                break
        stream.close()

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    first = reports.get(timeout=30)
    assert first.gangs[1].state == "Breached"

    # The missing prefill pod came up: Grove would write this status.
    clique = admin.request("GET", PODCLIQUE, namespace, "my-inference-1-prefill")
    clique["status"].update(readyReplicas=2, scheduledReplicas=2)
    for cond in clique["status"]["conditions"]:
        cond.update(
            status="False" if cond["type"] == "MinAvailableBreached" else "True",
            reason="SufficientReadyPods"
            if cond["type"] == "MinAvailableBreached"
            else "SufficientScheduledPods",
        )
    admin.request("PUT", PODCLIQUE, namespace, "my-inference-1-prefill", sub="status", body=clique)

    deadline = time.monotonic() + 30
    while True:
        report = reports.get(timeout=max(0.1, deadline - time.monotonic()))
        if report.gangs[1].state != "Breached":
            break
        assert time.monotonic() < deadline, "the watch never showed the change"
    assert report.gangs[1].termination is None

    done.set()
    # One more real change, so the stream yields once more and the consumer sees `done` (an
    # update that changes nothing may produce no watch event; the quiet-period tick is 30 s).
    nudged = admin.request("GET", PODCLIQUE, namespace, "my-inference-1-prefill")
    nudged["metadata"].setdefault("annotations", {})["grove-mcp.io/test-nudge"] = "1"
    admin.request("PUT", PODCLIQUE, namespace, "my-inference-1-prefill", body=nudged)
    consumer.join(timeout=30)
    assert not consumer.is_alive()
    deadline = time.monotonic() + 10
    for thread in _watch_threads():
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert [t.name for t in _watch_threads()] == [], "watch threads outlived the closed watch"
    source.close()
