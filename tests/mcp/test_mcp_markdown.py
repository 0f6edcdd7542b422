"""The compact Markdown renderings: every report of every named scenario renders, and says
what matters in a few lines."""

from __future__ import annotations

import pytest

from grove_mcp import core
from grove_mcp.render import render_markdown
from grove_mcp.render.markdown_parts import table
from grove_mcp.scenarios.catalog import SCENARIOS
from grove_mcp.sources import BundleSource, demo_source

REPORTS = ["status", "health", "topology"]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_report_of_every_scenario_renders(scenario):
    source = BundleSource(SCENARIOS[scenario]())
    listing = core.run("list", source)
    assert render_markdown(listing).startswith("## PodCliqueSets in ")
    for item in listing.items:
        for capability in REPORTS:
            text = render_markdown(core.run(capability, source, None, item.name))
            assert text.startswith(f"## {item.name} — ")
            assert "None" not in text


def test_lists_render_each_item():
    text = render_markdown(core.run("status", demo_source()))
    assert text.count("## my-inference — status") == 1


def test_table_escapes_cells():
    assert table(["a"], [["x|y"], [None], [True], [0.5]]).splitlines()[2:] == [
        "| x\\|y |",
        "| - |",
        "| yes |",
        "| 0.50 |",
    ]


def test_status_marks_the_breached_clique():
    text = render_markdown(core.run("status", demo_source(), None, "my-inference"))
    assert "| my-inference-1-prefill | my-inference-1 | 1/2 | 2 | 1 | 0 | 2 | " in text
    assert "ScheduledReplicasBelowMinAvailable" in text
    assert text.splitlines()[1].startswith("**NOT OK: ")
