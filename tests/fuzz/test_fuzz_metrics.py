"""Metric expositions: the demo's recorded scrapes, mutated line by line (values, ``le``
bounds, TYPE lines, truncation, garbage), and any text; parsed alone, as a bundle's
recording under every report that reads metrics, and served over loopback HTTP to the
scraper. A body that is no exposition must be a MetricsError (or a per-pod note)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from fuzz_strategies import TEXT, WEIRD_STRINGS
from fuzz_worlds import PCS, demo_bundle
from fuzzing import examples, outcome, tally
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grove_mcp import core
from grove_mcp.metrics.exposition import parse_exposition
from grove_mcp.sources.bundle import Bundle, BundleSource
from grove_mcp.sources.scrape import Address, DirectFetcher

METRICS_READERS = ["metrics", "compare", "diagnose"]
VALUES = st.sampled_from(["NaN", "+Inf", "-Inf", "1e999", "-1", "0", "abc", "", "0x10", "1e-320"])
_NUMBER = re.compile(r"(?<=[ \"])[-+0-9.eE]+(?=[\"}\s]|$)")


@st.composite
def exposition(draw: st.DrawFn) -> str:
    """One of the demo's recorded expositions, changed in one to four places."""
    recorded = demo_bundle().metrics
    pod = draw(st.sampled_from(sorted(recorded)))
    lines = draw(st.sampled_from(recorded[pod]))[1].splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["value", "drop", "twice", "cut", "garbage", "type"]))
        if op == "value":  # a sample value or an le bound
            spans = list(_NUMBER.finditer(lines[at]))
            if spans:
                span = draw(st.sampled_from(spans)).span()
                lines[at] = lines[at][: span[0]] + draw(VALUES) + lines[at][span[1] :]
        elif op == "drop":
            del lines[at]
        elif op == "twice":
            lines.insert(at, lines[at])
        elif op == "cut":  # the body ends mid-line
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
            del lines[at + 1 :]
        elif op == "garbage":
            lines.insert(at, draw(TEXT | WEIRD_STRINGS))
        else:
            kind = draw(st.sampled_from(["counter", "gauge", "histogram", "summary", "x", ""]))
            lines[at] = re.sub(r"^# TYPE (\S+) \S*", rf"# TYPE \1 {kind}", lines[at])
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n# EOF\n"]))


BODIES = st.one_of(exposition(), exposition(), TEXT)


@settings(max_examples=examples(5))
@given(text=BODIES, filtered=st.booleans())
@example(text='x_bucket{le="a"} 1\n', filtered=False)
def test_exposition_is_parsed_or_refused(text: str, filtered: bool) -> None:
    wanted = (lambda name: "token" in name) if filtered else None
    tally("exposition", outcome(parse_exposition, text, 0.0, "fuzz", wanted))


@st.composite
def recordings(draw: st.DrawFn) -> Bundle:
    """The demo with one to three pods' recordings replaced by changed expositions."""
    base = demo_bundle()
    metrics = dict(base.metrics)
    for pod in draw(st.lists(st.sampled_from(sorted(metrics)), min_size=1, max_size=3)):
        samples = metrics[pod]
        metrics[pod] = tuple((t, draw(BODIES)) for t, _ in samples)
    return Bundle(base.manifest, base.objects, "fuzzed", metrics)


@settings(max_examples=examples(1.5))
@given(bundle=recordings())
def test_metrics_reports_take_any_recording(bundle: Bundle) -> None:
    source = BundleSource(bundle)
    for name in METRICS_READERS:
        tally(f"recorded {name}", outcome(core.run, name, source, None, PCS))


class _Exporter(BaseHTTPRequestHandler):
    body: ClassVar[bytes] = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def exporter() -> Iterator[Address]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Exporter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Address("vllm-disagg", "fuzz-pod", "127.0.0.1", server.server_address[1])
    server.shutdown()
    server.server_close()


def test_scraped_bodies_are_parsed_or_refused(exporter: Address) -> None:
    """Through the scraper over real loopback HTTP, as ``metrics`` reads a live pod."""
    fetcher = DirectFetcher(timeout=5.0, concurrency=1)

    @settings(max_examples=examples(1))
    @given(body=BODIES.map(lambda s: s.encode("utf-8", "surrogatepass")) | st.binary(max_size=200))
    def run(body: bytes) -> None:
        _Exporter.body = body
        (got,) = fetcher.fetch([exporter])
        assert got.error is None, got.error
        assert got.text is not None
        tally("scraped", outcome(parse_exposition, got.text, got.at, exporter.url))

    try:
        run()
    finally:
        fetcher.close()
