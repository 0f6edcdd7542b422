"""The live cluster source: LISTs by selector, concurrently, and watches for ``--watch``."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial

from ..errors import AccessDenied, ApiError, ClusterUnreachable, GroveError, GroveNotInstalled
from .base import ListQuery, ListResult, WatchEvent
from .kube import LIBRARY_AGENT, KubeClient, LineStream, ResourceExpired
from .list_decode import decode_list

WATCH_SECONDS = 290
BATCH_SECONDS = 0.25
STOP_SECONDS = 0.2  # how soon a watch notices its stop event


class LiveSource:
    """Reads a live cluster through ``KubeClient``; independent LISTs run concurrently."""

    def __init__(
        self,
        kube: KubeClient,
        max_concurrency: int = 8,
        as_of: datetime | None = None,
        operator_namespace: str | None = None,
    ) -> None:
        self.kube = kube
        self.operator_namespace = operator_namespace  # where Grove's operator runs, if known
        # judge as of this time, then as the clock moves on (a replayed, seeded scenario)
        self._offset = (as_of - datetime.now(UTC)) if as_of is not None else None
        self._pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="grove")

    @classmethod
    def connect(
        cls,
        kubeconfig: str | None = None,
        context: str | None = None,
        timeout: float | None = None,
        as_of: datetime | None = None,
        namespace: str | None = None,
        operator_namespace: str | None = None,
        agent: str = LIBRARY_AGENT,
    ) -> LiveSource:
        """``namespace``: the default namespace instead of the kubeconfig context's;
        ``operator_namespace``: where Grove's operator runs (else it is looked for everywhere);
        ``agent``: the front end, named in the requests' User-Agent."""
        kwargs = {"timeout": timeout} if timeout else {}
        kube = KubeClient.connect(kubeconfig, context, namespace=namespace, agent=agent, **kwargs)
        return cls(kube, as_of=as_of, operator_namespace=operator_namespace)

    def acting_as(self, user: str, groups: tuple[str, ...] = ()) -> LiveSource:
        """The same cluster, read as another identity (impersonation: its RBAC decides)."""
        other = LiveSource(
            self.kube.impersonating(user, groups), operator_namespace=self.operator_namespace
        )
        other._offset = self._offset
        return other

    @property
    def description(self) -> str:
        return f"cluster {self.kube.label} ({self.kube.host})"

    @property
    def default_namespace(self) -> str:
        return self.kube.default_namespace

    def now(self) -> datetime:
        now = datetime.now(UTC)
        return (now + self._offset if self._offset is not None else now).replace(microsecond=0)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.kube.close()

    def list_many(self, queries: Sequence[ListQuery]) -> list[ListResult]:
        futures = [self._pool.submit(self._list, q) for q in queries]
        results: list[ListResult] = []
        first_error: GroveError | None = None
        for future in futures:
            try:
                results.append(future.result())
            except GroveError as err:
                first_error = first_error or err
        if first_error is not None:
            raise first_error
        return results

    def _list(self, query: ListQuery) -> ListResult:
        try:
            body = self.kube.request(
                "GET",
                query.kind,
                query.namespace,
                params=_selector_params(query),
                decode=partial(decode_list, lean=query.lean),
            )
        except (AccessDenied, GroveNotInstalled, ApiError, ClusterUnreachable) as err:
            if not query.optional:
                raise
            if isinstance(err, GroveNotInstalled):
                note = f"{query.describe()}: not served"
            elif isinstance(err, ClusterUnreachable):
                note = f"{query.describe()} could not be read: {err}"
            else:
                note = str(err)
            served = False if isinstance(err, GroveNotInstalled) else None
            return ListResult(query, available=False, note=note, served=served)
        kind_fields = {"apiVersion": query.kind.api_version, "kind": query.kind.kind}
        return ListResult(
            query,
            tuple({**kind_fields, **item} for item in body.get("items") or ()),
            resource_version=(body.get("metadata") or {}).get("resourceVersion"),
            served=True,
        )

    def watch(
        self, results: Sequence[ListResult], tick: float = 30.0, stop: threading.Event | None = None
    ) -> Generator[list[WatchEvent], None, None]:
        """Batches of changes after each result's resourceVersion, one watch per query.

        A batch holds what arrived within ``BATCH_SECONDS`` of its first event; an empty batch
        comes after ``tick`` quiet seconds (for countdowns). ``RESYNC`` asks for a re-list.
        Setting ``stop`` ends the generator within ``STOP_SECONDS`` (its connections closed).
        """
        events: queue.Queue[WatchEvent | GroveError] = queue.Queue()
        watches = _Watches()
        for result in results:
            if result.available:
                threading.Thread(
                    target=self._watch_one,
                    args=(result, events, watches),
                    name=f"grove-watch-{result.query.kind.plural}",
                    daemon=True,
                ).start()
        try:
            while True:
                first = _next_event(events, tick, stop)
                if first is None:
                    if stop is not None and stop.is_set():
                        return
                    yield []
                    continue
                batch = [first]
                deadline = time.monotonic() + BATCH_SECONDS
                while (left := deadline - time.monotonic()) > 0:
                    try:
                        batch.append(events.get(timeout=left))
                    except queue.Empty:
                        break
                for item in batch:
                    if isinstance(item, GroveError):
                        raise item
                yield [item for item in batch if isinstance(item, WatchEvent)]
        finally:
            watches.stop()  # closing the generator closes every open watch connection

    def _watch_one(
        self, result: ListResult, out: queue.Queue[WatchEvent | GroveError], watches: _Watches
    ) -> None:
        query, version = result.query, result.resource_version or ""
        kind_fields = {"apiVersion": query.kind.api_version, "kind": query.kind.kind}
        stop = watches.stopped
        pause = 0.0
        while not stop.is_set():
            if pause:  # the last stream ended at once: back off instead of spinning
                stop.wait(pause)
            params = [
                ("watch", "true"),
                ("allowWatchBookmarks", "true"),
                ("timeoutSeconds", str(WATCH_SECONDS)),
                ("resourceVersion", version),
                *_selector_params(query),
            ]
            opened = time.monotonic()
            try:
                stream = watches.track(
                    self.kube.stream(query.kind, query.namespace, params, WATCH_SECONDS + 30)
                )
                for line in stream:
                    if stop.is_set():
                        return
                    event = json.loads(line)
                    obj = event.get("object") or {}
                    if event.get("type") == "ERROR":
                        out.put(WatchEvent(query, "RESYNC", obj))
                        return
                    version = (obj.get("metadata") or {}).get("resourceVersion") or version
                    if event.get("type") != "BOOKMARK":
                        out.put(WatchEvent(query, str(event.get("type")), {**kind_fields, **obj}))
                watches.untrack(stream)
            except ResourceExpired:
                if not stop.is_set():
                    out.put(WatchEvent(query, "RESYNC"))
                return
            except GroveError as err:
                if not stop.is_set():
                    out.put(err)
                return
            except (json.JSONDecodeError, OSError):
                if not stop.is_set():
                    out.put(WatchEvent(query, "RESYNC"))
                return
            quick = time.monotonic() - opened < 1.0
            pause = min(5.0, max(0.2, pause * 2)) if quick else 0.0


def _next_event(
    events: queue.Queue[WatchEvent | GroveError], tick: float, stop: threading.Event | None
) -> WatchEvent | GroveError | None:
    """The next event within ``tick`` seconds; None after a quiet ``tick`` or once stopped."""
    deadline = time.monotonic() + tick
    while stop is None or not stop.is_set():
        left = max(0.0, deadline - time.monotonic())
        try:
            return events.get(timeout=min(left, STOP_SECONDS) if stop is not None else left)
        except queue.Empty:
            if time.monotonic() >= deadline:
                return None
    return None


class _Watches:
    """The open watch streams of one ``watch()`` call, so that stopping closes them all."""

    def __init__(self) -> None:
        self.stopped = threading.Event()
        self._lock = threading.Lock()
        self._open: set[LineStream] = set()

    def track(self, stream: LineStream) -> LineStream:
        with self._lock:
            if not self.stopped.is_set():
                self._open.add(stream)
                return stream
        stream.close()  # stopped while this one was connecting
        return stream

    def untrack(self, stream: LineStream) -> None:
        with self._lock:
            self._open.discard(stream)

    def stop(self) -> None:
        with self._lock:
            self.stopped.set()
            streams, self._open = self._open, set()
        for stream in streams:
            stream.close()


def _selector_params(query: ListQuery) -> list[tuple[str, str]]:
    params = []
    if query.label_selector:
        params.append(("labelSelector", query.label_selector))
    if query.field_selector:
        params.append(("fieldSelector", query.field_selector))
    return params
