"""Benchmark of live metric scrapes: wall time beyond the window, and memory.

    python -m tools.bench_metrics                        # 256 direct pods, 64 through the proxy
    python -m tools.bench_metrics --direct-pods 512 --proxy-pods 0 --window 3

"report s" is what a user waits beyond the window: collecting plus turning the scrapes into
figures. The direct case runs twice, side by side: parsing every family after the window (the
baseline) and as the product does (each exposition parsed as it arrives, only the families the
report reads).

(a) ``--direct-pods`` fake vLLM pods on loopback exporters (one child process, one port each,
~8 KB of vLLM-like exposition per pod) scraped directly: ``ScrapeCollector(DirectFetcher)``.
(b) ``--proxy-pods`` fake pods in a network namespace scraped through a real kube-apiserver's
pod proxy (it starts its own, like tools/bench.py; needs root for the namespace and the
binaries of tools/envtest/build.sh): ``ScrapeCollector(ProxyFetcher)``.

Each case runs the window twice: once timed, once under tracemalloc (the heap peak of the
collection, then of turning every pod's scrapes into figures). ru_maxrss is the process's
peak resident size so far, after the case. Figures go in issue closing notes.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from grove_mcp.grove.k8s import Pod
from grove_mcp.grove.kinds import NAMESPACE, POD
from grove_mcp.metrics.discovery import Target, discover
from grove_mcp.metrics.exposition import parse_exposition
from grove_mcp.metrics.figures import figures_from_scrapes
from grove_mcp.performance.metrics import parse_one
from grove_mcp.sources.metrics_collect import Collected, MetricsRequest, PodSamples, ScrapeCollector
from grove_mcp.sources.scrape import DirectFetcher, Fetcher, ProxyFetcher

from .envtest.apiserver import ApiServer, BinariesMissing, find_binaries
from .envtest.netns import NetnsUnavailable, create_pods, loopback_exporters, netns_exporters

BENCH_NAMESPACE = "bench-metrics"


@dataclass(frozen=True)
class Row:
    case: str
    pods: int
    window: float
    wall: float
    ok: int
    bytes_per_pod: float
    collect_peak: float
    figures_seconds: float
    figures_peak: float
    maxrss: float


def _pod_dict(name: str, ip: str, port: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": BENCH_NAMESPACE},
        "spec": {
            "containers": [
                {
                    "name": "vllm",
                    "image": "vllm/vllm-openai:v0.10.1",
                    "ports": [{"name": "metrics", "containerPort": port}],
                }
            ]
        },
        "status": {"phase": "Running", "podIP": ip},
    }


def _measure(
    case: str,
    targets: Sequence[Target],
    fetcher: Callable[[], Fetcher],
    via: str,
    a: Any,
    early: bool = True,
) -> Row:
    """``early``: as the product does, each exposition parsed as it arrives (inside the window)
    and only the families the report reads; else (the baseline) every family parsed after it."""

    def collect() -> tuple[Collected, float]:
        collector = ScrapeCollector(fetcher(), via)
        parse = parse_one if early else None
        request = MetricsRequest(BENCH_NAMESPACE, tuple(targets), a.window, a.scrapes, parse=parse)
        began = time.monotonic()
        try:
            return collector.collect(request), time.monotonic() - began
        finally:
            collector.close()

    got, wall = collect()  # timed, without tracemalloc's overhead
    samples = [s for s in got.answers.values() if isinstance(s, PodSamples)]
    ok = sum(1 for s in samples if len(s.samples) == a.scrapes and not s.errors)
    errors = sorted({e for s in samples for e in s.errors})
    if errors:
        print(f"{case}: {len(errors)} distinct errors, e.g. {errors[0]}", file=sys.stderr)
    sizes = [len(text) for s in samples for _, text in s.samples]
    hints = {t.pod: t.hint for t in targets}

    def figures(collected: Collected) -> float:
        began = time.monotonic()
        for pod, answer in collected.answers.items():
            if isinstance(answer, PodSamples) and len(answer.samples) >= 2:
                scrapes = list(answer.parsed or ()) or [
                    parse_exposition(text, at, pod) for at, text in answer.samples
                ]
                figures_from_scrapes(pod, scrapes, hints[pod])
        return time.monotonic() - began

    figures_seconds = figures(got)  # timed, without tracemalloc's overhead
    del got, samples
    gc.collect()
    tracemalloc.start()
    got, _ = collect()
    _, collect_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    figures(got)
    _, figures_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return Row(
        case,
        len(targets),
        a.window,
        wall,
        ok,
        sum(sizes) / len(sizes) if sizes else 0.0,
        collect_peak / 2**20,
        figures_seconds,
        figures_peak / 2**20,
        maxrss,
    )


def direct(a: Any) -> list[Row]:
    with loopback_exporters(a.direct_pods) as child:
        pods = [
            Pod.model_validate(_pod_dict(f"direct-{i:04d}", ip, port))
            for i, (ip, port) in enumerate(child.addresses)
        ]
        targets = discover(pods)
        return [
            _measure(
                "direct, parsed after (base)" if not early else "direct (pod IP)",
                targets,
                lambda: DirectFetcher(a.timeout, a.concurrency),
                "the pod IPs",
                a,
                early,
            )
            for early in (False, True)
        ]


def proxied(a: Any) -> Row | str:
    try:
        binaries = find_binaries(build=False)
    except BinariesMissing as err:
        return f"skipped: {err}"
    try:
        with ApiServer(binaries) as server, netns_exporters(a.proxy_pods) as (ns, _child):
            admin = server.client()
            body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": BENCH_NAMESPACE}}
            admin.request("POST", NAMESPACE, body=body)
            names = [f"proxied-{i:03d}" for i in range(a.proxy_pods)]
            create_pods(admin, BENCH_NAMESPACE, list(zip(names, ns.pod_ips, strict=True)))
            items = admin.request("GET", POD, BENCH_NAMESPACE)["items"]
            targets = discover(Pod.model_validate(p) for p in items)
            return _measure(
                "pod proxy (kube-apiserver)",
                targets,
                lambda: ProxyFetcher(admin, a.timeout, a.concurrency),
                "the API server's pod proxy",
                a,
            )
    except NetnsUnavailable as err:
        return f"skipped: {err}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--direct-pods", type=int, default=256)
    parser.add_argument("--proxy-pods", type=int, default=64)
    parser.add_argument("--window", type=float, default=5.0)
    parser.add_argument("--scrapes", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    a = parser.parse_args(argv)
    rows: list[Row | str] = []
    if a.direct_pods:
        rows += direct(a)
    if a.proxy_pods:
        rows.append(proxied(a))
    print(
        f"window {a.window:g}s, {a.scrapes} scrapes, concurrency {a.concurrency}, "
        f"per-pod timeout {a.timeout:g}s"
    )
    header = (
        f"{'case':28} {'pods':>5} {'ok':>5} {'KB/pod':>7} {'wall s':>7} {'beyond s':>9} "
        f"{'report s':>9} "
        f"{'collect MiB':>12} {'figures s':>10} {'figures MiB':>12} {'maxrss MiB':>11}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        if isinstance(r, str):
            print(r)
            continue
        print(
            f"{r.case:28} {r.pods:5d} {r.ok:5d} {r.bytes_per_pod / 1024:7.1f} {r.wall:7.2f} "
            f"{r.wall - r.window:9.2f} {r.wall - r.window + r.figures_seconds:9.2f} "
            f"{r.collect_peak:12.1f} {r.figures_seconds:10.2f} "
            f"{r.figures_peak:12.1f} {r.maxrss:11.0f}"
        )


if __name__ == "__main__":
    main()
