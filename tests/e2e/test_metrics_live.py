"""``metrics`` through the table on the real API server, scraping pod IPs directly (as grove-mcp
does inside a cluster): the seeded pods' IPs are 127.0.0.1 with a ``prometheus.io/port`` of a
loopback exporter each. The load is driven between the collector's first and last scrape."""

from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from dataclasses import replace

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

from grove_mcp import core
from grove_mcp.performance.metrics import MetricsArgs
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.scrape import ScrapeVia
from grove_mcp.sources.seeder import seed

PCS = "my-inference"
MODEL = "Qwen/Qwen3-32B"


class Exporter:
    """One vLLM-named engine on 127.0.0.1: tokens and TTFT."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.tokens = Counter(
            "vllm:generation_tokens", "tokens", ["model_name"], registry=self.registry
        ).labels(MODEL)
        self.ttft = Histogram(
            "vllm:time_to_first_token_seconds",
            "ttft",
            ["model_name"],
            buckets=(0.1, 0.25, 0.5, 1.0),
            registry=self.registry,
        ).labels(MODEL)
        self.server, self.thread = start_http_server(0, addr="127.0.0.1", registry=self.registry)

    @property
    def port(self) -> int:
        return int(self.server.server_port)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def exporters() -> Iterator[dict[str, Exporter]]:
    made: dict[str, Exporter] = {}
    yield made
    for e in made.values():
        e.close()


def test_metrics_scraped_directly_from_a_live_cluster_match_the_load(
    admin: KubeClient, admin_kubeconfig: str, namespace: str, exporters: dict[str, Exporter]
) -> None:
    bundle = SCENARIOS["healthy"]()
    objects = []
    for obj in bundle.objects:
        name = obj["metadata"]["name"]
        if obj["kind"] == "Pod" and obj["status"].get("podIP"):
            obj = copy.deepcopy(obj)  # every pod on loopback: decode served, the rest refused
            port = _closed_port()
            if "-decode-" in name:
                exporters[name] = Exporter()
                port = exporters[name].port
            obj["status"]["podIP"] = "127.0.0.1"
            obj["status"]["podIPs"] = [{"ip": "127.0.0.1"}]
            obj["metadata"].setdefault("annotations", {})["prometheus.io/port"] = str(port)
        objects.append(obj)
    seed(admin, replace(bundle, objects=tuple(objects)), namespace=namespace)
    driven = {name: 500 * (i + 1) for i, name in enumerate(sorted(exporters))}

    def on_progress(fraction: float, _line: str) -> None:
        if fraction < 1:
            for name, tokens in driven.items():
                exporters[name].tokens.inc(tokens)
                exporters[name].ttft.observe(0.3)

    args = MetricsArgs(window=1.0, scrapes=2, scrape_via=ScrapeVia.direct, on_progress=on_progress)
    source = LiveSource.connect(kubeconfig=admin_kubeconfig)
    try:
        report = core.run("metrics", source, namespace, PCS, args)
    finally:
        source.close()

    assert report.read_via == "the pod IPs"  # type: ignore[attr-defined]
    decode = next(r for r in report.roles if r.role == "decode")  # type: ignore[attr-defined]
    assert decode.pods_read == len(exporters)
    out = report.throughput.output_tokens_per_second  # type: ignore[attr-defined]
    assert out * report.window_seconds == pytest.approx(sum(driven.values()), rel=0.01)  # type: ignore[attr-defined]
    # prefill pods point at nothing that listens here: named, and the rest still counts
    prefill = [p for p in report.pods if p.role == "prefill" and p.error]  # type: ignore[attr-defined]
    assert prefill and all(
        p.pod in (p.error or "") or "not running" in (p.error or "") for p in prefill
    )
