"""Fake vLLM metrics exporters for e2e tests and benchmarks: one process, many pods.

Each fake pod is a prometheus_client registry with vLLM's metric names and buckets
(inference-metrics.md A.1; the layout of ``tests/unit/metrics/metrics_exporters.py`` plus the
gauges and histograms a real engine serves, so an exposition is a few KB), served on its own
listening address. The process is driven by a line protocol on stdin, one acknowledgement line
on stdout per command, so a test knows a value is recorded before it scrapes:

    observe <pod> <ttft_seconds> <prompt_tokens> <output_tokens>   -> ok
    gauge <pod> running|waiting|kv <value>                          -> ok
    hang <pod>            (its /metrics accepts, then never answers) -> ok
    scrapes               (the /metrics requests served so far)      -> scrapes <count>
    quit                                                            -> (exits)

Anything else answers ``error <why>``. At start it prints one line ``ready <json list of
"ip:port">`` (port 0 binds a free port). It exits when stdin closes, on ``quit``, or after
``--deadline`` seconds, whichever comes first: it never outlives the test that started it.

    python -m tools.envtest.vllm_exporter --listen 10.213.7.10:8000 --listen 10.213.7.11:8000
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

MODEL = "Qwen/Qwen3-32B"
LABELS = ("model_name", "engine")
# vLLM's default TTFT buckets (A.1); the same tuple as tests/unit/metrics/metrics_exporters.py
VLLM_TTFT_BUCKETS = (
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0,
    2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0,
)  # fmt: skip
VLLM_LATENCY_BUCKETS = (
    0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0,
    40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0,
)  # fmt: skip
VLLM_TOKEN_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


class FakeEngine:
    """One pod's vLLM-style metrics."""

    def __init__(self, model: str = MODEL, engine: str = "0") -> None:
        self.registry = CollectorRegistry()
        self.hung = threading.Event()  # set: /metrics accepts and never answers
        self.scrapes = 0  # /metrics requests received (one handler thread each: += is enough)
        self.key = (model, engine)
        r = self.registry
        self.ttft = Histogram(
            "vllm:time_to_first_token_seconds",
            "Histogram of time to first token in seconds.",
            LABELS,
            buckets=VLLM_TTFT_BUCKETS,
            registry=r,
        )
        self.e2e = Histogram(
            "vllm:e2e_request_latency_seconds",
            "Histogram of e2e request latency in seconds.",
            LABELS,
            buckets=VLLM_LATENCY_BUCKETS,
            registry=r,
        )
        self.prompt_hist = Histogram(
            "vllm:request_prompt_tokens",
            "Number of prefill tokens processed.",
            LABELS,
            buckets=VLLM_TOKEN_BUCKETS,
            registry=r,
        )
        self.generation_hist = Histogram(
            "vllm:request_generation_tokens",
            "Number of generation tokens processed.",
            LABELS,
            buckets=VLLM_TOKEN_BUCKETS,
            registry=r,
        )
        self.prompt = Counter(
            "vllm:prompt_tokens", "Number of prefill tokens processed.", LABELS, registry=r
        )
        self.generation = Counter(
            "vllm:generation_tokens", "Number of generation tokens processed.", LABELS, registry=r
        )
        self.running = Gauge(
            "vllm:num_requests_running",
            "Number of requests in model execution batches.",
            LABELS,
            registry=r,
        )
        self.waiting = Gauge(
            "vllm:num_requests_waiting",
            "Number of requests waiting to be processed.",
            LABELS,
            registry=r,
        )
        self.kv = Gauge(
            "vllm:kv_cache_usage_perc",
            "KV-cache usage. 1 means 100 percent usage.",
            LABELS,
            registry=r,
        )
        served = (self.ttft, self.e2e, self.prompt_hist, self.generation_hist)
        for metric in (*served, self.prompt, self.generation):
            metric.labels(*self.key)  # served at 0 from the start, as vLLM does
        for gauge in (self.running, self.waiting, self.kv):
            gauge.labels(*self.key).set(0)

    def observe(self, ttft: float, prompt_tokens: int, output_tokens: int) -> None:
        self.ttft.labels(*self.key).observe(ttft)
        self.e2e.labels(*self.key).observe(ttft + 0.01 * output_tokens)
        self.prompt_hist.labels(*self.key).observe(prompt_tokens)
        self.generation_hist.labels(*self.key).observe(output_tokens)
        self.prompt.labels(*self.key).inc(prompt_tokens)
        self.generation.labels(*self.key).inc(output_tokens)

    def set_gauge(self, which: str, value: float) -> None:
        gauges = {"running": self.running, "waiting": self.waiting, "kv": self.kv}
        gauges[which].labels(*self.key).set(value)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _Handler(BaseHTTPRequestHandler):
    server: _PodServer

    def do_GET(self) -> None:
        if self.path.split("?")[0] != "/metrics":
            self.send_error(404)
            return
        self.server.engine.scrapes += 1
        if self.server.engine.hung.is_set():  # accepted, never answered, until the child ends
            self.server.closing.wait()
            return
        body = self.server.engine.exposition()
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE_LATEST)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _PodServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], engine: FakeEngine, closing: threading.Event
    ) -> None:
        self.engine = engine
        self.closing = closing  # set when the child ends: releases hung requests
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks getfqdn(host): a reverse DNS lookup that hangs in a
        # network namespace without a resolver. The name is never used here.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]


class Exporters:
    """One server per pod; a single thread accepts on all of them (each request gets a thread)."""

    def __init__(self, listen: list[tuple[str, int]]) -> None:
        self.engines = [FakeEngine() for _ in listen]
        self._stop = threading.Event()
        self.servers = [
            _PodServer(a, e, self._stop) for a, e in zip(listen, self.engines, strict=True)
        ]
        self._thread = threading.Thread(target=self._serve, name="accept", daemon=True)

    @property
    def addresses(self) -> list[str]:
        return [f"{s.server_name}:{s.server_port}" for s in self.servers]

    def start(self) -> Exporters:
        self._thread.start()
        return self

    def _serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            for server in self.servers:
                selector.register(server, selectors.EVENT_READ, server)
            while not self._stop.is_set():
                for key, _ in selector.select(0.2):
                    key.data._handle_request_noblock()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for server in self.servers:
            server.server_close()

    def command(self, line: str) -> str:
        """Run one protocol line; the answer line ('ok' or 'error …')."""
        words = line.split()
        try:
            if words[0] == "observe" and len(words) == 5:
                self.engines[int(words[1])].observe(float(words[2]), int(words[3]), int(words[4]))
            elif words[0] == "hang" and len(words) == 2:
                self.engines[int(words[1])].hung.set()
            elif words == ["scrapes"]:
                return f"scrapes {sum(e.scrapes for e in self.engines)}"
            elif words[0] == "gauge" and len(words) == 4:
                self.engines[int(words[1])].set_gauge(words[2], float(words[3]))
            else:
                return f"error unknown command {line.strip()!r}"
        except (IndexError, KeyError, ValueError) as err:
            return f"error {type(err).__name__}: {err}"
        return "ok"


def _address(raw: str) -> tuple[str, int]:
    host, _, port = raw.rpartition(":")
    return host, int(port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", action="append", type=_address, required=True)
    parser.add_argument("--deadline", type=float, default=600.0, help="exit after this (s)")
    args = parser.parse_args(argv)
    # the deadline holds even if the parent hangs without closing our stdin
    threading.Timer(args.deadline, os._exit, (3,)).start()
    exporters = Exporters(args.listen).start()
    print("ready " + json.dumps(exporters.addresses), flush=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        if line.strip():
            print(exporters.command(line), flush=True)
    exporters.close()
    os._exit(0)  # the deadline timer is not a daemon: do not wait for it


if __name__ == "__main__":
    main()
