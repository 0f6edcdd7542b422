"""Faults on a private real API server: restarted mid-watch, hung, etcd frozen. Never on the
shared server: ``down()`` and ``paused()`` would break every other test."""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import anyio
import anyio.to_thread
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPDeprecationWarning
from test_tui_live import BROKEN, set_breach
from test_watch_and_cli_live import _kubectl_grove

from grove_mcp.core import BACK_TEXT, RETRY_SECONDS
from grove_mcp.grove.kinds import NAMESPACE, PODCLIQUE
from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed
from tools.envtest.apiserver import ApiServer, Binaries, crds_dir

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]
PCS = "my-inference"
COUNTED = "my-inference-0-router"  # its status.updatedReplicas numbers the writes
TIMEOUT = 1.0  # request timeout given to the front ends
BOUND = 3 * TIMEOUT + 2.0  # an answer about a hung server comes within this
ETCD_PAUSE = 3.0
TIMEOUT_ARGS = ("--request-timeout", str(TIMEOUT))
FRAME_SECONDS = 30.0  # generous: a notification normally follows its write within a second
STATES = {True: "Breached", False: "Healthy"}
# a lost API server is noticed, and a restarted one re-listed, within the CLI's retries
# (1+2+4+8 s) and a margin
RESUMED = sum(RETRY_SECONDS[:4]) + 10.0


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


def _lines(stream: Any, out: queue.Queue[str]) -> None:
    for line in stream:
        out.put(line.rstrip("\n"))


def _until_said(said: queue.Queue[str], heard: list[str], what: str) -> None:
    """Wait (within RESUMED) for a stderr line containing ``what``; every line kept."""
    deadline = time.monotonic() + RESUMED
    while not any(what in line for line in heard):
        try:
            heard.append(said.get(timeout=max(0.1, deadline - time.monotonic())))
        except queue.Empty:
            pytest.fail(f"stderr did not say {what!r} within {RESUMED} s: {heard}")


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
    said: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_documents, args=(watch.stdout, frames), daemon=True)
    reader.start()
    threading.Thread(target=_lines, args=(watch.stderr, said), daemon=True).start()
    seen: list[int] = []
    heard: list[str] = []
    try:
        _until_counted(frames, seen, 0, watch)
        for n in (1, 2, 3):
            _count(private, n)
            _until_counted(frames, seen, n, watch)
        with private.down():  # down until the CLI said so (its retries have begun)
            _until_said(said, heard, "lost")
        began = time.monotonic()
        # the re-list after the restart worked: it found nothing new, so it showed no frame
        _until_said(said, heard, "connected again")
        print(f"CLI --watch: connected again {time.monotonic() - began:.1f} s after the restart")
        for n in (4, 5, 6):
            _count(private, n)
            _until_counted(frames, seen, n, watch)
        assert watch.poll() is None, heard
    finally:
        watch.terminate()
        watch.wait(10)
    reader.join(5)
    while not frames.empty():
        seen.append(_counted(frames.get()))
    while not said.empty():
        heard.append(said.get())
    # one frame per change: none twice (the re-list after the restart found nothing new), none lost
    assert seen == [0, 1, 2, 3, 4, 5, 6], seen
    # stderr said it once each, naming the endpoint and why; stdout held only the frames
    print(f"CLI --watch stderr: {heard}")
    assert len(heard) == 2 and heard[1] == "connected again", heard
    lost = f"({private.url}) lost (Cannot reach the Kubernetes API server at {private.url}: "
    assert heard[0].startswith("connection to cluster ") and lost in heard[0], heard
    assert heard[0].endswith("); retrying"), heard


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


def _nudge(admin: KubeClient, namespace: str) -> None:
    """A change the watch sees that no report shows: an annotation on the breached clique."""
    clique = admin.request("GET", PODCLIQUE, namespace, BROKEN)
    clique["metadata"].setdefault("annotations", {})["grove-mcp.io/test-nudge"] = str(time.time())
    admin.request("PUT", PODCLIQUE, namespace, BROKEN, body=clique)


def _watch_threads() -> list[str]:
    """The threads of subscriptions and of the watches under them."""
    names = (t.name for t in threading.enumerate())
    return sorted(n for n in names if n.startswith(("grove-subscription-", "grove-watch-")))


def _gone(before: list[str], seconds: float = 10.0) -> bool:
    """Whether the watch threads are back to ``before`` within ``seconds`` (polled)."""
    deadline = time.monotonic() + seconds
    while _watch_threads() != before and time.monotonic() < deadline:
        time.sleep(0.05)
    return _watch_threads() == before


class _Heard(logging.Handler):
    """What the subscriptions logged: ``lost`` and ``back`` set as they say so."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lost, self.back = threading.Event(), threading.Event()
        self.said: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        self.said.append(message)
        if "lost (" in message:
            self.lost.set()
        if message.endswith(BACK_TEXT):
            self.back.set()


@pytest.mark.anyio
async def test_mcp_subscription_notifies_each_change_once_across_a_restart(
    private: ApiServer, anyio_backend: str
) -> None:
    ns = "mcp-subscribe"
    admin = private.client()
    admin.request(
        "POST", NAMESPACE, body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
    )
    seed(admin, SCENARIOS["demo"](), namespace=ns)
    health, status = (f"grove://{ns}/{PCS}/{report}" for report in ("health", "status"))
    source = LiveSource.connect(kubeconfig=str(private.kubeconfig()), timeout=3)
    server = build_server(ServerConfig(), source=lambda: source)
    updates: list[str] = []
    heard = _Heard()
    logger = logging.getLogger("grove_mcp.mcp_server")
    logger.addHandler(heard)
    logger.setLevel(logging.INFO)
    before = _watch_threads()

    async def on_message(message: Any) -> None:
        if getattr(message, "method", None) == "notifications/resources/updated":
            updates.append(str(message.params.uri))

    async def change(client: Client, breached: bool) -> None:
        """One write; then exactly one more notification of each report, and a read shows it."""
        counts = updates.count(health), updates.count(status)
        await anyio.to_thread.run_sync(set_breach, admin, ns, breached)
        with anyio.fail_after(FRAME_SECONDS):
            while (updates.count(health), updates.count(status)) == counts:
                await anyio.sleep(0.02)
        read = await client.read_resource(health)
        assert json.loads(read.contents[0].text)["gangs"][1]["state"] == STATES[breached]
        assert updates.count(health) == counts[0] + 1, updates

    async def said(event: threading.Event) -> bool:
        return await anyio.to_thread.run_sync(event.wait, FRAME_SECONDS)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)  # the handshake era's methods
            async with Client(server, mode="legacy", message_handler=on_message) as client:
                await client.subscribe_resource(health)
                await client.subscribe_resource(status)
                subscribed = [t for t in _watch_threads() if t.startswith("grove-subscription")]
                assert subscribed == [f"grove-subscription-{ns}-{PCS}"]  # one watch for both
                await change(client, False)
                await anyio.to_thread.run_sync(_nudge, admin, ns)  # shown by no report
                with private.down():  # down until the subscription noticed
                    assert await said(heard.lost), heard.said
                assert await said(heard.back), heard.said  # re-listed: nothing new, no notice
                await change(client, True)
                await change(client, False)
                await client.unsubscribe_resource(health)
                await client.unsubscribe_resource(status)
                assert await anyio.to_thread.run_sync(_gone, before), _watch_threads()
                # each change once per report; nothing for the nudge nor the restart
                assert sorted(updates) == [health] * 3 + [status] * 3, updates
                await client.subscribe_resource(health)
            assert await anyio.to_thread.run_sync(_gone, before), _watch_threads()  # ended
    finally:
        logger.removeHandler(heard)
        source.close()
    print(f"MCP subscription: {heard.said}")
