"""Fetching expositions: the classic text format asked for, a bounded pool with a per-pod
timeout, failures as results with their reason. Real loopback HTTP where timing matters;
respx for the answers a server should not give."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest
import respx

from grove_mcp.sources.scrape import (
    ACCEPT,
    MAX_BYTES,
    Address,
    DirectFetcher,
    ScrapeVia,
    choose_via,
)

EXPOSITION = (
    "# HELP vllm:num_requests_running Number of requests in model execution batches.\n"
    "# TYPE vllm:num_requests_running gauge\n"
    'vllm:num_requests_running{model_name="qwen"} 3.0\n'
)


class _Exporter(BaseHTTPRequestHandler):
    seen_accept: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Exporter.seen_accept.append(self.headers.get("Accept", ""))
        body = EXPOSITION.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def exporter() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Exporter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent() -> Iterator[int]:
    """A port that accepts connections and never answers (a hung pod), for at most 10 s."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(10)
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    done.set()
    for conn in held:
        conn.close()
    listener.close()


def _target(port: int, pod: str = "p-0", ip: str | None = "127.0.0.1") -> Address:
    return Address("ns", pod, ip, port)


def test_a_scrape_asks_for_the_classic_text_format_and_times_its_midpoint(exporter: int):
    fetcher = DirectFetcher(timeout=2)
    before = time.monotonic()
    (got,) = fetcher.fetch([_target(exporter)])
    after = time.monotonic()
    fetcher.close()
    assert got.error is None and got.text == EXPOSITION
    assert _Exporter.seen_accept[-1] == ACCEPT
    assert before <= got.at <= after


def test_a_hung_pod_times_out_alone_while_the_others_count(exporter: int, silent: int):
    fetcher = DirectFetcher(timeout=3, concurrency=8)
    addresses = [_target(exporter, f"ok-{i}") for i in range(12)] + [_target(silent, "hung")]
    started = time.monotonic()
    results = fetcher.fetch(addresses)
    elapsed = time.monotonic() - started
    fetcher.close()
    hung = results[-1]
    assert [r.address.pod for r in results] == [t.pod for t in addresses]  # in order
    assert all(r.text == EXPOSITION for r in results[:-1])
    assert hung.text is None and hung.error is not None
    assert "did not answer within 3 s (pod hung)" in hung.error
    assert elapsed < 2 * 3  # bounded by one per-pod timeout, not summed over pods


def test_a_pod_without_an_ip_is_a_result_with_its_reason():
    fetcher = DirectFetcher(timeout=1)
    (got,) = fetcher.fetch([_target(9, ip=None)])
    fetcher.close()
    assert got.text is None and "has no IP yet" in (got.error or "")


@respx.mock
def test_an_error_status_and_an_oversized_body_are_reasons_not_exceptions():
    respx.get("http://10.0.0.5:8000/metrics").mock(return_value=httpx.Response(500, text="boom"))
    respx.get("http://10.0.0.6:8000/metrics").mock(
        return_value=httpx.Response(200, content=b"#" * (MAX_BYTES + 1))
    )
    fetcher = DirectFetcher(timeout=1)
    failed, huge = fetcher.fetch(
        [Address("ns", "a", "10.0.0.5", 8000), Address("ns", "b", "10.0.0.6", 8000)]
    )
    fetcher.close()
    assert "answered HTTP 500" in (failed.error or "") and "port 8000" in (failed.error or "")
    assert "refused" in (huge.error or "") and huge.text is None


@respx.mock
def test_an_unreachable_pod_is_named():
    respx.get("http://10.0.0.7:9090/metrics").mock(side_effect=httpx.ConnectError("refused"))
    fetcher = DirectFetcher(timeout=1)
    (got,) = fetcher.fetch([Address("ns", "w", "10.0.0.7", 9090)])
    fetcher.close()
    assert got.error == "http://10.0.0.7:9090/metrics (pod w) could not be reached: refused"


def test_ipv6_pod_ips_are_bracketed():
    assert Address("ns", "p", "fd00::5", 9090).url == "http://[fd00::5]:9090/metrics"


def test_auto_is_direct_inside_a_cluster_and_proxy_outside(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    assert choose_via(ScrapeVia.auto, None) is ScrapeVia.direct  # no cluster at all: bundles
    assert choose_via(ScrapeVia.proxy, None) is ScrapeVia.proxy  # forced
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1")
    assert choose_via(ScrapeVia.auto, None) is ScrapeVia.direct


def test_only_the_api_servers_own_status_counts_as_its_refusal():
    from grove_mcp.sources.kube import _is_status

    rbac = b'{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403}'
    assert _is_status(rbac)
    assert not _is_status(b"resolve_deny: denied destination")  # a proxy on the way
    assert not _is_status(b'{"error":"forbidden"}')  # the pod's own JSON answer
    assert not _is_status(None)


def test_a_path_without_its_slash_still_makes_a_url():
    assert Address("ns", "p", "10.0.0.1", 9090, "metrics").url == "http://10.0.0.1:9090/metrics"


def test_an_unexpected_failure_of_one_pod_is_its_result_not_everyones():
    class Flaky(DirectFetcher):
        def _get(self, address: Address) -> str:
            if address.pod == "bad":
                raise RuntimeError("surprise")
            return "ok"

    fetcher = Flaky(timeout=1)
    good, bad = fetcher.fetch(
        [Address("ns", "good", "10.0.0.1", 1), Address("ns", "bad", "10.0.0.2", 1)]
    )
    fetcher.close()
    assert good.text == "ok"
    assert bad.text is None and bad.error == "pod bad: scrape failed (RuntimeError: surprise)"
