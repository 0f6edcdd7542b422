"""The TUI on the embedded demo, driven by Textual's Pilot: every view, the keys, pop-ups."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import ContentSwitcher, Input, Static, Tree

from grove_mcp.sources import demo_source
from grove_mcp.sources.live import LiveSource
from grove_mcp.tui.app import REDRAW_SECONDS, GroveTui
from grove_mcp.tui.feed import Link
from grove_mcp.tui.screens import PromptScreen, TextScreen

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def text_of(widget: Static, width: int = 160) -> str:
    console = Console(width=width, no_color=True, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def settled(pilot: Pilot[None], app: GroveTui, metrics: bool = True) -> None:
    """Until the first frame (and the recorded metrics window) is drawn."""
    deadline = time.monotonic() + 20
    while not (app.redraws and (app.metrics.last or not metrics)):
        assert time.monotonic() < deadline, f"no frame drawn: {app.link}"
        await pilot.pause(0.05)


@asynccontextmanager
async def demo(size: tuple[int, int] = (100, 30)) -> AsyncIterator[tuple[Pilot[None], GroveTui]]:
    source = demo_source()
    app = GroveTui(source, source.default_namespace, where="demo")
    async with app.run_test(size=size) as pilot:
        await settled(pilot, app)
        yield pilot, app


def labels(node: object) -> list[str]:
    found = []
    for child in getattr(node, "children", []):
        found.append(str(child.label))
        found += labels(child)
    return found


async def test_every_view_shows_its_part_of_the_demo() -> None:
    expected = {
        "2": ("topology", ["rack rack-b ✗ fragmented", "gpu-a1", "kubectl cordon gpu-c1"]),
        "3": ("health", ["⚠ Breached", "in 3h 42m 00s", "prefill 1/2", "Issues"]),
        "4": ("metrics", ["TTFT p99", "1,280 ms/300 ms", "saturated", "1 window recorded"]),
        "5": ("updates", ["last rolling update finished", "my-inference-1-prefill"]),
    }
    async with demo() as (pilot, app):
        tree = app.query_one("#hierarchy", Tree)
        shown = labels(tree.root)
        assert any("PodGang my-inference-1  ⚠ Breached" in label for label in shown), shown
        assert any("PodClique prefill" in label and "1/2 ready" in label for label in shown)
        for key, (view, parts) in expected.items():
            await pilot.press(key)
            await pilot.pause()
            assert app.query_one(ContentSwitcher).current == view
            text = text_of(app.query_one(f"#{view}-body", Static))
            for part in parts:
                assert part in text, f"view {view} lacks {part!r}:\n{text}"
        await pilot.press("1")
        assert app.query_one(ContentSwitcher).current == "hierarchy"


async def test_the_header_names_the_source_and_every_key_at_80_columns() -> None:
    async with demo(size=(80, 24)) as (_, app):
        header = text_of(app.query_one("#header", Static), width=78)
        first, keys = header.splitlines()[:2]
        assert "demo · ns vllm-disagg · captured at 2026-11-20 14:30:00Z" in first
        for key in ("[1] Hierarchy", "[2] Topology", "[3] Health", "[4] Metrics", "[5] Updates"):
            assert key in keys
        assert "[q]uit" in keys and len(keys.rstrip()) <= 78


async def test_enter_expands_a_clique_to_its_pods_and_j_k_move() -> None:
    async with demo() as (pilot, app):
        tree = app.query_one("#hierarchy", Tree)
        await pilot.press("j", "j")  # PodCliqueSet → gang 0 → its router clique
        node = tree.cursor_node
        assert node is not None and node.data is not None and node.data.kind == "PodClique"
        assert not node.is_expanded
        await pilot.press("enter")
        assert node.is_expanded
        assert [str(c.label).split()[0] for c in node.children] == ["my-inference-0-router-tswbp"]
        await pilot.press("k")
        assert tree.cursor_node is not None and tree.cursor_node.data.kind == "PodGang"


async def test_a_new_frame_keeps_what_was_expanded_and_selected() -> None:
    async with demo() as (pilot, app):
        tree = app.query_one("#hierarchy", Tree)
        await pilot.press("j", "j", "enter", "j")
        selected = tree.cursor_node.data if tree.cursor_node else None
        assert selected is not None and selected.kind == "Pod"
        assert app.frame is not None
        before = app.redraws
        app._offer(app.frame)  # the same frame again, as a watch event would bring
        while app.redraws == before:
            await pilot.pause(0.05)
        await pilot.pause()
        assert tree.cursor_node is not None and tree.cursor_node.data == selected


async def test_filter_keeps_matching_rows_and_escape_clears_it() -> None:
    async with demo() as (pilot, app):
        await pilot.press("slash")
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one(Input).value = "decode"
        await pilot.press("enter")
        await pilot.pause()
        tree = app.query_one("#hierarchy", Tree)
        pods = [label for label in labels(tree.root) if label.startswith("my-inference")]
        assert len(pods) == 4 and all("-decode-" in label for label in pods), pods
        shown = [tree.get_node_at_line(line) for line in range(tree.last_line + 1)]
        assert sum(1 for node in shown if node and node.data.kind == "Pod") == 4  # all open
        assert "filter 'decode'" in text_of(app.query_one("#header", Static))
        await pilot.press("escape")
        await pilot.pause()
        assert app.needle == "" and any("router" in label for label in labels(tree.root))


async def test_namespace_switch_refuses_a_bad_name_and_follows_a_good_one() -> None:
    async with demo() as (pilot, app):
        await pilot.press("n")
        app.screen.query_one(Input).value = "Bad_NS"
        await pilot.press("enter")
        await pilot.pause()
        assert "'Bad_NS' is not a valid namespace" in app.message
        assert app.namespace == "vllm-disagg"
        await pilot.press("n")
        app.screen.query_one(Input).value = "elsewhere"
        before = app.redraws
        await pilot.press("enter")
        deadline = time.monotonic() + 20
        while app.redraws == before:  # the new namespace's first frame
            assert time.monotonic() < deadline, app.link
            await pilot.pause(0.05)
        assert app.namespace == "elsewhere"
        assert labels(app.query_one("#hierarchy", Tree).root) == []
        await pilot.press("3")
        await pilot.pause()
        assert "No PodCliqueSet in this namespace." in text_of(
            app.query_one("#health-body", Static)
        )


async def test_help_opens_and_closes_and_q_quits() -> None:
    async with demo() as (pilot, app):
        await pilot.press("question_mark")
        assert isinstance(app.screen, TextScreen) and "re-list now" in app.screen.text
        await pilot.press("escape")
        assert not isinstance(app.screen, TextScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_the_redraw_rate_is_bounded_under_a_storm_of_frames() -> None:
    async with demo() as (pilot, app):
        assert app.frame is not None
        frame, before, began = app.frame, app.redraws, time.monotonic()

        def storm() -> None:  # 200 frames in about a second, from another thread
            for _ in range(200):
                app.call_from_thread(app._offer, frame)
                time.sleep(0.005)

        worker = threading.Thread(target=storm)
        worker.start()
        while worker.is_alive():
            await pilot.pause(0.05)
        await pilot.pause(REDRAW_SECONDS * 2)
        elapsed = time.monotonic() - began
        drawn = app.redraws - before
        # "a few times a second": at most 5 redraws a second, for 200 frames offered
        assert 1 <= drawn <= elapsed * 5 + 2, (drawn, elapsed)


async def test_an_unreachable_api_server_is_a_status_line_and_the_app_carries_on(
    refusing_port: int, loopback_kubeconfig
) -> None:  # type: ignore[no-untyped-def]
    port = refusing_port
    kubeconfig = loopback_kubeconfig(port)
    source = LiveSource.connect(kubeconfig=str(kubeconfig), timeout=2)
    app = GroveTui(source, "default", where="context c")
    async with app.run_test(size=(100, 30)) as pilot:
        deadline = time.monotonic() + 20
        while app.link.link is not Link.lost:
            assert time.monotonic() < deadline, app.link
            await pilot.pause(0.05)
        assert f"127.0.0.1:{port}" in app.link.message
        assert f"127.0.0.1:{port}" in text_of(app.query_one("#status", Static))
        header = text_of(app.query_one("#header", Static))
        assert "connection lost, reconnecting" in header
        for key in "23451":
            await pilot.press(key)
        assert app.is_running


async def opened(pilot: Pilot[None], app: GroveTui) -> TextScreen:
    deadline = time.monotonic() + 10
    while not isinstance(app.screen, TextScreen):
        assert time.monotonic() < deadline, f"no pop-up; status line: {app.message}"
        await pilot.pause(0.05)
    return app.screen


async def test_y_d_and_l_show_the_selected_object_yaml_description_and_log() -> None:
    async with demo() as (pilot, app):
        await pilot.press("y")  # the cursor starts on the PodCliqueSet
        shown = await opened(pilot, app)
        assert "YAML: PodCliqueSet vllm-disagg/my-inference" in shown.title_text
        assert "kind: PodCliqueSet" in shown.text and "name: my-inference" in shown.text
        await pilot.press("escape")
        await pilot.press(*"jjjjjjj", "d")  # gang 1's prefill clique (line 7)
        shown = await opened(pilot, app)
        assert "PodClique vllm-disagg/my-inference-1-prefill" in shown.title_text
        assert "MinAvailableBreached" in shown.text, shown.text
        await pilot.press("escape")
        await pilot.press("l")
        await pilot.pause()
        assert "Logs are per pod" in app.message
        await pilot.press("enter", "j", "l")  # its first pod
        shown = await opened(pilot, app)
        assert "logs: Pod vllm-disagg/my-inference-1-prefill-" in shown.title_text
        assert "holds no log" in shown.text and "kubectl grove diag" in shown.text, shown.text


async def test_a_stopped_workers_frames_are_dropped() -> None:
    """After a namespace switch or a re-list, what the previous worker still sends is dropped."""
    import asyncio
    from threading import Event

    async with demo() as (pilot, app):
        assert app.frame is not None
        stop = Event()
        deliver = app._from_thread(app._offer, stop)
        await asyncio.to_thread(deliver, app.frame)
        assert app._pending is app.frame  # a running worker's frame is taken
        app._pending = None
        stop.set()
        await asyncio.to_thread(deliver, app.frame)
        await pilot.pause()
        assert app._pending is None  # dropped on the worker's side

        # stopped after the worker's check, before the loop ran it: dropped on the loop's side
        racing, call = Event(), app.call_from_thread

        def stopped_in_between(callback, *args):  # type: ignore[no-untyped-def]
            racing.set()
            return call(callback, *args)

        deliver = app._from_thread(app._offer, racing)
        app.call_from_thread = stopped_in_between  # type: ignore[method-assign]
        try:
            await asyncio.to_thread(deliver, app.frame)
        finally:
            app.call_from_thread = call  # type: ignore[method-assign]
        await pilot.pause()
        assert racing.is_set() and app._pending is None


async def test_the_light_theme_is_taken() -> None:
    source = demo_source()
    app = GroveTui(source, source.default_namespace, where="demo", light=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot, app, metrics=False)
        assert app.theme == "textual-light"


async def test_a_named_podcliqueset_draws_its_frame_and_an_unknown_one_says_what_exists() -> None:
    """``kubectl grove tui NAME``: the screens read the namespace's lists, narrowed to NAME
    (it once failed every frame with an AssertionError)."""
    source = demo_source()
    app = GroveTui(source, source.default_namespace, pcs="my-inference", where="demo")
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot, app, metrics=False)
        shown = labels(app.query_one("#hierarchy", Tree).root)
        assert any("PodGang my-inference-1  ⚠ Breached" in label for label in shown), shown
    app = GroveTui(source, source.default_namespace, pcs="nope", where="demo")
    async with app.run_test(size=(100, 30)) as pilot:
        deadline = time.monotonic() + 20
        while "not found" not in app.link.message:
            assert time.monotonic() < deadline, app.link
            await pilot.pause(0.05)
        assert "PodCliqueSets there: my-inference" in app.link.message
        assert "internal error" not in app.link.message
