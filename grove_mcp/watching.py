"""``--watch``: one LIST, then the Kubernetes watch API; a new snapshot after every change.

The raw objects of every query are kept and updated from watch events, and the snapshot is
re-assembled from them (no re-fetch). A ``RESYNC`` (watch expired, connection lost) re-lists.
Quiet periods still yield a fresh snapshot every ``tick`` seconds so countdowns move.
With ``retry`` (pauses in seconds), a lost or restarting API server after the first snapshot is
retried instead of raised; a re-list that finds every object at the version already shown yields
nothing, so a resumed watch shows no frame twice. ``heard`` is told of each failed attempt and of
the re-list that works again (``lost_text`` / ``BACK_TEXT`` say it the same in every front end).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from threading import Event

from .errors import ApiUnavailable, ClusterUnreachable, GroveError
from .snapshot import Snapshot, SnapshotRequest, assemble, fetch
from .sources.base import ListQuery, ListResult, RawObject, Source, WatchEvent

Store = dict[ListQuery, dict[tuple[str, str], RawObject]]
# told (error, pause before the next attempt) after each failed attempt; (None, 0.0) once a
# re-list works again
Heard = Callable[[GroveError | None, float], None]
BACK_TEXT = "connected again"


def lost_text(source: Source, err: GroveError) -> str:
    """What a front end says, once, when its watch lost the cluster."""
    return f"connection to {source.description} lost ({err.message.rstrip('.')}); retrying"


def _key(obj: RawObject) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return (str(meta.get("namespace", "")), str(meta.get("name", "")))


def watch_snapshots(
    source: Source,
    request: SnapshotRequest,
    tick: float = 30.0,
    stop: Event | None = None,
    retry: Sequence[float] = (),
    heard: Heard | None = None,
) -> Iterator[Snapshot]:
    """The current snapshot, then one after every batch of changes (and every ``tick`` s),
    until ``stop`` is set. With ``retry``, an unreachable API server after the first snapshot
    is waited out (pauses growing along ``retry``, each failure told to ``heard``) rather than
    raised."""
    shown: Store | None = None  # the objects of the last snapshot yielded
    failures = 0
    lost = False  # an attempt failed since the last LIST that worked
    pause = Event() if stop is None else stop
    while not pause.is_set():
        try:
            results, snapshot = fetch(source, request)
            if lost and heard is not None:
                heard(None, 0.0)
            lost = False
            store: Store = {r.query: {_key(o): o for o in r.items} for r in results}
            if shown is None or _versions(store) != _versions(shown):
                shown = store
                yield snapshot
            with closing(source.watch(results, tick=tick, stop=stop)) as batches:
                for batch in batches:
                    failures = 0
                    if _apply(store, batch):
                        break  # RESYNC: list again (closing the watch closes its connections)
                    shown = store
                    yield _assemble(source, request, results, store)
        except (ClusterUnreachable, ApiUnavailable) as err:  # lost, or 429/5xx while restarting
            if shown is None or not retry:
                raise
            wait, lost = retry[min(failures, len(retry) - 1)], True
            if heard is not None:
                heard(err, wait)
            pause.wait(wait)
            failures += 1


def _versions(store: Store) -> frozenset[tuple[object, ...]]:
    """Which object is at which resourceVersion (a leaned object without one: its content);
    equal sets mean nothing changed. Computed only at a re-list."""
    return frozenset(
        (query, key, (obj.get("metadata") or {}).get("resourceVersion") or json.dumps(obj))
        for query, objects in store.items()
        for key, obj in objects.items()
    )


def _apply(store: Store, batch: list[WatchEvent]) -> bool:
    """Apply a batch of changes to the kept objects; True (and nothing applied: the store stays
    what was last shown) when a re-list is needed."""
    if any(event.type == "RESYNC" for event in batch):
        return True
    for event in batch:
        objects = store.setdefault(event.query, {})
        if event.type == "DELETED":
            objects.pop(_key(event.obj), None)
        else:
            lean = event.query.lean
            obj = event.obj
            if lean is not None:  # as a LIST keeps it: leaned, then typed (sources/live.py)
                obj = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), **lean(obj)}
            objects[_key(event.obj)] = obj
    return False


def _assemble(
    source: Source,
    request: SnapshotRequest,
    results: list[ListResult],
    store: Store,
) -> Snapshot:
    current = [
        ListResult(
            r.query, tuple(store.get(r.query, {}).values()), r.resource_version, r.available, r.note
        )
        for r in results
    ]
    return assemble(request, current, source.now(), source.description)
