"""Resource subscriptions without a cluster: the capability is declared, and what cannot be
followed is refused saying why (the live behaviour: tests/e2e/test_faults_live.py)."""

from __future__ import annotations

import warnings

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPDeprecationWarning, MCPError

pytestmark = pytest.mark.anyio

HEALTH = "grove://vllm-disagg/my-inference/health"


@pytest.fixture(autouse=True)
def _quiet_legacy_subscribe():
    """The SDK warns that resources/subscribe is handshake-era; that era is the one tested."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MCPDeprecationWarning)
        yield


async def test_the_subscribe_capability_is_declared(demo_server) -> None:
    async with Client(demo_server, mode="legacy") as client:
        assert client.server_capabilities.resources is not None
        assert client.server_capabilities.resources.subscribe is True


async def test_the_modern_wire_declares_no_subscription_it_cannot_serve(demo_server) -> None:
    """On the 2026-07-28 wire changes travel on subscriptions/listen, which grove-mcp does not
    feed: neither subscribe nor listChanged is promised there."""
    async with Client(demo_server) as client:
        resources = client.server_capabilities.resources
        assert resources is not None and not resources.subscribe and not resources.list_changed


@pytest.mark.parametrize(
    ("uri", "says"),
    [
        ("grove://vllm-disagg/my-inference/plan-diff", "{health|status|topology}"),
        ("grove://vllm-disagg/my-inference", "subscriptions follow grove://"),
        ("file:///etc/passwd", "subscriptions follow grove://"),
        ("grove://Bad_NS/my-inference/health", "Bad_NS"),
    ],
)
async def test_what_cannot_be_followed_is_refused_saying_why(
    demo_server, uri: str, says: str
) -> None:
    async with Client(demo_server, mode="legacy") as client:
        with pytest.raises(MCPError) as caught:
            await client.subscribe_resource(uri)
        assert says in str(caught.value)
        assert "Traceback" not in str(caught.value)


async def test_a_capture_does_not_change_so_it_cannot_be_followed(demo_server) -> None:
    async with Client(demo_server, mode="legacy") as client:
        with pytest.raises(MCPError) as caught:
            await client.subscribe_resource(HEALTH)
        assert "subscriptions follow a live cluster" in str(caught.value)
        await client.unsubscribe_resource(HEALTH)  # nothing subscribed: a no-op, no error
