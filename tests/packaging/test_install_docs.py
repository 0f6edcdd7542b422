"""docs/mcp-install.md's client configurations start grove-mcp the way grove-mcp takes it: every
JSON snippet parses, and each server's command line is ``uvx --from SOURCE grove-mcp OPTIONS``
or ``grove-mcp OPTIONS``, with OPTIONS that grove-mcp accepts."""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any

import pytest
from packaging_support import REPO

from grove_mcp.mcp_server.main import config_from, parser

DOC = REPO / "docs" / "mcp-install.md"
ENV_NAMES = {"KUBECONFIG", "PATH"}


def snippets() -> list[dict[str, Any]]:
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    return [json.loads(block) for block in blocks]


def servers() -> list[Any]:
    found = []
    for number, snippet in enumerate(snippets(), start=1):
        for shape in ("mcpServers", "servers"):
            for name, entry in snippet.get(shape, {}).items():
                found.append(pytest.param(shape, name, entry, id=f"snippet{number}-{name}"))
    return found


def test_the_page_has_both_shapes():
    shapes = {param.values[0] for param in servers()}
    assert shapes == {"mcpServers", "servers"}
    assert len(servers()) >= 4


@pytest.mark.parametrize(("shape", "name", "entry"), servers())
def test_each_configured_server_starts_grove_mcp(shape, name, entry):
    if shape == "servers":  # VS Code's format names the transport
        assert entry["type"] == "stdio"
    program = PurePosixPath(entry["command"]).name
    args = [re.sub(r"\$\{[^}]+\}", "value", a) for a in entry.get("args", [])]
    if program == "uvx":
        assert args[:1] == ["--from"] and args[2:3] == ["grove-mcp"], args
        options = args[3:]
    else:
        assert program == "grove-mcp", entry["command"]
        options = args
    config = config_from(parser().parse_args(options))
    assert config.demo or config.context or config.kubeconfig or config.namespace
    assert set(entry.get("env", {})) <= ENV_NAMES
