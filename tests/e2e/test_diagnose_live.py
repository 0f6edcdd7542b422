"""diagnose on the real API server: a scenario seeded as created, its engines' recorded scrapes
replayed by loopback exporters (one per pod, the first recording to the first scrape, the last
to every later one) and scraped directly through the table. The planted cause leads, as it does
on the bundle."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from grove_mcp import core
from grove_mcp.reports.common import Severity
from grove_mcp.scenarios import PLANTED, SCENARIOS
from grove_mcp.sources import BundleSource
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.scrape import ScrapeVia
from grove_mcp.sources.seeder import seed

PCS = "my-inference"


class Replay(ThreadingHTTPServer):
    """Serves one pod's recording: scrape n gets recording min(n, last)."""

    def __init__(self, texts: list[str]) -> None:
        self.texts, self.served = texts, 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def next_text(self) -> str:
        with self.lock:
            text = self.texts[min(self.served, len(self.texts) - 1)]
            self.served += 1
            return text


class _Handler(BaseHTTPRequestHandler):
    server: Replay

    def do_GET(self) -> None:
        body = self.server.next_text().encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def replays() -> Iterator[list[Replay]]:
    made: list[Replay] = []
    yield made
    for r in made:
        r.shutdown()
        r.server_close()


@pytest.mark.parametrize("scenario", ["prefill-starved", "decode-saturated", "healthy-served"])
def test_the_planted_cause_leads_live_as_on_the_bundle(
    scenario: str,
    admin: KubeClient,
    admin_kubeconfig: str,
    make_namespace: Callable[[str], str],
    replays: list[Replay],
) -> None:
    namespace = make_namespace(scenario)
    bundle = SCENARIOS[scenario]().with_namespace(namespace)
    objects = []
    for obj in bundle.objects:
        rows = bundle.metrics.get((namespace, obj["metadata"]["name"]))
        if obj["kind"] == "Pod" and rows:
            obj = copy.deepcopy(obj)
            replays.append(Replay([text for _, text in rows]))
            obj["status"]["podIP"] = "127.0.0.1"
            obj["status"]["podIPs"] = [{"ip": "127.0.0.1"}]
            port = str(replays[-1].server_address[1])
            obj["metadata"].setdefault("annotations", {})["prometheus.io/port"] = port
        objects.append(obj)
    result = seed(admin, replace(bundle, objects=tuple(objects)), as_created=True)
    args = core.MetricsArgs(window=1.0, scrapes=2, scrape_via=ScrapeVia.direct)
    live = LiveSource.connect(kubeconfig=admin_kubeconfig, as_of=result.as_of)
    try:
        got = core.run("diagnose", live, namespace, PCS, args)
    finally:
        live.close()
    want = core.run("diagnose", BundleSource(bundle), namespace, PCS)

    def problems(report) -> list[str]:
        return [f.code for f in report.findings if f.severity is not Severity.info]

    assert got.metrics.startswith("window ") and "the pod IPs" in got.metrics
    planted = set(PLANTED[scenario])
    if not planted:
        assert problems(got) == problems(want) == []
    else:
        assert planted & set(problems(got)[:2]) and planted & set(problems(want)[:2])
