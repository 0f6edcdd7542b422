"""The ``topology`` report as a PNG heatmap for Slack: racks by nodes, one cell per GPU.

Pure: report in, PNG bytes out (the same report gives the same bytes). ``layout`` decides every
rectangle and string; ``heatmap_png`` only draws it, so tests can find each cell.

What a cell shows comes from the report and nothing else (DESIGN rule 8):

* *this workload*: ``gpus.this_workload`` of the node, shaded by the gang of the pod holding it
  (pods' GPU requests, in the report's order; which GPU index a pod got is not reported, so a
  cell's position within its node means nothing);
* *other workloads* and *free*: ``gpus.other_workloads`` and ``gpus.free``;
* *unknown*: when the report could not count other workloads' GPUs (``other_workloads`` null),
  the node's remaining cells are drawn as unknown, never as free.

A domain the report collapsed (``unoccupied``: none of this workload's pods) reports its GPUs
only summed over its nodes, so it is drawn as one strip of cells for the whole domain. A domain
with the verdict ``fragmented`` is outlined in red and labelled.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from grove_mcp.reports.topology import DomainPlacement, GpuUsage, PodPlacement, TopologyReport

CellKind = Literal["this", "other", "free", "unknown"]
RGB = tuple[int, int, int]

MAX_WIDTH = 2000  # px; domains wrap into rows below it
MAX_HEIGHT = 6000  # px; domains beyond it are counted, not drawn
CELL = 20
GAP = 3
MAX_CELLS_PER_LINE = 16  # a node with more GPUs continues on the next line
PAD = 16
INNER = 10
NODE_LABEL_MAX = 170
LINE = 17

BACKGROUND: RGB = (255, 255, 255)
INK: RGB = (30, 30, 30)
MUTED: RGB = (110, 110, 110)
RED: RGB = (207, 34, 46)
PANEL_EDGE: RGB = (170, 170, 170)
PANEL_EDGE_IDLE: RGB = (215, 215, 215)
CELL_EDGE: RGB = (150, 150, 150)
THIS_NO_GANG: RGB = (46, 160, 67)
GANG_SHADES: tuple[RGB, ...] = (
    (46, 160, 67),  # green
    (31, 111, 235),  # blue
    (137, 87, 229),  # purple
    (0, 140, 140),  # teal
    (26, 86, 40),  # dark green
    (20, 60, 140),  # dark blue
    (191, 57, 160),  # magenta
    (90, 60, 170),  # indigo
)
KIND_FILL: dict[CellKind, RGB] = {
    "this": THIS_NO_GANG,
    "other": (240, 170, 50),
    "free": (238, 238, 238),
    "unknown": (160, 160, 175),
}


@dataclass(frozen=True)
class Cell:
    """One GPU: its rectangle (x0, y0, x1, y1 inclusive), what holds it, its colour."""

    box: tuple[int, int, int, int]
    kind: CellKind
    gang: str | None  # for "this": the gang of the pod holding it, when known
    node: str  # node name, or the domain's name for a collapsed domain
    fill: RGB

    @property
    def centre(self) -> tuple[int, int]:
        return ((self.box[0] + self.box[2]) // 2, (self.box[1] + self.box[3]) // 2)


@dataclass(frozen=True)
class Label:
    xy: tuple[int, int]
    text: str
    fill: RGB = INK
    size: int = 13


@dataclass(frozen=True)
class Frame:
    """A domain's outline; ``fragmented`` ones are drawn red and thick."""

    box: tuple[int, int, int, int]
    domain: str
    fragmented: bool
    edge: RGB
    width: int


@dataclass
class Layout:
    width: int
    height: int
    cells: list[Cell] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    swatches: list[tuple[tuple[int, int, int, int], RGB]] = field(default_factory=list)


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's own font (no system font files); a fixed bitmap when built without FreeType."""
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # pragma: no cover - pillow without FreeType
        return ImageFont.load_default()


@functools.lru_cache(maxsize=4096)
def _text_width(text: str, size: int = 13) -> int:
    return int(_font(size).getlength(text))


def _clip(text: str, width: int, size: int = 13) -> str:
    """``text``, or its longest prefix + ".." that fits ``width`` (found by bisection)."""
    if _text_width(text, size) <= width:
        return text
    low, high = 0, len(text)  # the prefix of length ``low`` fits; ``high`` does not
    while high - low > 1:
        middle = (low + high) // 2
        if _text_width(text[:middle] + "..", size) <= width:
            low = middle
        else:
            high = middle
    return text[:low] + ".."


@dataclass(frozen=True)
class _Row:
    label: str
    flags: str  # NotReady / cordoned / capacity not reported
    cells: list[tuple[CellKind, str | None]]


@dataclass(frozen=True)
class _Panel:
    domain: DomainPlacement
    path: list[DomainPlacement]  # broader domains, broadest first
    rows: list[_Row]
    note: str | None  # e.g. the nodes of a collapsed domain


def _usage(gpus: GpuUsage) -> str:
    other = "?" if gpus.other_workloads is None else str(gpus.other_workloads)
    free = "?" if gpus.free is None else str(gpus.free)
    allocatable = "?" if gpus.allocatable is None else str(gpus.allocatable)
    return f"{gpus.this_workload} this, {other} other, {free} free of {allocatable} GPUs"


def _rest(gpus: GpuUsage) -> tuple[list[tuple[CellKind, str | None]], str]:
    """The cells after this workload's: other, free or unknown; and a flag when capacity is
    not reported."""
    if gpus.allocatable is None:
        other: list[tuple[CellKind, str | None]] = [("other", None)] * (gpus.other_workloads or 0)
        return other, "capacity not reported"
    left = max(0, gpus.allocatable - gpus.this_workload)
    if gpus.other_workloads is None:
        return [("unknown", None)] * left, ""
    free = gpus.free if gpus.free is not None else max(0, left - gpus.other_workloads)
    cells: list[tuple[CellKind, str | None]] = [("other", None)] * gpus.other_workloads
    return cells + [("free", None)] * free, ""


def _node_cells(gpus: GpuUsage, pods: list[PodPlacement]) -> list[tuple[CellKind, str | None]]:
    held: list[tuple[CellKind, str | None]] = [
        ("this", p.gang) for p in pods for _ in range(p.gpus)
    ]
    held = held[: gpus.this_workload]
    held += [("this", None)] * (gpus.this_workload - len(held))  # e.g. DRA devices
    return held


def _panels(domains: list[DomainPlacement], path: list[DomainPlacement]) -> Iterator[_Panel]:
    for domain in domains:
        if domain.node_names or (domain.verdict == "unoccupied" and not domain.nodes):
            rest, flag = _rest(domain.gpus)
            count = len(domain.node_names)
            label = f"{count} node{'s' if count != 1 else ''}" if count else "nodes"
            names = ", ".join(domain.node_names) or "not listed"
            note = f"nodes: {names} (GPUs summed over them: the report has no per-node split)"
            row = _Row(label, flag, rest)
            yield _Panel(domain, path, [row], note)
            continue
        if domain.nodes:
            rows = []
            for node in domain.nodes:
                rest, flag = _rest(node.gpus)
                flags = [f for f in (flag,) if f]
                if node.ready is False:
                    flags.append("NotReady")
                if node.schedulable is False:
                    flags.append("cordoned")
                cells = _node_cells(node.gpus, node.pods) + rest
                rows.append(_Row(node.name, ", ".join(flags), cells))
            yield _Panel(domain, path, rows, None)
        yield from _panels(domain.domains, [*path, domain])


def _gang_fills(report: TopologyReport) -> dict[str, RGB]:
    return {g.name: GANG_SHADES[i % len(GANG_SHADES)] for i, g in enumerate(report.gangs)}


def _fill(kind: CellKind, gang: str | None, shades: dict[str, RGB]) -> RGB:
    if kind == "this" and gang is not None:
        return shades.get(gang, THIS_NO_GANG)
    return KIND_FILL[kind]


def _title_lines(report: TopologyReport) -> list[Label]:
    as_of = report.as_of.strftime("%Y-%m-%d %H:%M UTC")
    hierarchy = " > ".join(lv.domain for lv in report.topology.levels) or "hosts only"
    derived = "n/a" if report.placement_score is None else f"{report.placement_score:.2f}"
    reported = (
        "not reported"
        if report.reported_placement_score is None
        else f"{report.reported_placement_score:.2f}"
    )
    return [
        Label((PAD, PAD), f"GPU placement of {report.name}", INK, 20),
        Label(
            (PAD, PAD + 28),
            f"namespace {report.namespace}  |  as of {as_of}  |  topology: {hierarchy}",
            MUTED,
        ),
        Label(
            (PAD, PAD + 28 + LINE),
            f"placement score (derived): {derived}  |  reported: {reported}",
            MUTED,
        ),
        Label(
            (PAD, PAD + 28 + 2 * LINE),
            _clip(report.summary.text, MAX_WIDTH - 2 * PAD),
            INK if report.summary.ok else RED,
        ),
    ]


def layout(report: TopologyReport) -> Layout:
    """Where everything of the heatmap goes; ``heatmap_png`` draws exactly this."""
    shades = _gang_fills(report)
    panels = list(_panels(report.tree, []))
    widest = max((len(r.cells) for p in panels for r in p.rows), default=1)
    per_line = max(1, min(widest, MAX_CELLS_PER_LINE))
    label_w = min(
        NODE_LABEL_MAX, max((_text_width(r.label) for p in panels for r in p.rows), default=40)
    )
    cells_w = per_line * (CELL + GAP) - GAP
    panel_w = max(INNER + label_w + 10 + cells_w + INNER, 260)
    title = _title_lines(report)
    out = Layout(width=0, height=0, labels=list(title))
    top = title[-1].xy[1] + LINE + 14
    x, y, row_h, right = PAD, top, 0, PAD
    hidden = 0
    for panel in panels:
        height = _panel_height(panel, per_line)
        if x > PAD and x + panel_w > MAX_WIDTH - PAD:
            x, y, row_h = PAD, y + row_h + PAD, 0
        if y + height > MAX_HEIGHT:
            hidden += 1
            continue
        _place_panel(out, panel, (x, y), panel_w, label_w, per_line, shades)
        right = max(right, x + panel_w)
        row_h = max(row_h, height)
        x += panel_w + PAD
    y += row_h + PAD
    if not panels:
        out.labels.append(Label((PAD, y), "No placed pods and no domains to show.", MUTED))
        y += LINE + PAD
    footer: list[tuple[str, RGB]] = []
    if hidden:
        footer.append((f"{hidden} more domains not drawn (image size limit)", RED))
    unscheduled = [p for g in report.gangs for p in g.unscheduled_pods]
    if unscheduled:
        gpus = sum(p.gpus for p in unscheduled)
        footer.append(
            (
                f"Not drawn: {len(unscheduled)} unscheduled pod(s) asking for {gpus} GPUs: "
                + ", ".join(p.name for p in unscheduled[:6])
                + (" .." if len(unscheduled) > 6 else ""),
                RED,
            )
        )
    for text, colour in footer:
        out.labels.append(Label((PAD, y), _clip(text, MAX_WIDTH - 2 * PAD), colour))
        y += LINE + 2
    y = _legend(out, report, shades, y + 4)
    widths = [right + PAD, *(lb.xy[0] + _text_width(lb.text, lb.size) + PAD for lb in out.labels)]
    out.width = min(MAX_WIDTH, max(widths))
    out.height = y + PAD
    return out


def _panel_height(panel: _Panel, per_line: int) -> int:
    head = 3 * LINE + 6 if panel.path else 2 * LINE + 6
    rows = sum(max(1, -(-len(r.cells) // per_line)) * (CELL + GAP) + 8 for r in panel.rows)
    note = LINE + 2 if panel.note else 0
    return INNER + head + rows + note + INNER


def _place_panel(
    out: Layout,
    panel: _Panel,
    origin: tuple[int, int],
    width: int,
    label_w: int,
    per_line: int,
    shades: dict[str, RGB],
) -> None:
    x0, y0 = origin
    domain = panel.domain
    fragmented = domain.verdict == "fragmented"
    idle = domain.verdict == "unoccupied"
    text_w = width - 2 * INNER
    y = y0 + INNER
    head = f"{domain.level} {domain.name}"
    out.labels.append(Label((x0 + INNER, y), _clip(head, text_w - 90, 15), INK, 15))
    verdict = domain.verdict.upper() if fragmented else domain.verdict
    out.labels.append(
        Label(
            (x0 + width - INNER - _text_width(verdict), y + 1),
            verdict,
            RED if fragmented else MUTED,
        )
    )
    y += LINE + 3
    out.labels.append(Label((x0 + INNER, y), _clip(_usage(domain.gpus), text_w), MUTED))
    y += LINE
    if panel.path:
        parts = [
            f"{d.level} {d.name}" + (" (fragmented)" if d.verdict == "fragmented" else "")
            for d in panel.path
        ]
        broken = any(d.verdict == "fragmented" for d in panel.path)
        out.labels.append(
            Label(
                (x0 + INNER, y), _clip("in " + " / ".join(parts), text_w), RED if broken else MUTED
            )
        )
        y += LINE
    y += 6
    cells_x = x0 + INNER + label_w + 10
    for row in panel.rows:
        out.labels.append(Label((x0 + INNER, y + 3), _clip(row.label, label_w), INK))
        if row.flags:
            out.labels.append(
                Label((x0 + INNER, y + 3 + LINE - 2), _clip(row.flags, label_w, 11), RED, 11)
            )
        lines = max(1, -(-len(row.cells) // per_line))
        for i, (kind, gang) in enumerate(row.cells):
            cx = cells_x + (i % per_line) * (CELL + GAP)
            cy = y + (i // per_line) * (CELL + GAP)
            out.cells.append(
                Cell(
                    (cx, cy, cx + CELL - 1, cy + CELL - 1),
                    kind,
                    gang,
                    row.label,
                    _fill(kind, gang, shades),
                )
            )
        y += lines * (CELL + GAP) + 8
    if panel.note:
        out.labels.append(Label((x0 + INNER, y), _clip(panel.note, text_w, 11), MUTED, 11))
    bottom = y0 + _panel_height(panel, per_line)
    out.frames.append(
        Frame(
            (x0, y0, x0 + width, bottom),
            f"{domain.level} {domain.name}",
            fragmented,
            RED if fragmented else PANEL_EDGE_IDLE if idle else PANEL_EDGE,
            3 if fragmented else 1,
        )
    )


def _legend(out: Layout, report: TopologyReport, shades: dict[str, RGB], y: int) -> int:
    entries: list[tuple[RGB | None, str]] = []
    drawn_gangs = {c.gang for c in out.cells if c.kind == "this"}
    gangs = [g.name for g in report.gangs if g.name in drawn_gangs]
    for name in gangs[:8]:
        entries.append((shades[name], f"this workload, gang {name}"))
    if len(gangs) > 8:
        entries.append((None, f"(+{len(gangs) - 8} gangs, shades repeat)"))
    if None in drawn_gangs:
        entries.append((THIS_NO_GANG, "this workload"))
    entries.append((KIND_FILL["other"], "other workloads"))
    entries.append((KIND_FILL["free"], "free"))
    if any(c.kind == "unknown" for c in out.cells):
        entries.append((KIND_FILL["unknown"], "unknown: other workloads' GPU use not reported"))
    entries.append(
        (BACKGROUND, "red frame: fragmented domain (a gang spans more domains than it needs)")
    )
    out.labels.append(
        Label((PAD, y), "One cell = one GPU (which index a pod got is not reported).", MUTED, 11)
    )
    y += LINE
    x = PAD
    for fill, text in entries:
        w = (CELL + 6 if fill else 0) + _text_width(text) + 18
        if x > PAD and x + w > MAX_WIDTH - PAD:
            x, y = PAD, y + CELL + 6
        if fill == BACKGROUND:  # the fragmented frame, drawn as one
            out.frames.append(Frame((x, y, x + CELL - 1, y + CELL - 1), "legend", True, RED, 3))
        elif fill is not None:
            out.swatches.append(((x, y, x + CELL - 1, y + CELL - 1), fill))
        out.labels.append(Label((x + (CELL + 6 if fill else 0), y + 3), text, INK))
        x += w
    return y + CELL


def heatmap_png(report: TopologyReport) -> bytes:
    """The heatmap as PNG bytes; deterministic (no timestamps or metadata in the file)."""
    plan = layout(report)
    image = Image.new("RGB", (plan.width, plan.height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for frame in plan.frames:
        draw.rectangle(frame.box, outline=frame.edge, width=frame.width)
    for cell in plan.cells:
        draw.rectangle(cell.box, fill=cell.fill, outline=CELL_EDGE if cell.kind == "free" else None)
        if cell.kind == "unknown":
            x0, _, _, y1 = cell.box
            draw.line((x0 + 3, y1 - 3, x0 + 7, y1 - 7), fill=(235, 235, 240), width=1)
    for box, fill in plan.swatches:
        draw.rectangle(box, fill=fill, outline=CELL_EDGE)
    for label in plan.labels:
        draw.text(label.xy, label.text, fill=label.fill, font=_font(label.size))
    out = io.BytesIO()
    image.save(out, format="PNG")  # optimize=True: twice the time for 4% fewer bytes
    return out.getvalue()
