"""Every MCP tool, called through the SDK's in-memory client on the demo with arguments of
any JSON shape: the tool's own keys with good, bad and wrongly typed values, plus strangers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fuzz_strategies import NAMES, TEXT
from fuzzing import check_tool_result, examples, tally
from hypothesis import given, settings
from hypothesis import strategies as st
from mcp import Client
from mcp_types import Tool

from grove_mcp.mcp_server import TOOLS, ServerConfig, build_server

# JSON as a client can send it (no NaN or infinities: those are not JSON)
VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([0, -1, 1, 2**31, 2**63, 10**30]),
        st.floats(allow_nan=False, allow_infinity=False),
        TEXT,
        NAMES,
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


class Session:
    """One in-memory client on the demo server, driven from the test's thread."""

    def __init__(self, portal: BlockingPortal, client: Client) -> None:
        self.portal = portal
        self.client = client
        listed = portal.call(client.list_tools)
        self.tools: dict[str, Tool] = {t.name: t for t in listed.tools}

    def call(self, tool: str, arguments: dict[str, Any]) -> str:
        result = self.portal.call(self.client.call_tool, tool, arguments)
        return check_tool_result(self.tools[tool], result)


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    with start_blocking_portal("asyncio") as portal:
        server = build_server(ServerConfig(demo=True))
        with portal.wrap_async_context_manager(Client(server)) as client:
            yield Session(portal, client)


def _typed(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A value of the property's own type, near or past its bounds (the core's input)."""
    outer = {k: v for k, v in schema.items() if k != "anyOf"}
    out: list[st.SearchStrategy[Any]] = []
    for option in ({**outer, **o} for o in schema.get("anyOf", [{}])):
        kind = option.get("type")
        if "enum" in option:
            out.append(st.sampled_from(option["enum"]))
        elif kind == "string" and "pattern" in option:
            pattern = re.compile(option["pattern"])
            out.append((NAMES | TEXT).filter(lambda v, p=pattern: bool(p.search(v))))
        elif kind == "string":
            out.append(TEXT | NAMES)
        elif kind in ("integer", "number"):
            low = option.get("minimum", option.get("exclusiveMinimum", -5))
            high = option.get("maximum", 10**7)
            ints = st.integers(int(low), int(high)) | st.sampled_from([int(low), int(high)])
            floats = st.floats(low, high, allow_nan=False) if kind == "number" else st.nothing()
            out.append(ints | floats)
        elif kind == "boolean":
            out.append(st.booleans())
        elif kind == "null":
            out.append(st.none())
    return st.one_of(out) if out else VALUES


def _value(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Mostly a value of the property's type (to reach the core), else any JSON at all."""
    typed = _typed(schema)
    return st.one_of(typed, typed, typed, VALUES)


@st.composite
def arguments(draw: st.DrawFn, tool: Tool) -> dict[str, Any]:
    props: dict[str, Any] = tool.input_schema.get("properties", {})
    keys = draw(st.lists(st.sampled_from(sorted(props)), unique=True, max_size=3))
    # half the time from a call that works, so the core sees values past the schema's check
    args = _happy(tool.name) if draw(st.booleans()) else {}
    args.update({key: draw(_value(props[key])) for key in keys})
    if draw(st.integers(0, 4)) == 0:  # keys the tool does not have
        args.update(draw(st.dictionaries(TEXT, VALUES, min_size=1, max_size=2)))
    if tool.name == "grove_generate" and isinstance(args.get("model"), str):
        # never a model AIConfigurator could look for online: a path with no config.json
        args["model"] = "/nonexistent/" + args["model"]
    if isinstance(args.get("prometheus_url"), str):
        args["prometheus_url"] = "http://127.0.0.1:9/" + args["prometheus_url"]  # loopback only
    return args


@pytest.mark.parametrize("tool", sorted(s.name for s in TOOLS if not s.writes))
def test_every_tool_takes_any_arguments(session: Session, tool: str) -> None:
    @settings(max_examples=examples(1.5))
    @given(args=arguments(session.tools[tool]))
    def run(args: dict[str, Any]) -> None:
        tally(f"mcp {tool}", session.call(tool, args))

    run()


def _happy(tool: str) -> dict[str, Any]:
    """Arguments that pass the tool's schema (generate's still stop before AIConfigurator)."""
    if tool == "grove_validate":
        return {"manifest": "kind: PodCliqueSet\n"}
    if tool == "grove_list":
        return {}
    if tool == "grove_generate":
        return {
            "model": "/nonexistent",
            "system": "h200_sxm",
            "total_gpus": 8,
            "backend": "vllm",
            "ttft_ms": 300,
            "tpot_ms": 10,
        }
    return {"name": "my-inference"}
