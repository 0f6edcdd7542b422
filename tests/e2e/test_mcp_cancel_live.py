"""The client walks away from a grove_metrics window on a real API server (issue 15 §4): the
real ``grove-mcp`` over stdio (hang-up) and streamable HTTP (dropped connection,
``notifications/cancelled``). The seeded healthy scenario's decode pods point at loopback
exporters that count their scrapes (scraped by pod IP, as inside a cluster). After the drop
the scrapes stop, the server's threads and TCP connections return to baseline (or, over stdio,
the server exits) within a bound, and the HTTP server answers the next client."""

from __future__ import annotations

import copy
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from mcp_drop import Held, StdioServer, back_to_live, cancelled, http_session, posted, tool_call

from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.seeder import seed
from tools import procfs
from tools.mcp_http import free_port, grove_mcp_command, rpc_answer, served

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

PCS = "my-inference"
WINDOW = 120  # far longer than the bound: a call that is not cancelled is seen to run on
BOUND = 15.0
EXPOSITION = b'vllm:generation_tokens_total{model_name="Qwen/Qwen3-32B"} 1.0\n'


class Counting(ThreadingHTTPServer):
    """A loopback exporter that counts the scrapes it served."""

    daemon_threads = True

    def __init__(self) -> None:
        self.scrapes = 0
        counted = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                counted.scrapes += 1
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(EXPOSITION)))
                self.end_headers()
                self.wfile.write(EXPOSITION)

            def log_message(self, *_: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def scraped(admin: KubeClient, namespace: str) -> Iterator[list[Counting]]:
    """The healthy scenario seeded in ``namespace``, its decode pods served on loopback."""
    exporters: list[Counting] = []
    objects = []
    for obj in SCENARIOS["healthy"]().objects:
        if obj["kind"] == "Pod" and "-decode-" in obj["metadata"]["name"]:
            obj = copy.deepcopy(obj)
            exporters.append(Counting())
            obj["status"] |= {"podIP": "127.0.0.1", "podIPs": [{"ip": "127.0.0.1"}]}
            port = str(exporters[-1].server_address[1])
            obj["metadata"].setdefault("annotations", {})["prometheus.io/port"] = port
        objects.append(obj)
    bundle = SCENARIOS["healthy"]()
    seed(admin, replace(bundle, objects=tuple(objects)), namespace=namespace)
    yield exporters
    for e in exporters:
        e.shutdown()
        e.server_close()


def scrapes(exporters: list[Counting]) -> int:
    return sum(e.scrapes for e in exporters)


def metrics(request_id: int) -> dict:
    arguments = {"name": PCS, "window": WINDOW, "scrape_via": "direct"}
    return tool_call(request_id, "grove_metrics", arguments)


def first_round(exporters: list[Counting]) -> None:
    procfs.within(lambda: all(e.scrapes for e in exporters), 60, "the window's first scrape")


def test_stdio_hang_up_mid_window_stops_the_scrapes_and_the_server(
    admin_kubeconfig: str, namespace: str, scraped: list[Counting], tmp_path: Path
) -> None:
    args = ["--kubeconfig", admin_kubeconfig, "--namespace", namespace]
    with StdioServer(args, dict(os.environ), tmp_path / "server.log") as server:
        server.send(metrics(server.next_id()))
        first_round(scraped)
        seen, began = scrapes(scraped), time.monotonic()
        server.hang_up()
        server.process.wait(BOUND)
        exited = time.monotonic() - began
    assert scrapes(scraped) == seen
    print(f"stdio hang-up mid-window: server exited {exited:.2f} s after it")


@pytest.mark.parametrize("how", ["drop", "cancel"])
def test_http_client_gone_mid_window_stops_the_scrapes_and_others_are_served(
    admin_kubeconfig: str, namespace: str, scraped: list[Counting], how: str
) -> None:
    port = free_port()
    command = [*grove_mcp_command(), "--http", "--port", str(port),
               "--kubeconfig", admin_kubeconfig, "--namespace", namespace]  # fmt: skip
    with served(command, port) as server, http_session(server.base) as (http, headers):
        status = tool_call(1, "grove_status", {"name": PCS})
        assert "result" in rpc_answer(http.post("/mcp", json=status, headers=headers))
        baseline = Held.now(server.pid)  # a worker thread and an API connection exist
        with posted(server.base, headers, metrics(2)):
            first_round(scraped)
            began = time.monotonic()
            if how == "cancel":
                assert http.post("/mcp", json=cancelled(2), headers=headers).status_code == 202
                settled = back_to_live(server.pid, baseline, BOUND, "the call's threads")
        seen = scrapes(scraped)
        settled = back_to_live(server.pid, baseline, BOUND, "threads and connections after it")
        with http_session(server.base) as (other, other_headers):
            again = other.post("/mcp", json=status, headers=other_headers)
            assert "result" in rpc_answer(again)
        assert scrapes(scraped) == seen  # nothing scraped once the call's threads were gone
    took = time.monotonic() - began
    print(f"HTTP {how} mid-window: threads and connections back {settled:.2f} s after it "
          f"({took:.2f} s with the next client's call)")  # fmt: skip
