"""``grove-mcp --http`` under load and abuse: a subprocess reading a seeded real API server as
``cluster-viewer``, called by real MCP sessions (raw JSON-RPC POSTs after the handshake,
tools/mcp_http.Session) from their own loopback addresses.

A client, to the server, is a peer address: the rate limit and the connection cap hold per
address. The full 50 clients × 200 calls × 3 rounds is ``make bench-mcp-load`` (about 30 calls/s
on a shared 2-core machine: 15+ minutes); here the same rounds run with 20 calls per client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.seeder import seed
from tools.bench_mcp_load import PCS, client, load_round, load_server
from tools.mcp_http import Served, Session

CLIENTS, CALLS, ROUNDS = 50, 20, 3
RSS_GROWTH_KIB = 16 * 1024  # after the first round (caches warm; sessions are DELETEd)
HAMMER_MAX = 2000  # requests the hammering client sends at most


@pytest.fixture
def seeded(admin: KubeClient, namespace: str) -> str:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    return namespace


@pytest.fixture
def server(cluster_viewer_kubeconfig: str, seeded: str) -> Iterator[Served]:
    with load_server(cluster_viewer_kubeconfig, seeded) as served:
        yield served


def test_fifty_clients_mixed_read_tools_without_errors_or_growth(
    server: Served, seeded: str
) -> None:
    rounds = []
    for number in range(1, ROUNDS + 1):
        figures = asyncio.run(load_round(server, CLIENTS, CALLS, seeded))
        print(f"round {number}: {figures.line()}")
        assert figures.errors == [], figures.errors[:5]
        assert figures.calls == CLIENTS * CALLS
        rounds.append(figures)
    growth = rounds[-1].rss_after - rounds[0].rss_after
    assert growth <= RSS_GROWTH_KIB, [(r.rss_before, r.rss_after) for r in rounds]


async def _hammer(
    base: str, address: str, spoof: bool, refused: asyncio.Event, done: asyncio.Event
) -> list[int]:
    """Status codes of /healthz GETs from ``address`` as fast as they go, until ``done`` (at
    most HAMMER_MAX); ``spoof``: each with another X-Forwarded-For. Sets ``refused`` at the
    first 429 (and at the end, so that the quiet client never waits for nothing)."""
    codes: list[int] = []
    async with client(base, address) as http:
        while not done.is_set() and len(codes) < HAMMER_MAX:
            headers = {"X-Forwarded-For": f"10.9.{len(codes) // 250}.{len(codes) % 250}"}
            response = await http.get("/healthz", headers=headers if spoof else None)
            codes.append(response.status_code)
            if response.status_code == 429:
                refused.set()
    refused.set()
    return codes


async def _quiet(base: str, namespace: str, refused: asyncio.Event, done: asyncio.Event) -> int:
    """From 127.0.0.3, while the hammer is being refused: a session and four tool calls (six
    requests, within the burst). Any answer but 200 fails (Session checks each)."""
    try:
        await asyncio.wait_for(refused.wait(), timeout=60)
        async with client(base, "127.0.0.3") as http:
            session = Session(http)
            await session.open()
            one = {"name": PCS, "namespace": namespace}
            answers = [await session.call(t, one) for t in ("grove_status", "grove_health") * 2]
    finally:
        done.set()
    assert not any(a.get("isError") for a in answers), answers
    return len(answers)


async def _side_by_side(base: str, namespace: str, hammer_from: str, spoof: bool) -> list[int]:
    refused, done = asyncio.Event(), asyncio.Event()
    codes, answered = await asyncio.gather(
        _hammer(base, hammer_from, spoof, refused, done), _quiet(base, namespace, refused, done)
    )
    assert answered == 4
    return codes


@pytest.mark.parametrize(
    ("hammer_from", "spoof"),
    [("127.0.0.2", False), ("127.0.0.1", True)],
    ids=["other-address", "spoofed-x-forwarded-for-from-127.0.0.1"],
)
def test_rate_limit_holds_per_client_address(
    cluster_viewer_kubeconfig: str, seeded: str, hammer_from: str, spoof: bool
) -> None:
    """One address hammering gets 429s while another is served without one. A client is its
    peer address: rotating X-Forwarded-For (which uvicorn trusts from 127.0.0.1 by default)
    must not make a new client of each request."""
    limits = ("--rate-limit", "60", "--burst", "10")
    with load_server(cluster_viewer_kubeconfig, seeded, *limits) as served:
        codes = asyncio.run(_side_by_side(served.base, seeded, hammer_from, spoof))
    assert codes[:9] == [200] * 9, codes[:12]  # the burst (the probe at start took one token)
    refused = codes.count(429)
    print(f"hammer: {len(codes)} requests, {refused} refused with 429")
    assert refused >= len(codes) // 2 and set(codes) <= {200, 429}
