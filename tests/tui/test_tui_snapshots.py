"""SVG snapshots of every view on the demo at the smallest supported terminal and a large one
(``pytest tests/tui --snapshot-update`` rewrites them after an intended change)."""

from __future__ import annotations

import time

import pytest
from textual.pilot import Pilot

from grove_mcp.sources import demo_source
from grove_mcp.tui.app import VIEWS, GroveTui

SIZES = [(80, 24), (160, 48)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("key", [str(i) for i in range(1, len(VIEWS) + 1)])
def test_view(snap_compare, key: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    source = demo_source()
    app = GroveTui(source, source.default_namespace, where="demo")

    async def drawn_then_shown(pilot: Pilot[None]) -> None:
        deadline = time.monotonic() + 20
        while not (app.redraws and app.metrics.last):
            assert time.monotonic() < deadline, "the demo never drew"
            await pilot.pause(0.05)
        await pilot.press(key)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=drawn_then_shown)
