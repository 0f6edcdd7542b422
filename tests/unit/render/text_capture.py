"""What the terminal renderers print, as plain lines, for the render tests.

Reports come from the capability table's exit (``core.run``) over scenario bundles, as the CLI
builds them; they are printed the way the CLI prints them (``Console.print`` of the text
rendering with ``fancy=False``, as on a pipe or with NO_COLOR) on a fixed-width, colourless
console.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from rich.cells import cell_len
from rich.console import Console

from grove_mcp import core
from grove_mcp.core import CAPABILITIES, Scope
from grove_mcp.render import OutputFormat, render
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import Bundle, BundleSource

WIDTHS = (80, 160)  # a terminal; a pipe (the CLI lays piped output out 160 wide)
# Wide enough that nothing wraps: the reference for what the report prints at all.
UNBOUNDED = 5000

LONG_PCS = "llama-3-1-70b-instruct-disagg-prod"


def long_names() -> Bundle:
    """The demo with realistic long names: a 34-character PodCliqueSet (pods up to 57
    characters), a 14-character clique, EKS-style node names and long rack names, so that
    identifiers compete for the width."""
    bundle = SCENARIOS["demo"]()
    text = json.dumps(bundle.objects).replace("my-inference", LONG_PCS)
    text = text.replace("router", "router-gateway")
    for r, rack in enumerate("abc"):
        for n in (1, 2):
            text = text.replace(f"gpu-{rack}{n}", f"ip-10-0-{r}{n}-{40 + n}.ec2.internal")
        text = text.replace(f"rack-{rack}", f"us-east-1a-spine-0{r}-rack-{rack}")
    return Bundle(bundle.manifest, tuple(json.loads(text)))


# world → (bundle, PodCliqueSet shown, whether it stores a plan)
WORLDS: dict[str, tuple[Callable[[], Bundle], str, bool]] = {
    "demo": (SCENARIOS["demo"], "my-inference", True),
    "breached-countdown": (SCENARIOS["breached-countdown"], "my-inference", False),
    "pending-gpus": (SCENARIOS["pending-gpus"], "my-inference", False),
    "rolling-update": (SCENARIOS["rolling-update"], "my-inference", False),
    "epoch-gangs": (SCENARIOS["epoch-gangs"], "mn-disagg", False),
    "plan-drift": (SCENARIOS["plan-drift"], "my-inference", True),
    "long-names": (long_names, LONG_PCS, True),
}


def _reports() -> dict[str, Callable[[BundleSource, str], Any]]:
    """Every report of the capability table that reads a world: one PodCliqueSet's, and all of
    them (``-all``) where the capability offers both."""
    found: dict[str, Callable[[BundleSource, str], Any]] = {}
    for cap in CAPABILITIES:
        if cap.args is not None or cap.scope is Scope.none:
            continue
        key = cap.name.replace(" ", "-")
        if cap.scope is Scope.all:
            found[key] = lambda s, n, cap=cap: core.run(cap, s, None)
            continue
        found[key] = lambda s, n, cap=cap: core.run(cap, s, None, n)
        if cap.scope is Scope.both:
            found[f"{key}-all"] = lambda s, n, cap=cap: core.run(cap, s, None, None)
    return found


REPORTS = _reports()
PLAN_REPORTS = {"plan-show", "plan-history", "plan-diff"}


def cases() -> Iterator[tuple[str, str]]:
    """Every (report, world) pair that exists: plan reports only where a plan is stored."""
    for world, (_, _, has_plan) in WORLDS.items():
        for report in REPORTS:
            if report in PLAN_REPORTS and not has_plan:
                continue
            yield report, world


@cache
def build(report: str, world: str) -> Any:
    make, pcs, _ = WORLDS[world]
    return REPORTS[report](BundleSource(make()), pcs)


def printed(report: Any, width: int, *, crop: bool = True) -> list[str]:
    """The lines the CLI prints for ``report`` on a ``width``-column colourless console.

    ``crop=False`` shows what the renderable asks for: ``Console.print`` (and so the CLI)
    cuts every line at the console width, silently."""
    console = Console(
        file=io.StringIO(),
        width=width,
        color_system=None,
        force_terminal=False,
        no_color=True,
        record=True,
        highlight=False,
        soft_wrap=False,
    )
    console.print(render(report, OutputFormat.text, fancy=False), crop=crop)
    return [line.rstrip() for line in console.export_text(styles=False).splitlines()]


def width_of(line: str) -> int:
    return cell_len(line)


# --- hanging indents -------------------------------------------------------------------------


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _squash(line: str) -> str:
    return "".join(line.split())


def continuations(narrow: list[str], logical: list[str]) -> int:
    """Map printed lines (``narrow``) onto the logical lines they print (``logical``: the same
    text printed unbounded) and check every continuation line: it continues the text of its
    logical line and starts deeper than that line's first line (a hanging indent), never
    back at its left edge. Returns how many continuation lines there were."""
    pending = iter(logical)
    rest, first = "", None
    continued = 0
    for line in narrow:
        text = _squash(line)
        if not rest:  # a logical line starts here
            whole = next(pending, None)
            assert whole is not None, f"extra line: {line!r}"
            assert _squash(whole).startswith(text), f"{line!r} is not the start of {whole!r}"
            assert not text or _indent(line) == _indent(whole), (
                f"{line!r} lost its indentation ({_indent(whole)} in {whole!r})"
            )
            rest, first = _squash(whole)[len(text) :], line
            continue
        assert text and rest.startswith(text), f"{line!r} does not continue {first!r}"
        assert _indent(line) > _indent(first), (
            f"continuation line at column {_indent(line)}, not inside the "
            f"indentation of the line it continues (column {_indent(first)}):\n"
            f"  {first!r}\n  {line!r}"
        )
        rest = rest[len(text) :]
        continued += 1
    assert not rest, f"the text ends inside {first!r}"
    assert next(pending, None) is None, "lines are missing"
    return continued


# --- identifiers -----------------------------------------------------------------------------

# Report fields holding Kubernetes object names (pods, nodes, PodCliques, gangs, domains…).
NAME_FIELDS = {
    "name",
    "namespace",
    "pod",
    "node",
    "clique",
    "cliques",
    "gang",
    "base_gang",
    "domains",
    "from_domain",
    "from_node",
    "to_node",
    "target_domain",
    "config_map",
    "topology_name",
}
KIND_NAME_FIELDS = {"object", "subject"}  # kind/name
COMMAND_FIELDS = {"commands"}
_DNS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


def _strings(data: Any, field: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, key)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value, field)
    elif isinstance(data, str):
        yield field, data


def identifiers(report: Any) -> set[str]:
    """Every object name in the report's JSON (the contract every front end reads)."""
    names = set()
    for field, value in _strings(json.loads(report.model_dump_json())):
        if field in KIND_NAME_FIELDS and "/" in value:
            value = value.split("/", 1)[1]
        elif field not in NAME_FIELDS:
            continue
        if _DNS_NAME.match(value):
            names.add(value)
    return names


def commands(report: Any) -> set[str]:
    return {v for f, v in _strings(json.loads(report.model_dump_json())) if f in COMMAND_FIELDS}


def shell_commands(lines: list[str]) -> list[str]:
    """The commands printed as ``$ command`` lines, as the shell reads them: a line ending in
    `` \\`` joined with the next (a continuation), a ``# comment`` continued on ``#`` lines of
    its own; runs of spaces as one (the shell splits words at any)."""
    found = []
    index = 0
    while index < len(lines):
        text = lines[index].strip()
        if text.startswith("$ "):
            command = text[2:]
            while command.endswith(" \\") and index + 1 < len(lines):
                index += 1
                command = f"{command[:-2]} {lines[index].strip()}"
            while "#" in command and index + 1 < len(lines):
                if not lines[index + 1].strip().startswith("# "):
                    break
                index += 1
                command = f"{command} {lines[index].strip()[2:]}"
            found.append(" ".join(command.split()))
        index += 1
    return found


def whole_on_a_line(name: str, lines: list[str]) -> bool:
    """``name`` whole on one line, not merely a prefix of a longer name (or a cut-off one)."""
    pattern = re.compile(
        r"(?<![A-Za-z0-9_.-])" + re.escape(name) + r"(?![A-Za-z0-9_-]|\.[A-Za-z0-9])"
    )
    return any(pattern.search(line) for line in lines)


_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9-])?")


def cut_names(report: Any, lines: list[str]) -> list[tuple[str, str]]:
    """(printed token, name) for every token that is the start of an object name but neither
    a name nor any word of the report: a name cut at the end of a line or cell. This needs no
    reference rendering, so it also catches a renderer that cuts a name at every width."""
    names = identifiers(report)
    words = {
        w
        for _, value in _strings(json.loads(report.model_dump_json()))
        for w in _TOKEN.findall(value)
    }
    cut = []
    for line in lines:
        for token in _TOKEN.findall(line):
            if len(token) < 4 or token in words:
                continue
            cut += [(token, name) for name in names if name.startswith(token)][:1]
    return cut
