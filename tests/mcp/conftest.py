"""Fixtures for the MCP server tests: servers over the demo and over a large scenario."""

from __future__ import annotations

import pytest
from mcp_helpers import big_bundle

from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.sources import BundleSource


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def demo_server():
    return build_server(ServerConfig(demo=True))


@pytest.fixture(scope="session")
def big_source() -> BundleSource:
    return BundleSource(big_bundle(), label="big scenario")


@pytest.fixture
def big_server(big_source):
    return build_server(ServerConfig(), source=lambda: big_source)
