"""Metric samples (``diag --metrics``): every engine pod of the workload scraped twice, one
window apart, stored as the raw expositions the pods served (``metrics/<ns>/<pod>/<s>.prom``),
which ``metrics``, ``compare`` and ``diagnose`` read back as their window. Off by default: it
waits a window. Pods are reached as ``metrics`` reaches them (pod IP in a cluster, else the
API server's pod proxy)."""

from __future__ import annotations

from ...performance.metrics import MetricsArgs, metrics_targets, scraped
from ...snapshot import SnapshotRequest, fetch_snapshot
from ...sources.base import RawObject
from ...sources.bundle import Bundle, BundleSource, Manifest
from ...sources.live import LiveSource
from ...sources.metrics_collect import MetricsRequest, PodSamples, open_collector
from ..base import CaptureRequest, Found


class Metrics:
    name = "metrics"
    help = "two scrapes of each engine pod, a window apart, as raw expositions (--metrics)"

    def collect(
        self, source: LiveSource, request: CaptureRequest, so_far: list[RawObject]
    ) -> Found:
        found = Found()
        if request.metrics_window is None:
            return found
        if request.name is None:
            found.failed = "metric samples are taken for one PodCliqueSet: name it (not --all)"
            return found
        world = BundleSource(Bundle(Manifest(source.now(), request.namespace), tuple(so_far)))
        wanted = SnapshotRequest(request.namespace, request.name, workloads=True, children=True)
        targets = metrics_targets(fetch_snapshot(world, wanted), request.name, MetricsArgs())
        readable = tuple(t for t in targets if scraped(t))
        if not readable:
            found.failed = "no engine pod with a metrics endpoint is running"
            return found
        collector = open_collector(source)
        try:
            collected = collector.collect(
                MetricsRequest(
                    request.namespace,
                    readable,
                    window=request.metrics_window,
                    scrapes=2,
                    cancel=request.cancel,  # the caller gone: the window ends at once
                )
            )
        finally:
            collector.close()
        for pod, answer in sorted(collected.answers.items()):
            if not isinstance(answer, PodSamples) or not answer.samples:
                reasons = "; ".join(getattr(answer, "errors", ()) or ("no answer",))
                found.notes.append(f"{pod}: {reasons}")
                continue
            first = answer.samples[0][0]
            found.metrics[(request.namespace, pod)] = [
                (round(at - first, 3), text) for at, text in answer.samples
            ]
        if not found.metrics:
            found.failed = (
                f"no pod answered: {found.notes[0]}" if found.notes else "no pod answered"
            )
        return found
