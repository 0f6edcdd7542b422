"""Benchmarks on a seeded cluster of growing size: requests, time, output size, memory.

    python -m tools.bench                      # clusters of 96 and 960 nodes (the default)
    python -m tools.bench --nodes 96,480 --runs 7

For each size it starts a real kube-apiserver + etcd (tools/envtest), seeds nodes, a
topology, many PodCliqueSets and other workloads' pods, then measures per report (status,
topology, health of one PodCliqueSet): API requests, wall time (median) next to the time of
its LISTs alone, JSON output size, and the Python heap peak. It also times the same cluster-wide
pod LIST read as raw JSON (what grove-mcp does) and through the kubernetes client's model
deserialisation, interleaved, and prints the ratio. Figures go in issue closing notes.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from grove_mcp import core
from grove_mcp.grove.kinds import POD
from grove_mcp.scenarios import CliqueSpec, ScenarioBuilder, WorkloadSpec
from grove_mcp.scenarios.catalog import LEVELS
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed

from .envtest.apiserver import ApiServer, crds_dir, find_binaries

NAMESPACE = "bench"
TARGET = "target-inference"
REPORTS = ("status", "topology", "health")


def world(nodes: int, workloads: int) -> Any:
    """``nodes`` 8-GPU nodes in racks of 8 and zones of 64; half their GPUs taken by other
    pods; ``workloads`` small PodCliqueSets plus the target (router, 2×TP4 prefill, 2×TP2 decode)."""
    b = ScenarioBuilder(NAMESPACE, datetime.now(UTC).replace(microsecond=0), f"bench {nodes}")
    b.topology("gpu-fabric", LEVELS)
    for i in range(nodes):
        b.node(
            f"node-{i:04d}",
            {
                "topology.kubernetes.io/region": "r1",
                "topology.kubernetes.io/zone": f"zone-{i // 64}",
                "topology.kubernetes.io/rack": f"rack-{i // 8}",
            },
        )
    for i in range(nodes):
        b.other_pod("other", f"batch-{i:04d}", f"node-{i:04d}", 4)
    for w in range(workloads):
        b.workload(WorkloadSpec(f"svc-{w:03d}", 1, [CliqueSpec("worker", 2, gpus=1)]))
    b.workload(
        WorkloadSpec(
            TARGET,
            2,
            [
                CliqueSpec("router", 1),
                CliqueSpec("prefill", 2, gpus=4),
                CliqueSpec("decode", 2, gpus=2),
            ],
        )
    )
    return b.bundle()


def median_seconds(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure_report(source: LiveSource, name: str, runs: int) -> dict[str, Any]:
    def call(source: LiveSource, namespace: str, pcs: str) -> Any:
        return core.run(name, source, namespace, pcs)

    before = source.kube.requests_made
    report = call(source, NAMESPACE, TARGET)
    requests = source.kube.requests_made - before
    request = core.capability(name).snapshot_request(NAMESPACE, TARGET)
    assert request is not None
    queries = request.queries()
    lists = median_seconds(lambda: source.list_many(queries), runs)
    total = median_seconds(lambda: call(source, NAMESPACE, TARGET), runs)
    gc.collect()
    tracemalloc.start()
    call(source, NAMESPACE, TARGET)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "report": name,
        "requests": requests,
        "lists_s": lists,
        "total_s": total,
        "json_kb": len(report.model_dump_json()) / 1024,
        "heap_peak_mb": peak / 2**20,
    }


def deserialisation(source: LiveSource, runs: int) -> tuple[float, float, int]:
    """Raw JSON vs the client's models for the cluster-wide pod LIST, interleaved."""
    from kubernetes import client  # the bench compares with the client's own path

    core = client.CoreV1Api(source.kube._api)  # the same connection as the raw reads
    raw_times, model_times = [], []
    count = 0
    for _ in range(runs):
        started = time.perf_counter()
        count = len(source.kube.request("GET", POD)["items"])
        raw_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        core.list_pod_for_all_namespaces()
        model_times.append(time.perf_counter() - started)
    return statistics.median(raw_times), statistics.median(model_times), count


def bench_size(nodes: int, workloads: int, runs: int) -> None:
    bundle = world(nodes, workloads)
    with ApiServer(find_binaries(build=False), (), crds_dir()) as server:
        started = time.perf_counter()
        result = seed(server.client(), bundle)
        seeded = time.perf_counter() - started
        pods = sum(1 for o in bundle.objects if o["kind"] == "Pod")
        print(
            f"\n== {nodes} nodes, {pods} pods, {workloads + 1} PodCliqueSets "
            f"(seeded {len(result.created)} objects in {seeded:.0f}s)"
        )
        source = LiveSource.connect(kubeconfig=str(server.kubeconfig()))
        print(
            f"{'report':10}{'requests':>9}{'LISTs s':>10}{'total s':>10}{'ratio':>7}"
            f"{'JSON KB':>9}{'heap MB':>9}"
        )
        for name in REPORTS:
            row = measure_report(source, name, runs)
            print(
                f"{row['report']:10}{row['requests']:>9}{row['lists_s']:>10.3f}"
                f"{row['total_s']:>10.3f}{row['total_s'] / row['lists_s']:>7.2f}"
                f"{row['json_kb']:>9.1f}{row['heap_peak_mb']:>9.1f}"
            )
        raw, model, count = deserialisation(source, runs)
        print(
            f"cluster-wide pod LIST ({count} pods): raw JSON {raw:.3f}s, client models "
            f"{model:.3f}s → models are {model / raw:.1f}× slower"
        )
        source.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="96,960", help="comma-separated cluster sizes")
    parser.add_argument("--workloads", type=int, default=40, help="other PodCliqueSets")
    parser.add_argument("--runs", type=int, default=5, help="runs per median")
    args = parser.parse_args()
    for nodes in (int(n) for n in args.nodes.split(",")):
        bench_size(nodes, args.workloads, args.runs)


if __name__ == "__main__":
    main()
