"""grove_diag writes files: offered only with --allow-writes, annotated as not read-only, and
refused on a capture (the demo) with what to do."""

from __future__ import annotations

import pytest
from mcp import Client

from grove_mcp.mcp_server import ServerConfig, build_server

pytestmark = pytest.mark.anyio


async def test_grove_diag_is_offered_only_with_allow_writes_and_says_it_writes(tmp_path) -> None:
    async with Client(build_server(ServerConfig(demo=True))) as client:
        assert "grove_diag" not in {t.name for t in (await client.list_tools()).tools}
    server = build_server(ServerConfig(demo=True, allow_writes=True, diag_dir=str(tmp_path)))
    async with Client(server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        annotations = tools["grove_diag"].annotations
        assert annotations is not None and annotations.read_only_hint is False
        result = await client.call_tool("grove_diag", {"name": "my-inference"})
    assert result.is_error
    assert "captures a live cluster" in result.content[0].text  # type: ignore[union-attr]
    assert list(tmp_path.iterdir()) == []  # nothing written
