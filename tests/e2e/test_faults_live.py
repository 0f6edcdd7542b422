"""Faults on a private real API server: restarted mid-watch, hung, etcd frozen. Never on the
shared server: ``down()`` and ``paused()`` would break every other test."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client
from test_watch_and_cli_live import _kubectl_grove

from grove_mcp.core.call import RETRY_SECONDS
from grove_mcp.grove.kinds import NAMESPACE, PODCLIQUE
from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.seeder import seed
from tools.envtest.apiserver import ApiServer, Binaries, crds_dir

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]
PCS = "my-inference"
COUNTED = "my-inference-0-router"  # its status.updatedReplicas numbers the writes
TIMEOUT = 1.0  # request timeout given to the front ends
BOUND = 3 * TIMEOUT + 2.0  # an answer about a hung server comes within this
ETCD_PAUSE = 3.0
TIMEOUT_ARGS = ("--request-timeout", str(TIMEOUT))
DOWN = 3.0  # seconds the API server stays down
# after the restart, quiet until the CLI's retries (1+2+4+8 s at most) re-listed: a re-list
# that finds nothing new must show no frame
RESUMED = sum(RETRY_SECONDS[:4]) + 2.0


@pytest.fixture(scope="module")
def private(binaries: Binaries) -> Iterator[ApiServer]:
    """An API server of this module's own, with the demo seeded in namespace ``faults``."""
    with ApiServer(binaries, (), crds_dir()) as server:
        admin = server.client()
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "faults"}}
        admin.request("POST", NAMESPACE, body=body)
        seed(admin, SCENARIOS["demo"](), namespace="faults")
        yield server


def _env() -> dict[str, str]:
    env = {"NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    if "PYTHONPATH" in os.environ:  # the grove_mcp under test, as in this process
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env


def _count(server: ApiServer, n: int) -> None:
    """One real change: the counted clique's updatedReplicas becomes ``n``."""
    admin = server.client()
    clique = admin.request("GET", PODCLIQUE, "faults", COUNTED)
    clique["status"]["updatedReplicas"] = n
    admin.request("PUT", PODCLIQUE, "faults", COUNTED, sub="status", body=clique)


def _documents(stdout: Any, out: queue.Queue[dict[str, Any]]) -> None:
    """JSON documents printed one after the other (each closes with ``}`` alone on a line)."""
    lines: list[str] = []
    for line in stdout:
        lines.append(line)
        if line.rstrip("\n") == "}":
            out.put(json.loads("".join(lines)))
            lines = []


def _counted(report: dict[str, Any]) -> int:
    return next(c["updated"] for c in report["cliques"] if c["name"] == COUNTED)


def _until_counted(
    frames: queue.Queue[dict[str, Any]], seen: list[int], n: int, watch: subprocess.Popen[str]
) -> None:
    deadline = time.monotonic() + 60
    while not seen or seen[-1] != n:
        try:
            seen.append(_counted(frames.get(timeout=max(0.1, deadline - time.monotonic()))))
        except queue.Empty:
            watch.terminate()
            _, err = watch.communicate(timeout=10)
            pytest.fail(f"no frame showed write {n} within 60 s; frames: {seen}; stderr: {err}")


def test_cli_watch_resumes_after_an_api_server_restart_without_duplicates_or_gaps(
    private: ApiServer,
) -> None:
    _count(private, 0)
    kubeconfig = str(private.kubeconfig())
    command = [_kubectl_grove(), "status", PCS, "-n", "faults", "--kubeconfig", kubeconfig]
    watch = subprocess.Popen(
        [*command, "-o", "json", "--watch", "--request-timeout", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    frames: queue.Queue[dict[str, Any]] = queue.Queue()
    reader = threading.Thread(target=_documents, args=(watch.stdout, frames), daemon=True)
    reader.start()
    seen: list[int] = []
    try:
        _until_counted(frames, seen, 0, watch)
        for n in (1, 2, 3):
            _count(private, n)
            _until_counted(frames, seen, n, watch)
        with private.down():
            time.sleep(DOWN)  # long enough for the watch to notice, fail and retry
        time.sleep(RESUMED)
        for n in (4, 5, 6):
            _count(private, n)
            _until_counted(frames, seen, n, watch)
        assert watch.poll() is None, watch.stderr.read() if watch.stderr else ""
    finally:
        watch.terminate()
        watch.wait(10)
    reader.join(5)
    while not frames.empty():
        seen.append(_counted(frames.get()))
    # one frame per change: none twice (the re-list after the restart found nothing new), none lost
    assert seen == [0, 1, 2, 3, 4, 5, 6], seen


def _status_args(server: ApiServer) -> list[str]:
    config = str(server.kubeconfig())
    return [_kubectl_grove(), "status", PCS, "-n", "faults", "--kubeconfig", config, *TIMEOUT_ARGS]


def _status_cli(server: ApiServer) -> tuple[subprocess.CompletedProcess[str], float]:
    began = time.monotonic()
    run = subprocess.run(
        _status_args(server),
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    return run, time.monotonic() - began


def test_cli_on_a_hung_api_server_names_it_within_the_bound(private: ApiServer) -> None:
    with private.paused():
        run, took = _status_cli(private)
    print(f"hung API server, CLI: answered in {took:.2f} s")
    assert run.returncode not in (0, 1), run.stdout
    assert f"{private.url}: no answer within 1s" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert took < BOUND + 5.0  # the interpreter's start-up is included here


@pytest.mark.anyio
async def test_mcp_tool_on_a_hung_api_server_names_it_within_the_bound(
    private: ApiServer, anyio_backend: str
) -> None:
    config = ServerConfig(
        kubeconfig=str(private.kubeconfig()), namespace="faults", request_timeout=TIMEOUT
    )
    async with Client(build_server(config)) as client:
        with private.paused():
            began = time.monotonic()
            result = await client.call_tool("grove_status", {"name": PCS})
            took = time.monotonic() - began
    print(f"hung API server, MCP tool: answered in {took:.2f} s")
    text = result.content[0].text
    assert result.is_error and f"{private.url}: no answer within 1s" in text, text
    assert "Traceback" not in text
    assert took < BOUND


def test_a_report_during_an_etcd_pause_completes_after_it_or_names_the_endpoint(
    private: ApiServer,
) -> None:
    began = time.monotonic()
    with private.etcd_paused():
        run = subprocess.Popen(
            [*_status_args(private), "-o", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        time.sleep(ETCD_PAUSE)  # the fault itself: etcd frozen this long
    out, err = run.communicate(timeout=60)
    took = time.monotonic() - began
    print(f"etcd frozen {ETCD_PAUSE} s, CLI: exit {run.returncode} after {took:.2f} s")
    assert "Traceback" not in err, err
    assert took < ETCD_PAUSE + BOUND + 5.0  # the interpreter's start-up is included here
    if run.returncode == 1:  # waited out the pause: the whole report, verdict and all
        assert json.loads(out)["overview"]["name"] == PCS
    else:
        assert private.url in err, err


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
