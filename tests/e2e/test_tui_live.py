"""The TUI on a real API server: a status write shows in the open view (latency measured), and
a lost API server shows in the header, is retried, and the view follows the cluster again once
it is back."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static, Tree

from grove_mcp.grove.kinds import NAMESPACE, PODCLIQUE
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed
from grove_mcp.tui.app import GroveTui
from grove_mcp.tui.feed import Link, LinkState, watch_frames
from tools.envtest import rbac
from tools.envtest.apiserver import ApiServer, Binaries, crds_dir

pytestmark = [pytest.mark.e2e, pytest.mark.anyio, pytest.mark.timeout(240)]

BROKEN = "my-inference-1-prefill"  # the demo's breached clique (gang my-inference-1)
WRITES = 7


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def set_breach(admin: KubeClient, namespace: str, breached: bool) -> None:
    """What Grove writes when the missing prefill pod comes up (or goes away again): ready
    count and the MinAvailableBreached condition, flipped now."""
    clique = admin.request("GET", PODCLIQUE, namespace, BROKEN)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    clique["status"].update(
        readyReplicas=1 if breached else 2, scheduledReplicas=1 if breached else 2
    )
    for cond in clique["status"]["conditions"]:
        if cond["type"] == "MinAvailableBreached":
            cond.update(
                status="True" if breached else "False",
                reason="InsufficientScheduledPods" if breached else "SufficientReadyPods",
                lastTransitionTime=now,
            )
    admin.request("PUT", PODCLIQUE, namespace, BROKEN, sub="status", body=clique)


def gang_label(app: GroveTui, gang: str) -> str:
    tree = app.query_one("#hierarchy", Tree)
    for pcs in tree.root.children:
        for node in pcs.children:
            if node.data is not None and node.data.name == gang:
                return str(node.label)
    return ""


def status_line(app: GroveTui) -> str:
    return str(app.query_one("#status", Static).content)


async def until(pilot: Pilot[None], check: Callable[[], Any], what: str, seconds: float) -> float:
    """Seconds until ``check()`` holds (polled every 20 ms), failing after ``seconds``."""
    began = time.monotonic()
    while not check():
        assert time.monotonic() - began < seconds, f"{what} within {seconds} s"
        await pilot.pause(0.02)
    return time.monotonic() - began


async def test_a_status_write_shows_in_the_open_view_within_a_second(
    admin: KubeClient, admin_kubeconfig: str, namespace: str
) -> None:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    app = GroveTui(LiveSource.connect(kubeconfig=admin_kubeconfig), namespace, where="envtest")
    latencies = []
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.redraws and app.link.link is Link.live, "a live frame", 30)
        assert "⚠ Breached" in gang_label(app, "my-inference-1")
        for i in range(WRITES):
            breached = i % 2 == 1
            expected = "⚠ Breached" if breached else "✓ Healthy"
            began = time.monotonic()
            await asyncio.to_thread(set_breach, admin, namespace, breached)
            await until(
                pilot, lambda e=expected: e in gang_label(app, "my-inference-1"), expected, 10
            )
            latencies.append(time.monotonic() - began)
        header = app.query_one("#header", Static).content
        assert "● watching" in str(header)
    # quitting set the watch's stop event: its connections close without waiting for an event
    deadline = time.monotonic() + 5
    while any(t.name.startswith("grove-watch-") for t in threading.enumerate()):
        assert time.monotonic() < deadline, "watch threads outlived the TUI"
        time.sleep(0.05)
    median = statistics.median(latencies)
    print(f"write → redraw: median {median * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    assert median <= 1.0, latencies


async def test_a_lost_api_server_is_shown_retried_and_followed_again(binaries: Binaries) -> None:
    with ApiServer(binaries, (), crds_dir()) as server:
        admin = server.client()
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tui"}}
        admin.request("POST", NAMESPACE, body=body)
        seed(admin, SCENARIOS["demo"](), namespace="tui")
        source = LiveSource.connect(kubeconfig=str(server.kubeconfig()), timeout=3)
        app = GroveTui(source, "tui", where="envtest")
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.link.link is Link.live, "a live frame", 30)
            frames = app.frames
            down = server.down()
            await asyncio.to_thread(down.__enter__)
            await until(pilot, lambda: app.link.link is Link.lost, "the loss shown", 30)
            header = str(app.query_one("#header", Static).content)
            assert "connection lost, reconnecting" in header, header
            status = str(app.query_one("#status", Static).content)
            lost = f"connection to cluster admin (https://127.0.0.1:{server.port}) lost ("
            assert status.startswith(lost) and status.endswith("; retrying"), status
            for key in "23451":  # the views keep answering while it is down
                await pilot.press(key)
            await asyncio.to_thread(down.__exit__, None, None, None)
            await until(pilot, lambda: app.link.link is Link.live, "reconnected", 60)
            # the re-list found the cluster as last shown: no frame repeats it
            assert app.frames == frames, "the first frame after the reconnect repeated the last"
            await until(pilot, lambda: "connected again" in status_line(app), "said so", 5)
            assert app.message == ""
            await asyncio.to_thread(set_breach, server.client(), "tui", False)
            await until(
                pilot, lambda: "✓ Healthy" in gang_label(app, "my-inference-1"), "a change", 10
            )
            assert app.frames == frames + 1  # the change, once
            assert status_line(app) != "connected again"  # a frame came: the line is keys again


def test_a_watch_refused_after_a_list_that_works_backs_off_more_each_time(
    admin: KubeClient, namespace: str
) -> None:
    """RBAC grants list but not watch: each attempt's LIST works, its watch is refused, and the
    pause before the next attempt still grows (the LIST's frame does not reset it)."""
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    user = "tui-list-only"
    rules = rbac._rules(
        {**rbac.GROVE_NAMESPACED, **rbac.GROVE_PODGANGS, **rbac.CORE_NAMESPACED}, ["list"]
    )
    rbac.apply(admin, [rbac._role("Role", f"grove-envtest-{user}", namespace, rules)])
    rbac.apply(admin, [rbac._binding("RoleBinding", "Role", user, namespace)])
    source = LiveSource(admin.impersonating(user))
    states: list[LinkState] = []
    frames: list[Any] = []
    stop = threading.Event()

    def on_link(state: LinkState) -> None:
        states.append(state)
        if sum(1 for s in states if s.retry_in) >= 4:
            stop.set()

    backoff = (0.1, 0.2, 0.4, 0.8)
    worker = threading.Thread(
        target=watch_frames,
        args=(source, namespace, None, frames.append, on_link, stop, backoff),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), states
    assert len(frames) >= 4  # every attempt's LIST worked
    pauses = [s.retry_in for s in states if s.link is Link.lost and s.retry_in]
    assert pauses == list(backoff), states
    assert "watch" in states[-1].message, states[-1]
