"""The topology heatmap: decoded with pillow, cells found by the layout the PNG is drawn from."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from PIL import Image

from grove_mcp.core import run
from grove_mcp.reports.topology import (
    DomainPlacement,
    GpuUsage,
    NodePlacement,
    PodPlacement,
    TopologyReport,
)
from grove_mcp.sources import demo_source
from slack_bot.heatmap import KIND_FILL, MAX_WIDTH, RED, heatmap_png, layout


@pytest.fixture(scope="module")
def demo() -> TopologyReport:
    report = run("topology", demo_source(), None, "my-inference")
    assert isinstance(report, TopologyReport)
    return report


def _decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGB")


def _nodes(domains: list[DomainPlacement]) -> list[NodePlacement]:
    found: list[NodePlacement] = []
    for domain in domains:
        found += domain.nodes
        found += _nodes(domain.domains)
    return found


def _counted_by_colour(report: TopologyReport) -> Counter[tuple[int, int, int]]:
    """Colours at the centre of every cell of the decoded image."""
    image = _decode(heatmap_png(report))
    return Counter(image.getpixel(cell.centre) for cell in layout(report).cells)  # type: ignore[misc]


def test_demo_png_size_and_this_workload_cells(demo: TopologyReport, tmp_path) -> None:
    png = heatmap_png(demo)
    (tmp_path / "demo.png").write_bytes(png)
    image = _decode(png)
    plan = layout(demo)
    assert image.size == (plan.width, plan.height)
    assert 400 < image.width <= MAX_WIDTH

    # Per gang: the cells of its shade are the GPUs its placed pods request.
    colours = _counted_by_colour(demo)
    fills = {c.gang: c.fill for c in plan.cells if c.kind == "this"}
    for gang in demo.gangs:
        placed = sum(p.gpus for n in _nodes(demo.tree) for p in n.pods if p.gang == gang.name)
        assert placed > 0
        assert colours[fills[gang.name]] == placed
    this_total = sum(d.gpus.this_workload for d in demo.tree)
    assert sum(1 for c in plan.cells if c.kind == "this") == this_total == 20

    # Other and free cells are the report's counts; nothing is unknown in the demo.
    assert colours[KIND_FILL["other"]] == sum(d.gpus.other_workloads or 0 for d in demo.tree)
    assert colours[KIND_FILL["free"]] == sum(d.gpus.free or 0 for d in demo.tree)
    assert colours[KIND_FILL["unknown"]] == 0


def test_fragmented_racks_are_framed_red(demo: TopologyReport) -> None:
    plan = layout(demo)
    image = _decode(heatmap_png(demo))
    framed = {f.domain for f in plan.frames if f.fragmented and f.domain != "legend"}
    assert framed == {"rack rack-b", "rack rack-c"}
    for frame in plan.frames:
        x0, y0, x1, _ = frame.box
        edge = image.getpixel(((x0 + x1) // 2, y0))
        assert (edge == RED) == frame.fragmented
    assert any(label.text == "FRAGMENTED" for label in plan.labels)


def test_title_names_the_workload_namespace_and_time(demo: TopologyReport) -> None:
    texts = " ".join(label.text for label in layout(demo).labels)
    assert "my-inference" in texts
    assert "vllm-disagg" in texts
    assert "2026-11-20 14:30 UTC" in texts
    assert "my-inference-1-prefill" in texts  # the pending pod is named, not drawn


def test_deterministic(demo: TopologyReport) -> None:
    assert heatmap_png(demo) == heatmap_png(demo.model_copy(deep=True))


def _big_report(demo: TopologyReport, racks: int = 12, nodes: int = 8) -> TopologyReport:
    """A larger cluster: racks of 8-GPU nodes, this workload on some; other workloads' use not
    reported on odd racks (no cluster-wide pod list), and one collapsed rack."""
    domains = []
    for r in range(racks):
        unknown = r % 2 == 1
        node_list = []
        for n in range(nodes):
            this = 4 if (r + n) % 3 == 0 else 0
            pods = (
                [
                    PodPlacement(
                        name=f"big-{r}-{n}",
                        clique="decode",
                        gang=f"big-{r % 3}",
                        phase="Running",
                        ready=True,
                        gpus=this,
                    )
                ]
                if this
                else []
            )
            other = None if unknown else 2
            free = None if unknown else 8 - this - 2
            node_list.append(
                NodePlacement(
                    name=f"node-{r:02d}-{n}",
                    ready=True,
                    schedulable=n != 1,
                    gpus=GpuUsage(
                        allocatable=8, this_workload=this, other_workloads=other, free=free
                    ),
                    pods=pods,
                )
            )
        total = GpuUsage(
            allocatable=8 * nodes,
            this_workload=sum(x.gpus.this_workload for x in node_list),
            other_workloads=None if unknown else 2 * nodes,
            free=None if unknown else sum(x.gpus.free or 0 for x in node_list),
        )
        domains.append(
            DomainPlacement(
                level="rack",
                name=f"rack-{r:02d}",
                verdict="fragmented" if r in (1, 4) else "optimal",
                gpus=total,
                domains=[],
                nodes=node_list,
            )
        )
    domains.append(
        DomainPlacement(
            level="rack",
            name="rack-idle",
            verdict="unoccupied",
            gpus=GpuUsage(allocatable=16, this_workload=0, other_workloads=10, free=6),
            domains=[],
            nodes=[],
            node_names=["idle-1", "idle-2"],
        )
    )
    gangs = [
        g.model_copy(update={"name": f"big-{i}", "unscheduled_pods": []})
        for i in range(3)
        for g in demo.gangs[:1]
    ]
    return demo.model_copy(update={"name": "big", "tree": domains, "gangs": gangs})


def test_large_cluster_wraps_and_counts(demo: TopologyReport, tmp_path) -> None:
    big = _big_report(demo)
    png = heatmap_png(big)
    (tmp_path / "big.png").write_bytes(png)
    image = _decode(png)
    plan = layout(big)
    assert image.width <= MAX_WIDTH
    rows = {f.box[1] for f in plan.frames if f.domain != "legend"}
    assert len(rows) > 1  # many racks wrap into rows
    colours = _counted_by_colour(big)
    nodes = _nodes(big.tree)
    fills = {c.gang: c.fill for c in plan.cells if c.kind == "this"}
    for gang in ("big-0", "big-1", "big-2"):
        assert colours[fills[gang]] == sum(p.gpus for n in nodes for p in n.pods if p.gang == gang)
    # Odd racks do not report other workloads: their remaining cells are unknown, never free.
    unknown = sum(8 - n.gpus.this_workload for n in nodes if n.gpus.other_workloads is None)
    assert colours[KIND_FILL["unknown"]] == unknown > 0
    assert any("not reported" in label.text for label in plan.labels)
    # The collapsed rack is one strip of its summed GPUs.
    idle = [c for c in plan.cells if c.node == "2 nodes"]
    assert Counter(c.kind for c in idle) == {"other": 10, "free": 6}
    assert {f.domain for f in plan.frames if f.fragmented} >= {"rack rack-01", "rack rack-04"}
    assert heatmap_png(big) == png


def test_height_is_bounded(demo: TopologyReport) -> None:
    huge = _big_report(demo, racks=200, nodes=8)
    plan = layout(huge)
    assert plan.height <= 6000 + 400
    assert any("more domains not drawn" in label.text for label in plan.labels)
