"""Text outside tables and boxes keeps its shape when it wraps.

1. Hanging indents: a finding, recommendation, reason, note or summary too long for the width
   wraps onto lines indented deeper than the line they continue, never back at column 0
   (the health boxes have their own test: test_text_health_box.py).
2. Parts of a line stay whole: the health header breaks between its parts, so that its
   timestamp is never split.
3. The topology's pod lines (in the tree and under "Unscheduled:") share one clique column,
   as wide as the longest clique name, so that pod names line up whatever the clique names.
4. A ``$ command`` broken over lines (`` \\`` continuations) runs as the same command: the
   shell reads back the same words.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from rich.cells import cell_len
from text_capture import UNBOUNDED, WIDTHS, WORLDS, build, cases, continuations, printed

from grove_mcp.render.widgets import shell_lines
from grove_mcp.reports.topology import DomainPlacement, PodPlacement, TopologyReport

# --- 1. hanging indents --------------------------------------------------------------------------

# report → (first line of a stretch of free text, the line that ends it or None)
STRETCHES = {
    "status": (r"Summary:", None),
    "status-all": (r"Summary:", r"Resource Overview"),
    "list": (r"note:", None),
    "topology": (r"GPU cells:", None),
    "plan-diff": (r"Why:|note:|[✓✗] ", None),
}


def _stretches(report: str, lines: list[str]) -> list[list[str]]:
    """The free text of a report: for health everything outside the gang boxes; otherwise the
    stretches STRETCHES names. A trailing `` \\`` (a command's continuation) is left off."""
    lines = [line.removesuffix(" \\") for line in lines]
    found: list[list[str]] = []
    current: list[str] | None = None
    if report.startswith("health"):
        current = []
        for line in lines:
            if line.startswith("╭"):
                found.append(current)
                current = None
            elif line.startswith("╰"):
                current = []
            elif current is not None:
                current.append(line)
        return [*found, current or []]
    start, end = STRETCHES[report]
    for line in lines:
        if current is not None and end and re.match(end, line):
            found.append(current)
            current = None
        if current is None and re.match(start, line):
            current = []
        if current is not None:
            current.append(line)
    return [*found, *([current] if current is not None else [])]


WRAPPING = [
    (report, world)
    for report, world in cases()
    if report in STRETCHES or report.startswith("health")
]
# These do wrap at 80 columns: the check is not vacuous.
WRAPS_AT_80 = {
    ("status", "demo"),
    ("topology", "demo"),
    ("topology", "long-names"),
    ("plan-diff", "plan-drift"),
    ("health", "long-names"),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("report", "world"), WRAPPING)
def test_wrapped_text_keeps_its_indentation(report: str, world: str, width: int) -> None:
    built = build(report, world)
    wide = _stretches(report, printed(built, UNBOUNDED))
    narrow = _stretches(report, printed(built, width))
    assert len(narrow) == len(wide)
    continued = sum(continuations(n, w) for n, w in zip(narrow, wide, strict=True))
    if width == 80 and (report, world) in WRAPS_AT_80:
        assert continued > 0


# --- 2. parts of a line ----------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("world", WORLDS)
@pytest.mark.parametrize("report", ["health", "health-all"])
def test_health_header_keeps_its_timestamp_whole(report: str, world: str, width: int) -> None:
    built = build(report, world)
    items = getattr(built, "items", [built])
    lines = printed(built, width)
    for item in items:
        stamp = f"as of {item.as_of:%Y-%m-%d %H:%M:%SZ}"
        assert any(stamp in line for line in lines), f"{stamp!r} split:\n" + "\n".join(lines)


# --- 3. the clique column of pod lines --------------------------------------------------------------


def _pods(domains: list[DomainPlacement]) -> Iterator[PodPlacement]:
    for domain in domains:
        yield from _pods(domain.domains)
        for node in domain.nodes:
            yield from node.pods


def _all_pods(report: TopologyReport) -> list[PodPlacement]:
    return [*_pods(report.tree), *(p for g in report.gangs for p in g.unscheduled_pods)]


@pytest.mark.parametrize("width", [*WIDTHS, UNBOUNDED])
@pytest.mark.parametrize("world", WORLDS)
def test_pod_lines_share_one_clique_column(world: str, width: int) -> None:
    built: Any = build("topology", world)
    pods = _all_pods(built)
    if not pods:
        pytest.skip("no pods placed")
    column = max([10, *(len(p.clique) for p in pods)]) + 1
    offsets = {}
    lines = printed(built, width)
    for line in lines:
        for pod in pods:
            name = re.escape(pod.name)
            match = re.search(rf"(?<![\w-]){re.escape(pod.clique)}\s+(?={name}(?![\w-]))", line)
            if match:
                offsets[pod.name] = match.end() - match.start()
    # At 80 columns a long pod line may wrap before the pod name; the others line up.
    assert offsets, "no pod line with its clique and name on one line"
    assert set(offsets.values()) == {column}, f"pod names not at the clique column {column}:\n" + (
        "\n".join(lines)
    )
    if width != 80:
        assert len(offsets) == len(pods)


# --- 4. commands --------------------------------------------------------------------------------

POD = "llama-3-1-70b-instruct-disagg-prod-1-decode-kvc6t"
COMMANDS = [
    f"kubectl delete pod -n vllm-disagg {POD} {POD.replace('kvc6t', 'hp56q')}",
    "kubectl uncordon ip-10-0-21-41.ec2.internal   # once the new pods run in us-east-1a-spine-01",
    'kubectl patch pcs my-inference --type merge -p \'{"spec": {"replicas": 2}}\' -n ns',
    'kubectl annotate pcs x note="a quoted # not a comment" --overwrite   # a comment',
    "kubectl cordon gpu-c1",
]


def _words(script: str) -> list[str]:
    """The words bash reads from ``script`` (as the arguments of ``set --``)."""
    bash = shutil.which("bash")
    assert bash
    run = subprocess.run(
        [bash, "-c", f"set -- {script}\nprintf '%s\\0' \"$@\""],
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout.split("\0")[:-1]


@pytest.mark.parametrize("width", [24, 40, 60, 80, 160])
@pytest.mark.parametrize("command", COMMANDS)
def test_broken_commands_run_as_the_same_command(command: str, width: int) -> None:
    lines = shell_lines(command, width)
    assert lines[0].startswith("$ ")
    if cell_len(f"$ {command}") <= width:
        assert lines == [f"$ {command}"]
    for line in lines:  # wider than the width only to hold a single word (or comment word)
        word = line.strip().removeprefix("$ ").removeprefix("# ").removesuffix(" \\")
        assert cell_len(line) <= width or len(shlex.split(word)) == 1, line
    assert _words("\n".join(lines)[2:]) == _words(command)
