"""The one step of a metrics call that waits and reads the network: find the workload's engine
pods, open the collector the source and arguments call for, collect the window."""

from __future__ import annotations

from ..performance.metrics import MetricsArgs, metrics_targets, parse_one, scraped
from ..snapshot import Snapshot
from ..sources.base import Source
from ..sources.metrics_collect import Collected, MetricsRequest, open_collector


def collect_metrics(
    source: Source | None, snapshot: Snapshot, name: str, args: MetricsArgs
) -> Collected:
    """The window's answers for every engine pod of ``name`` (pods without an endpoint are left
    out here; the report says why)."""
    targets = tuple(t for t in metrics_targets(snapshot, name, args) if scraped(t))
    request = MetricsRequest(
        snapshot.namespace,
        targets,
        window=args.window,
        scrapes=args.scrapes,
        since_start=args.since_start,
        on_progress=args.on_progress,
        cancel=args.cancel,
        parse=parse_one,
    )
    collector = open_collector(
        source, args.scrape_via, args.timeout, args.concurrency, args.prometheus_url
    )
    try:
        return collector.collect(request)
    finally:
        collector.close()
