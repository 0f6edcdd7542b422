"""``grove-mcp --http`` under load and abuse: a subprocess reading a seeded real API server as
``cluster-viewer``, called by real MCP sessions (raw JSON-RPC POSTs after the handshake,
tools/mcp_http.Session) from their own loopback addresses.

A client, to the server, is a peer address: the rate limit and the connection cap hold per
address. The full 50 clients × 200 calls × 3 rounds is ``make bench-mcp-load`` (about 30 calls/s
on a shared 2-core machine: 15+ minutes); here the same rounds run with 20 calls per client.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.seeder import seed
from tools.bench_mcp_load import PCS, Round, client, load_round, load_server
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


# -- slow and oversized requests -------------------------------------------------------------

READ_SECONDS, PER_CLIENT = 2.0, 16
GUARDS = ("--read-timeout", str(READ_SECONDS), "--max-connections", str(PER_CLIENT))
SETTLE = READ_SECONDS + 8.0  # how long an abusive connection may live, generously
HEAD = b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
JSON = b"Accept: application/json, text/event-stream\r\n"
BIG = 1024 * 1024  # over the default --max-request-bytes (256 KiB)


@dataclass
class Abuse:
    """What an abusive connection got: the status line (None: closed silently or never) and
    the seconds until the server closed it (None: still open at SETTLE)."""

    status: int | None = None
    closed_after: float | None = None


async def _abuse(port: int, address: str, parts: list[bytes], every: float) -> Abuse:
    """Send ``parts`` from ``address`` one every ``every`` s, stopping when the server answers
    or closes; then read until it closes the connection (at most until SETTLE)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0))
    started, answer, closed = time.monotonic(), b"", False
    try:
        for part in parts:
            writer.write(part)
            await writer.drain()
            with contextlib.suppress(TimeoutError):
                answer = await asyncio.wait_for(reader.read(65536), timeout=every)
                closed = not answer
                break
        while not closed and (left := SETTLE - (time.monotonic() - started)) > 0:
            try:
                chunk = await asyncio.wait_for(reader.read(65536), timeout=left)
            except TimeoutError:
                break
            answer, closed = answer + chunk, not chunk
    except ConnectionError:
        closed = True
    finally:
        writer.close()
    status = int(answer[9:12]) if answer.startswith(b"HTTP/1.1 ") else None
    return Abuse(status, time.monotonic() - started if closed else None)


def _byte_by_byte(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


def _chunked(total: int) -> list[bytes]:
    """A chunked body of ``total`` bytes in 64 KiB chunks, after its head."""
    chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
    return [HEAD + JSON + b"Transfer-Encoding: chunked\r\n\r\n"] + [chunk] * (total // 65536)


# name: (parts, seconds between parts, the statuses it may get (None: closed silently))
ABUSES: dict[str, tuple[list[bytes], float, set[int | None]]] = {
    "silent": ([], 0.1, {None}),
    "head byte by byte": (_byte_by_byte(HEAD + JSON * 4), 0.05, {408}),
    "body byte by byte": (
        [HEAD + JSON + b"Content-Length: 400\r\n\r\n", *_byte_by_byte(b"{" * 400)],
        0.05,
        {408},
    ),
    "Content-Length longer than the body": (
        [HEAD + JSON + b"Content-Length: 5000\r\n\r\n" + b"{" * 100],
        0.05,
        {408},
    ),
    "Content-Length over the limit": (
        [HEAD + JSON + f"Content-Length: {BIG}\r\n\r\n".encode()],
        0.05,
        {413},
    ),
    "chunked over the limit": (_chunked(BIG), 0.01, {413}),
    "Content-Length shorter than the body": (
        [HEAD + JSON + b"Content-Length: 10\r\n\r\n" + b"x" * BIG],
        0.05,
        {400},
    ),
    "no Content-Length, a body anyway": ([HEAD + JSON + b"\r\n" + b"x" * BIG], 0.05, {400}),
    "head of 1 MiB": ([HEAD + JSON + b"X-Pad: " + b"p" * BIG + b"\r\n\r\n"], 0.05, {400}),
}


def server_connections(port: int, peer: str | None = None) -> int:
    """Established TCP connections on the server's side of loopback ``port`` (from ``peer``)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, remote, state = line.split()[1:4]
        address = ".".join(str(b) for b in reversed(bytes.fromhex(remote.split(":")[0])))
        if state == "01" and int(local.split(":")[1], 16) == port and peer in (None, address):
            count += 1
    return count


async def _abused_round(served: Served, namespace: str) -> tuple[Round, dict[str, Abuse]]:
    """Every abuse of ABUSES from 127.0.0.4 while ten clients make eight calls each."""
    port = int(served.base.rsplit(":", 1)[1])
    abuses = [_abuse(port, "127.0.0.4", parts, every) for parts, every, _ in ABUSES.values()]
    results = await asyncio.gather(load_round(served, 10, 8, namespace), *abuses)
    return results[0], dict(zip(ABUSES, results[1:], strict=True))


def test_slow_and_oversized_requests_are_refused_without_stalling_others(
    cluster_viewer_kubeconfig: str, seeded: str
) -> None:
    with load_server(cluster_viewer_kubeconfig, seeded, *GUARDS) as served:
        quiet = asyncio.run(load_round(served, 10, 8, seeded))
        loaded, abuses = asyncio.run(_abused_round(served, seeded))
    print(f"without abuse: {quiet.line()}\nwith abuse:    {loaded.line()}")
    for name, got in abuses.items():
        print(f"{name}: {got.status} after {got.closed_after} s")
    assert loaded.errors == [] and loaded.calls == 80
    assert max(loaded.latencies) < 30.0  # a generous bound; the figures are in the output
    for name, (_, _, expected) in ABUSES.items():
        assert abuses[name].status in expected, (name, abuses[name])
        assert abuses[name].closed_after is not None, f"{name}: still open after {SETTLE} s"


async def _hold(port: int, address: str, count: int) -> tuple[int, int, int]:
    """Open ``count`` idle connections from ``address``: how many got 503 at once, how many
    the server then held, and how many after SETTLE."""
    pairs = [
        await asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0))
        for _ in range(count)
    ]
    answers = await asyncio.gather(
        *(asyncio.wait_for(r.read(4096), timeout=1.0) for r, _ in pairs), return_exceptions=True
    )
    refused = sum(1 for a in answers if isinstance(a, bytes) and a.startswith(b"HTTP/1.1 503"))
    held = server_connections(port, address)
    waits = (asyncio.wait_for(r.read(), timeout=SETTLE) for r, _ in pairs)
    await asyncio.gather(*waits, return_exceptions=True)  # closed, or still open at SETTLE
    left = server_connections(port, address)
    for _, writer in pairs:
        writer.close()
    return refused, held, left


def test_open_connections_are_capped_per_client_and_timed_out(
    cluster_viewer_kubeconfig: str, seeded: str
) -> None:
    with load_server(cluster_viewer_kubeconfig, seeded, *GUARDS) as served:
        port = int(served.base.rsplit(":", 1)[1])
        refused, held, left = asyncio.run(_hold(port, "127.0.0.5", 3 * PER_CLIENT))
        after = asyncio.run(load_round(served, 2, 4, seeded))
    print(f"{3 * PER_CLIENT} idle connections: {refused} refused, {held} held, {left} left")
    assert refused == 2 * PER_CLIENT and held <= PER_CLIENT and left == 0
    assert after.errors == []
