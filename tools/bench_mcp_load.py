"""Load on ``grove-mcp --http``: many MCP clients calling the read tools of a seeded cluster.

    python -m tools.bench_mcp_load                       # 50 clients × 200 calls × 3 rounds
    python -m tools.bench_mcp_load --clients 20 --calls 50 --rounds 2

Starts a real kube-apiserver + etcd, seeds the demo scenario, and runs ``grove-mcp --http`` as
a subprocess reading it as ``cluster-viewer``. Each client is a raw JSON-RPC session
(:class:`tools.mcp_http.Session`: handshake, then tools/call POSTs) on its own loopback address
(127.0.0.<n>): the server's rate limit holds per peer address, and ``--rate-limit``/``--burst``
are raised (:data:`LOAD_LIMITS`) so that each client's bucket covers its calls. Per round it
prints calls, errors, p50/p99 latency, throughput, and the server's VmRSS before and after.
The e2e test (tests/e2e/test_mcp_load_live.py) runs the same rounds, smaller.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path
from typing import Any

import httpx

from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.seeder import seed

from .envtest.apiserver import ApiServer, crds_dir, find_binaries
from .envtest.rbac import CLUSTER_VIEWER, LIMITED_USERS, apply, cluster_grants
from .mcp_http import Served, Session, free_port, grove_mcp_command, served

PCS = "my-inference"
NAMESPACE = "load"
# ``--rate-limit`` (per minute) and ``--burst`` for the load: far above what one client sends.
LOAD_LIMITS = ("--rate-limit", "1000000", "--burst", "10000")
CLIENT_TIMEOUT = 120.0  # seconds one request may take under load before it counts as an error


def mix(namespace: str) -> list[tuple[str, dict[str, Any]]]:
    """The read tools a client cycles through: every one that answers from the API server
    alone (grove_metrics and grove_compare wait a scrape window: not cheap on a live source;
    grove_diagnose is called with no_metrics)."""
    one = {"name": PCS, "namespace": namespace}
    return [
        ("grove_status", one),
        ("grove_topology", one),
        ("grove_health", one),
        ("grove_list", {"namespace": namespace}),
        ("grove_plan_show", one),
        ("grove_plan_diff", one),
        ("grove_plan_history", one),
        ("grove_diagnose", {**one, "no_metrics": True}),
    ]


@dataclass
class Round:
    """One round's figures (latencies in seconds; RSS in KiB)."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    rss_before: int = 0
    rss_after: int = 0

    @property
    def calls(self) -> int:
        return len(self.latencies)

    def line(self) -> str:
        lat = sorted(self.latencies) or [0.0]
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        rate = self.calls / self.seconds if self.seconds else 0.0
        return (
            f"{self.calls} calls, {len(self.errors)} errors, p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
            f"{rate:.0f} calls/s in {self.seconds:.1f} s; VmRSS {self.rss_before // 1024} → "
            f"{self.rss_after // 1024} MiB"
        )


def rss_kib(pid: int) -> int:
    """The process's resident set (VmRSS, KiB) from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def client_address(index: int) -> str:
    """Client ``index``'s own loopback address (Linux routes all of 127/8 to lo)."""
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


def client(base: str, address: str, token: str | None = None) -> httpx.AsyncClient:
    """An HTTP client to ``base`` whose connections come from ``address``."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(
        base_url=base,
        headers=headers,
        transport=transport,
        timeout=CLIENT_TIMEOUT,
        trust_env=False,
    )


async def _one_client(
    base: str, index: int, calls: int, namespace: str, result: Round, token: str | None
) -> None:
    calls_mix = mix(namespace)
    start = index % len(calls_mix)  # clients start at different tools
    tools = cycle(calls_mix[start:] + calls_mix[:start])
    async with client(base, client_address(index), token) as http:
        try:
            session = Session(http)
            await session.open()
        except (httpx.HTTPError, AssertionError) as err:
            result.errors.append(f"client {index} handshake: {err!r}")
            return
        for _ in range(calls):
            tool, arguments = next(tools)
            started = time.perf_counter()
            try:
                answer = await session.call(tool, arguments)
            except (httpx.HTTPError, AssertionError) as err:
                result.errors.append(f"client {index} {tool}: {err!r}")
                continue
            result.latencies.append(time.perf_counter() - started)
            if answer.get("isError"):
                result.errors.append(f"client {index} {tool}: {answer['content'][0]['text']}")
        try:
            await session.close()
        except (httpx.HTTPError, AssertionError) as err:
            result.errors.append(f"client {index} closing: {err!r}")


async def load_round(
    server: Served, clients: int, calls: int, namespace: str, token: str | None = None
) -> Round:
    """``clients`` concurrent sessions of ``calls`` tool calls each; RSS read around it."""
    result = Round(rss_before=rss_kib(server.pid))
    started = time.perf_counter()
    await asyncio.gather(
        *(_one_client(server.base, i, calls, namespace, result, token) for i in range(clients))
    )
    result.seconds = time.perf_counter() - started
    result.rss_after = rss_kib(server.pid)
    return result


@contextmanager
def load_server(kubeconfig: str, namespace: str, *extra: str) -> Iterator[Served]:
    """``grove-mcp --http`` on a free loopback port, reading the cluster of ``kubeconfig``."""
    port = free_port()
    command = [*grove_mcp_command(), "--http", "--port", str(port), "--kubeconfig", kubeconfig]
    with served([*command, "-n", namespace, *LOAD_LIMITS, *extra], port) as server:
        yield server


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m tools.bench_mcp_load")
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--calls", type=int, default=200, help="Tool calls per client and round.")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args(argv)
    with ApiServer(find_binaries(build=False), LIMITED_USERS, crds_dir()) as api:
        apply(api.client(), cluster_grants())
        seed(api.client(), SCENARIOS["demo"](), namespace=NAMESPACE)
        with load_server(str(api.kubeconfig(CLUSTER_VIEWER)), NAMESPACE) as server:
            print(f"{args.clients} clients × {args.calls} calls, {args.rounds} rounds")
            for number in range(1, args.rounds + 1):
                figures = asyncio.run(load_round(server, args.clients, args.calls, NAMESPACE))
                print(f"round {number}: {figures.line()}")
                for error in figures.errors[:5]:
                    print(f"  error: {error}")


if __name__ == "__main__":
    main()
