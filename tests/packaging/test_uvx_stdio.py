"""``uvx --from <wheel or checkout> grove-mcp --demo``, as an MCP client configuration starts it,
talked to over stdio by a client that shares no code with the server: the official TypeScript
SDK (tools/mcp_client).

uv installs grove-mcp and its dependencies from the package index into a temporary cache,
with no PYTHONPATH and outside the checkout, so the server runs only what was packaged: the
prompts it lists come from the wheel's grove_mcp/prompts and the demo from its bundle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from packaging_support import REPO, SERVER_JSON, VERSION, run, said

from grove_mcp import core
from grove_mcp.mcp_server import TOOLS
from grove_mcp.mcp_server.prompts import Template
from grove_mcp.sources import demo_source

READ_TOOLS = sorted(spec.name for spec in TOOLS if not spec.writes)
INSTALL_TIMEOUT = 240  # uv resolves and downloads ~60 packages into an empty cache
CLIENT_TIMEOUT = 120


def prompt_names() -> list[str]:
    return sorted(
        Template.parse(path.read_text(encoding="utf-8"), str(path)).name
        for path in (REPO / "prompts").glob("*.md")
    )


@pytest.fixture(params=["wheel", "checkout"])
def source(request: pytest.FixtureRequest) -> str:
    """What ``uvx --from`` installs: the built wheel, or this checkout (uv builds it)."""
    if request.param == "wheel":
        return str(request.getfixturevalue("wheel"))
    return str(REPO)


def test_uvx_installs_and_runs_grove_mcp(uvx, uv_env, source, tmp_path):
    done = run(
        [uvx, "--from", source, "grove-mcp", "--version"],
        timeout=INSTALL_TIMEOUT,
        env=uv_env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, said(done)
    assert done.stdout.strip() == f"grove-mcp {VERSION}"


def test_an_independent_client_talks_to_it_over_stdio(uvx, uv_env, source, mcp_client, tmp_path):
    # Install first (or find it in uv's cache), so that the client's requests are not timed
    # against uv's downloads.
    warm = run(
        [uvx, "--from", source, "grove-mcp", "--version"], INSTALL_TIMEOUT, env=uv_env, cwd=tmp_path
    )
    assert warm.returncode == 0, said(warm)

    done = run(
        [*mcp_client, "--", uvx, "--from", source, "grove-mcp", "--demo"],
        timeout=CLIENT_TIMEOUT,
        env=uv_env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, f"the TypeScript SDK client failed: {said(done)}"
    answer: dict[str, Any] = json.loads(done.stdout)

    registry_entry = json.loads(SERVER_JSON.read_text(encoding="utf-8"))
    assert answer["negotiatedProtocolVersion"] == answer["sdkProtocolVersion"]
    assert answer["serverInfo"]["name"] == "grove-mcp"
    assert answer["serverInfo"]["version"] == VERSION
    assert answer["serverInfo"]["title"] == registry_entry["title"]
    assert {"tools", "prompts", "resources"} <= set(answer["capabilities"])

    tools = {t["name"]: t for t in answer["tools"]}
    assert sorted(tools) == READ_TOOLS
    assert {"grove_status", "grove_health", "grove_topology"} <= set(tools)
    assert all(t["hasOutputSchema"] and t["readOnlyHint"] is True for t in tools.values())
    assert answer["prompts"] == prompt_names()

    call = answer["call"]
    assert call["tool"] == "grove_status"
    assert call["isError"] is False, call["text"]
    content = call["structuredContent"]
    assert content["summary"]["ok"] is False
    assert content["summary"]["severity"] == "critical"
    assert "1/2 gangs healthy" in content["summary"]["text"]
    expected = json.loads(core.run("status", demo_source(), None, "my-inference").model_dump_json())
    assert content == expected
    assert any("NOT OK" in text for text in call["text"])

    home = Path(uv_env["HOME"])
    assert sorted(home.rglob("*")) == [], "uv, node or grove-mcp wrote into HOME"
