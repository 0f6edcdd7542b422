"""The table's single exit: every front end gets its reports here, and only here.

``run`` checks the call against the capability's entry (before any API call), fetches one
snapshot for what the capability needs, builds the report, and redacts it: the one redaction
step every report and every file written from one passes (DESIGN.md rule 5). ``watch`` does the
same for every change the watch API reports; ``run_views`` / ``watch_views`` build several
reports from one snapshot (the TUI's screens).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import fields, replace
from datetime import datetime
from threading import Event
from typing import Any

from pydantic import BaseModel

from ..allocation import collect_less
from ..errors import InvalidInput
from ..redact import redact
from ..snapshot import Snapshot, SnapshotRequest, fetch_snapshot
from ..sources.base import Source
from ..watching import Heard, watch_snapshots
from .table import Capability, Inputs, Need, capability

# ``--watch`` waits out a lost API server (a restart) with these pauses, then every 15 s.
RETRY_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0)


def run(
    name: str | Capability,
    source: Source | None,
    namespace: str | None = None,
    pcs: str | None = None,
    args: Any = None,
) -> BaseModel:
    """The redacted report of capability ``name`` (e.g. ``"status"``, ``"plan diff"``) for
    PodCliqueSet ``pcs`` (None: all, where the scope allows) in ``namespace`` (None: the
    source's default). ``args`` is the capability's own input (the plan to store …)."""
    collect_less()
    cap = capability(name)
    cap.check(pcs, args)
    if args is None and cap.optional_args and cap.args is not None:
        args = cap.args()
    if cap.writes and cap.files and getattr(source, "kube", None) is None:
        where = source.description if source is not None else "no source"
        raise InvalidInput(
            f"'{cap.name}' captures a live cluster, and {where} is a capture already. Drop "
            "--demo/--bundle and point at the cluster (--context, --kubeconfig)."
        )
    if cap.writes and getattr(source, "kube", None) is None:
        where = source.description if source is not None else "no source"
        raise InvalidInput(
            f"'{cap.name}' writes to a cluster, and {where} is a read-only capture. Drop "
            "--demo/--bundle and point at the cluster (--context, --kubeconfig)."
        )
    snapshot = None
    namespace = namespace or _default_namespace(source)
    request = cap.snapshot_request(namespace, pcs, _operator_namespace(source))
    if request is not None and source is not None:
        snapshot = fetch_snapshot(source, request)
    elif request is not None and not cap.source_optional:
        raise InvalidInput(f"'{cap.name}' reads a cluster or a bundle, and none was given.")
    collected = None
    if Need.metrics in cap.needs and snapshot is not None and pcs and not args.no_metrics:
        from .metrics import collect_metrics  # the scrapers, only for a call that reads metrics

        collected = collect_metrics(source, snapshot, pcs, args)
    return redact(cap.build(Inputs(snapshot, pcs, args, source, collected, namespace)))


def _default_namespace(source: Source | None) -> str:
    return source.default_namespace if source is not None else "default"


def watch(
    name: str | Capability,
    source: Source,
    namespace: str | None,
    pcs: str | None,
    heard: Heard | None = None,
) -> Iterator[BaseModel]:
    """The redacted report now and again after every change the watch API reports (live only),
    through a lost API server (each attempt told to ``heard``)."""
    cap = capability(name)
    for views in watch_views([cap], source, namespace, pcs, retry=RETRY_SECONDS, heard=heard):
        yield views[cap.name]


def run_views(
    names: Sequence[str | Capability],
    source: Source,
    namespace: str | None = None,
    pcs: str | None = None,
) -> dict[str, BaseModel]:
    """Several redacted reports from one snapshot (a screen showing status, topology and
    health together): one fetch for what they need together."""
    collect_less()
    caps, request = _views_request(names, source, namespace, pcs)
    return _build_views(caps, fetch_snapshot(source, request), pcs, source)


def watch_views(
    names: Sequence[str | Capability],
    source: Source,
    namespace: str | None,
    pcs: str | None,
    stop: Event | None = None,
    tick: float = 30.0,
    retry: Sequence[float] = (),
    heard: Heard | None = None,
    as_of: datetime | None = None,
) -> Generator[dict[str, BaseModel], None, None]:
    """``run_views`` now and after every change the watch API reports, until ``stop`` is set;
    ``retry`` / ``heard``: wait out a lost API server (see ``watch_snapshots``). ``as_of``
    judges every snapshot at that one time, so reports differ only when the cluster did (not
    as countdowns move)."""
    collect_less()
    caps, request = _views_request(names, source, namespace, pcs)
    for snapshot in watch_snapshots(source, request, tick, stop, retry, heard):
        if as_of is not None:
            snapshot = replace(snapshot, now=as_of)
        yield _build_views(caps, snapshot, pcs, source)


def _views_request(
    names: Sequence[str | Capability], source: Source, namespace: str | None, pcs: str | None
) -> tuple[list[Capability], SnapshotRequest]:
    """The capabilities (each one a watchable report of the snapshot alone) and the one
    request that fetches what all of them need."""
    caps = [capability(n) for n in names]
    for cap in caps:
        if not cap.watch:
            raise InvalidInput(f"'{cap.name}' cannot watch.")
        cap.check(pcs, None)
    namespace = namespace or source.default_namespace
    requests = [cap.snapshot_request(namespace, pcs) for cap in caps]
    flags = {
        f.name: any(getattr(r, f.name) for r in requests if r is not None)
        for f in fields(SnapshotRequest)
        if f.type in (bool, "bool")
    }
    return caps, SnapshotRequest(
        namespace, pcs, operator_namespace=_operator_namespace(source), **flags
    )


def _operator_namespace(source: Source | None) -> str | None:
    """Where the source says Grove's operator runs (a cluster opened with the config file's
    ``defaults.operator_namespace``), else None: looked up in every namespace."""
    return getattr(source, "operator_namespace", None)


def _build_views(
    caps: list[Capability], snapshot: Snapshot, pcs: str | None, source: Source
) -> dict[str, BaseModel]:
    return {cap.name: redact(cap.build(Inputs(snapshot, pcs, None, source))) for cap in caps}
