"""Benchmarks on a seeded cluster: requests, time, output size, memory.

    python -m tools.bench                       # 1,000 nodes, ~8,000 pods, 200 PodCliqueSets
    python -m tools.bench --nodes 96,960 --pods 1200 --workloads 40 --runs 7
    python -m tools.bench --profile topology    # cProfile of one report instead

For each size it starts a real kube-apiserver + etcd (tools/envtest), seeds nodes, a
topology, many PodCliqueSets and other workloads' pods, then measures per report (status,
topology, health of one PodCliqueSet): API requests, wall time (median) side by side with the
time of its LISTs alone and of ``kubectl get -o json`` of the same LISTs, JSON output size, and
the Python heap peak. It also times the cluster-wide pod LIST read as raw JSON (what grove-mcp
does) and through the kubernetes client's models, and the RSS of ``grove-mcp`` over stdio after
``grove_status`` of the whole namespace. Figures go in issue closing notes."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grove_mcp import core
from grove_mcp.allocation import collect_less
from grove_mcp.grove.kinds import POD
from grove_mcp.scenarios import CliqueSpec, ScenarioBuilder, WorkloadSpec
from grove_mcp.scenarios.catalog import LEVELS
from grove_mcp.sources.base import ListQuery
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed

from .envtest.apiserver import ApiServer, crds_dir, find_binaries

NAMESPACE = "bench"
TARGET = "target-inference"
REPORTS = ("status", "topology", "health")
OTHER_PODS_PER_NODE = 2
TARGET_PODS = 10  # 2 replicas × (1 router + 2 prefill + 2 decode)


def world(nodes: int, workloads: int, pods: int) -> Any:
    """``nodes`` 8-GPU nodes in racks of 8 and zones of 64, two other workloads' pods of 2 GPUs
    on each; ``workloads`` small PodCliqueSets (half their pods on 1 GPU) that bring the pod count
    to about ``pods``; plus the target (2 replicas of router, 2×TP4 prefill, 2×TP2 decode)."""
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
        for j in range(OTHER_PODS_PER_NODE):
            b.other_pod("other", f"batch-{i:04d}-{j}", f"node-{i:04d}", 2)
    per_workload = max(2, (pods - OTHER_PODS_PER_NODE * nodes - TARGET_PODS) // max(workloads, 1))
    gpu_workers = per_workload // 2
    for w in range(workloads):
        cliques = [CliqueSpec("worker", gpu_workers, gpus=1)]
        cliques.append(CliqueSpec("cache", per_workload - gpu_workers))
        b.workload(WorkloadSpec(f"svc-{w:03d}", 1, cliques))
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


def interleaved(fns: Sequence[Callable[[], Any]], runs: int) -> list[float]:
    """Median seconds of each function, run in turn ``runs`` times (side by side: a noisy
    machine slows all of them alike)."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, spent in zip(fns, times, strict=True):
            started = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - started)
    return [statistics.median(t) for t in times]


def kubectl_lists(kubeconfig: str, queries: Sequence[ListQuery]) -> None:
    """The same LISTs by ``kubectl get -o json``, one process per query, all at once (as the
    source runs them concurrently); raises if any fails."""
    procs = []
    for q in queries:
        args = ["kubectl", "--kubeconfig", kubeconfig, "get", q.kind.resource, "-o", "json"]
        args += ["-n", q.namespace] if q.namespace else (["-A"] if q.kind.namespaced else [])
        args += ["-l", q.label_selector] if q.label_selector else []
        args += ["--field-selector", q.field_selector] if q.field_selector else []
        procs.append(subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    for proc, q in zip(procs, queries, strict=True):
        _, err = proc.communicate()
        if proc.returncode and not q.optional:
            raise RuntimeError(f"kubectl failed for {q.describe()}: {err.decode().strip()}")


def measure_report(source: LiveSource, kubeconfig: str, name: str, runs: int) -> dict[str, Any]:
    def call(source: LiveSource, namespace: str, pcs: str) -> Any:
        return core.run(name, source, namespace, pcs)

    before = source.kube.requests_made
    report = call(source, NAMESPACE, TARGET)
    requests = source.kube.requests_made - before
    request = core.capability(name).snapshot_request(NAMESPACE, TARGET)
    assert request is not None
    queries = request.queries()
    lists, total, kubectl = interleaved(
        [
            lambda: source.list_many(queries),
            lambda: call(source, NAMESPACE, TARGET),
            lambda: kubectl_lists(kubeconfig, queries),
        ],
        runs,
    )
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
        "kubectl_s": kubectl,
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


def mcp_rss(kubeconfig: str) -> list[tuple[str, float]]:
    """``grove-mcp`` over stdio on the seeded cluster: its RSS (MB) after start-up, then after
    ``grove_list`` of the whole namespace and each report of the target, in turn."""
    import anyio
    from mcp import Client, StdioServerParameters

    command = str(Path(sys.executable).parent / "grove-mcp")
    env = {k: v for k, v in os.environ.items() if k in ("PYTHONPATH", "PATH", "HOME")}
    args = ["--kubeconfig", kubeconfig, "--namespace", NAMESPACE]
    params = StdioServerParameters(command=command, args=args, env=env)
    calls = [("grove_list", {})] + [(f"grove_{r}", {"name": TARGET}) for r in REPORTS]

    async def measure() -> list[tuple[str, float]]:
        async with Client(params) as client:
            await client.list_tools()
            server = _child_running(command)
            rss = [("started", _rss_mb(server))]
            for tool, arguments in calls:
                answer = await client.call_tool(tool, arguments)
                if answer.is_error:
                    raise RuntimeError(f"{tool} failed: {answer.content}")
                rss.append((tool, _rss_mb(server)))
            return rss

    return anyio.run(measure)


def cli_status_all_rss(kubeconfig: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``kubectl-grove status --all`` on the namespace: its
    own process's, by ``wait4``."""
    command = str(Path(sys.executable).parent / "kubectl-grove")
    args = [command, "--kubeconfig", kubeconfig, "status", "--all", "-n", NAMESPACE, "-o", "json"]
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode > 1:  # 1: problems found, still a report
        raise RuntimeError(f"kubectl-grove status --all exited {proc.returncode}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def _child_running(command: str) -> int:
    """The pid of our child process whose command line runs ``command``."""
    me = str(os.getpid())
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines())
            cmdline = (status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if fields.get("PPid", "").strip() == me and command in cmdline:
                return int(status.parent.name)
    raise RuntimeError(f"no child process runs {command}")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def profile_report(source: LiveSource, name: str) -> None:
    """cProfile of one report (after a warm-up), the top functions by cumulative time."""
    import cProfile
    import pstats

    core.run(name, source, NAMESPACE, TARGET)
    profiler = cProfile.Profile()
    profiler.runcall(core.run, name, source, NAMESPACE, TARGET)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def bench_size(nodes: int, workloads: int, pods: int, runs: int, profile: str | None) -> None:
    bundle = world(nodes, workloads, pods)
    with ApiServer(find_binaries(build=False), (), crds_dir()) as server:
        started = time.perf_counter()
        result = seed(server.client(), bundle)
        seeded = time.perf_counter() - started
        count = sum(1 for o in bundle.objects if o["kind"] == "Pod")
        print(
            f"\n== {nodes} nodes, {count} pods, {workloads + 1} PodCliqueSets "
            f"(seeded {len(result.created)} objects in {seeded:.0f}s)",
            flush=True,
        )
        kubeconfig = str(server.kubeconfig())
        source = LiveSource.connect(kubeconfig=kubeconfig)
        if profile:
            profile_report(source, profile)
            return
        print(
            f"{'report':10}{'requests':>9}{'LISTs s':>10}{'total s':>10}{'ratio':>7}"
            f"{'kubectl s':>11}{'÷kubectl':>9}{'JSON KB':>9}{'heap MB':>9}"
        )
        for name in REPORTS:
            row = measure_report(source, kubeconfig, name, runs)
            print(
                f"{row['report']:10}{row['requests']:>9}{row['lists_s']:>10.3f}"
                f"{row['total_s']:>10.3f}{row['total_s'] / row['lists_s']:>7.2f}"
                f"{row['kubectl_s']:>11.3f}{row['total_s'] / row['kubectl_s']:>9.2f}"
                f"{row['json_kb']:>9.1f}{row['heap_peak_mb']:>9.1f}",
                flush=True,
            )
        raw, model, listed = deserialisation(source, runs)
        print(
            f"cluster-wide pod LIST ({listed} pods): raw JSON {raw:.3f}s, client models "
            f"{model:.3f}s → models are {model / raw:.1f}× slower"
        )
        source.close()
        steps = ", ".join(f"{mb:.0f} MB {step}" for step, mb in mcp_rss(kubeconfig))
        print(f"grove-mcp (stdio) RSS, in turn: {steps}")
        seconds, peak = cli_status_all_rss(kubeconfig)
        print(f"kubectl-grove status --all: {seconds:.1f} s, peak RSS {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="1000", help="comma-separated cluster sizes")
    parser.add_argument("--workloads", type=int, default=199, help="other PodCliqueSets")
    parser.add_argument("--pods", type=int, default=8000, help="pods in all, about")
    parser.add_argument("--runs", type=int, default=5, help="runs per median")
    parser.add_argument("--profile", choices=REPORTS, help="profile this report instead")
    args = parser.parse_args()
    collect_less()  # what every report sets: the LISTs alone are timed with it too
    for nodes in (int(n) for n in args.nodes.split(",")):
        bench_size(nodes, args.workloads, args.pods, args.runs, args.profile)


if __name__ == "__main__":
    main()
