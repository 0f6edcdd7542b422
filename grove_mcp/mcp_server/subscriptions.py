"""Resource subscriptions: ``resources/subscribe`` on ``grove://{namespace}/{name}/{report}``
and ``notifications/resources/updated`` when that report changes.

One watch per subscribed PodCliqueSet and connection (the core's ``watch_views`` of every
watchable report, in a thread started once, so a second report never restarts it,
retrying through a lost API server as ``--watch`` does; a re-list that finds nothing new yields
nothing), serving every subscribed report of it; a report subscribed later starts from the
last frame. A notification is sent only when the report's
JSON (as a ``resources/read`` answers it, judged at the watch's first time so that moving
countdowns are not changes) differs from the last one: nothing twice. The watch stops on the
last ``unsubscribe`` of its PodCliqueSet and when the connection ends.

Handshake-era connections (``initialize``) use these methods; on the 2026-07-28 wire the SDK's
``subscriptions/listen`` carries events instead, and it does not dispatch them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio.from_thread
import anyio.lowlevel
import anyio.to_thread
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, EmptyResult, SubscribeRequestParams, UnsubscribeRequestParams

from .. import core
from ..errors import ClusterUnreachable, GroveError
from . import inputs
from .lifespan import GroveState
from .resources import report_json

log = logging.getLogger("grove_mcp.mcp_server")
STATE_KEY = "grove-mcp/subscriptions"
Notify = Callable[[str], None]  # called from the watch thread with the URI that changed


def watchable() -> dict[str, str]:
    """The URI's last part → capability, for the resources a subscription can follow."""
    return {c.name: c.name for c in core.CAPABILITIES if c.watch and c.args is None}


@dataclass(frozen=True)
class Target:
    """What one URI names: a report of one PodCliqueSet."""

    namespace: str
    name: str
    report: str

    @classmethod
    def parse(cls, uri: str) -> Target:
        """``grove://{namespace}/{name}/{report}``; anything else is refused, saying why."""
        parts = uri.removeprefix("grove://").split("/") if uri.startswith("grove://") else []
        reports = watchable()
        if len(parts) != 3 or parts[2] not in reports:
            raise MCPError(
                INVALID_PARAMS,
                f"Cannot subscribe to {uri!r}: subscriptions follow "
                f"grove://{{namespace}}/{{name}}/{{{'|'.join(sorted(reports))}}}.",
            )
        try:
            inputs.target(parts[0], parts[1])
        except GroveError as err:
            raise MCPError(INVALID_PARAMS, err.message) from None
        return cls(parts[0], parts[1], reports[parts[2]])


@dataclass
class Watch:
    """The watch of one PodCliqueSet: its thread, and the subscribed URIs with their last JSON
    (both guarded by ``lock``: the event loop subscribes while the thread compares)."""

    state: GroveState
    namespace: str
    name: str
    notify: Notify
    uris: dict[str, str] = field(default_factory=dict)  # URI → capability
    last: dict[str, str] = field(default_factory=dict)  # URI → JSON last seen
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    first: threading.Event = field(default_factory=threading.Event)  # first frame, or failed
    error: GroveError | None = None  # why the first LIST failed
    frame: dict[str, Any] | None = None  # the reports last seen, by capability
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, uri: str, cap: str) -> None:
        """Follow ``uri`` too: compared from the last frame on (or from the first)."""
        with self.lock:
            self.uris[uri] = cap
            if self.frame is not None:
                self.last[uri] = report_json(self.frame[cap], self.state.config.budget_bytes)

    def start(self) -> None:
        """Start the thread, watching every report a subscription can follow."""
        self.thread = threading.Thread(
            target=self._run,
            args=(self.stop, self.first, sorted(watchable().values())),
            name=f"grove-subscription-{self.namespace}-{self.name}",
            daemon=True,
        )
        self.thread.start()

    def halt(self) -> None:
        self.stop.set()  # the thread ends within a fraction of a second, its watches closed

    def _run(self, stop: threading.Event, first: threading.Event, caps: list[str]) -> None:
        source = self.state.require_source()
        where = f"{self.namespace}/{self.name}"

        def heard(err: GroveError | None, pause: float) -> None:
            if err is None:
                log.info("subscription to %s: %s", where, core.BACK_TEXT)
            else:
                log.warning("subscription to %s: %s", where, core.lost_text(source, err))

        views = core.watch_views(
            caps,
            source,
            self.namespace,
            self.name,
            stop,
            retry=core.RETRY_SECONDS,
            heard=heard,
            as_of=source.now(),
        )
        try:
            for frame in views:
                for uri in self._changed(frame):
                    if not stop.is_set():
                        self.notify(uri)  # outside the lock: it waits for the event loop
                first.set()
        except GroveError as err:  # the first LIST failed: nothing to follow
            self.error = err
            log.warning("subscription to %s/%s ended: %s", self.namespace, self.name, err.message)
        except RuntimeError:  # the event loop is gone: the connection ended
            stop.set()
        finally:
            first.set()
            views.close()

    def _changed(self, frame: dict[str, Any]) -> list[str]:
        """The subscribed URIs whose JSON differs from the last seen (none at the first)."""
        changed = []
        with self.lock:
            self.frame = frame
            for uri, cap in self.uris.items():
                text = report_json(frame[cap], self.state.config.budget_bytes)
                if self.last.get(uri, text) != text:
                    changed.append(uri)
                self.last[uri] = text
        return changed


class Subscriptions:
    """The watches of one connection, by PodCliqueSet."""

    def __init__(self, state: GroveState, notify: Notify) -> None:
        self.state = state
        self.notify = notify
        self.watches: dict[tuple[str, str], Watch] = {}

    def subscribe(self, target: Target, uri: str) -> Watch:
        """Follow ``uri``; the watch returned has its first frame once ``first`` is set."""
        key = (target.namespace, target.name)
        watch = self.watches.get(key)
        if watch is None:
            watch = self.watches[key] = Watch(self.state, *key, self.notify)
        watch.add(uri, target.report)
        if watch.thread is None:
            watch.start()
        return watch

    def unsubscribe(self, target: Target, uri: str) -> None:
        key = (target.namespace, target.name)
        watch = self.watches.get(key)
        if watch is None:
            return
        with watch.lock:
            if watch.uris.pop(uri, None) is None:
                return
            watch.last.pop(uri, None)
        if not watch.uris:
            watch.halt()
            del self.watches[key]

    def close(self) -> None:
        for watch in self.watches.values():
            watch.halt()
        self.watches.clear()


def _subscriptions(ctx: ServerRequestContext[Any, Any]) -> Subscriptions:
    """This connection's subscriptions, made on first use and closed when it ends."""
    connection = ctx.session._connection  # the SDK exposes no public accessor here
    found = connection.state.get(STATE_KEY)
    if found is None:
        state: GroveState = ctx.lifespan_context
        if getattr(state.require_source(), "kube", None) is None:  # no source: what to fix
            raise GroveError(
                f"{state.require_source().description} does not change: subscriptions follow "
                "a live cluster (start grove-mcp without --demo/--bundle)."
            )
        token = anyio.lowlevel.current_token()

        def notify(uri: str) -> None:
            anyio.from_thread.run(connection.send_resource_updated, uri, token=token)

        found = connection.state[STATE_KEY] = Subscriptions(state, notify)
        connection.exit_stack.callback(found.close)
    assert isinstance(found, Subscriptions)
    return found


async def on_subscribe(
    ctx: ServerRequestContext[Any, Any], params: SubscribeRequestParams
) -> EmptyResult:
    """Follow the URI; answers once the watch has its first frame (changes from then on are
    notified), or with the error that stopped it (not found: what exists)."""
    target, uri = Target.parse(str(params.uri)), str(params.uri)
    try:
        subscriptions = _subscriptions(ctx)
        watch = subscriptions.subscribe(target, uri)
        timeout = subscriptions.state.config.tool_timeout
        if not await anyio.to_thread.run_sync(watch.first.wait, timeout, abandon_on_cancel=True):
            subscriptions.unsubscribe(target, uri)
            raise ClusterUnreachable(
                f"No answer from {subscriptions.state.require_source().description} within "
                f"{timeout:g} s; nothing is subscribed."
            )
        if watch.error is not None:
            subscriptions.unsubscribe(target, uri)
            raise watch.error
    except GroveError as err:
        raise MCPError(INVALID_PARAMS, err.message) from None
    return EmptyResult()


async def on_unsubscribe(
    ctx: ServerRequestContext[Any, Any], params: UnsubscribeRequestParams
) -> EmptyResult:
    target = Target.parse(str(params.uri))
    found = ctx.session._connection.state.get(STATE_KEY)
    if isinstance(found, Subscriptions):
        found.unsubscribe(target, str(params.uri))
    return EmptyResult()


def register_subscriptions(server: MCPServer[Any]) -> None:
    """Serve ``resources/subscribe`` and ``unsubscribe``; the SDK then declares the
    ``subscribe`` capability (handshake era)."""
    lowlevel = server._lowlevel_server  # the SDK's MCPServer has no public hook for these
    lowlevel.add_request_handler("resources/subscribe", SubscribeRequestParams, on_subscribe)
    lowlevel.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, on_unsubscribe)
