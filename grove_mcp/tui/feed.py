"""Where the TUI's data comes from, off the event loop: frames of reports from the watch API
(or once, from a bundle), and metrics windows. Plain threads' bodies, no Textual: the app runs
them in thread workers and receives their results through callbacks.

A lost API server is waited out inside the core's watch, whose re-list shows nothing when
nothing changed meanwhile (a restarted watch would repeat the last frame); any other lost watch
(RBAC changed, a re-list refused) is started again with backoff. The callbacks say so, so the
header and status line can. Nothing here raises to its caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from threading import Event

from pydantic import BaseModel

from .. import core
from ..errors import GroveError, NotFound
from ..reports.health import HealthList
from ..reports.metrics import MetricsReport
from ..reports.status import StatusList
from ..reports.topology import TopologyList
from ..sources import Source

VIEWS = ("status", "topology", "health")
BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)


def is_live(source: Source) -> bool:
    """A cluster (watchable), not a capture."""
    return getattr(source, "kube", None) is not None


@dataclass(frozen=True)
class Frame:
    """What the screens show at one moment: the reports of one snapshot."""

    status: StatusList
    topology: TopologyList
    health: HealthList
    received: float = field(default_factory=time.monotonic)  # when it reached the app

    @property
    def as_of(self) -> datetime:
        return self.status.as_of

    def now(self, live: bool) -> datetime:
        """The snapshot's time moved on by the time since it arrived (live), else as captured."""
        if not live:
            return self.as_of
        return self.as_of + timedelta(seconds=time.monotonic() - self.received)


class Link(StrEnum):
    """The state of the connection to the data."""

    connecting = "connecting"
    live = "live"  # watching
    static = "static"  # a bundle or the demo: read once
    lost = "lost"  # retrying after an error


@dataclass(frozen=True)
class LinkState:
    link: Link
    message: str = ""
    retry_in: float | None = None


def frame_of(views: dict[str, BaseModel], pcs: str | None = None) -> Frame:
    """The namespace's views as a frame; with ``pcs``, narrowed to that PodCliqueSet (the
    screens read lists: the feed always asks for the namespace's)."""
    status, topology, health = (views[name] for name in VIEWS)
    assert isinstance(status, StatusList) and isinstance(topology, TopologyList)
    assert isinstance(health, HealthList)
    if pcs is None:
        return Frame(status, topology, health)
    names = sorted(s.overview.name for s in status.items)
    if pcs not in names:
        there = f"PodCliqueSets there: {', '.join(names)}." if names else "It has none."
        raise NotFound(f"PodCliqueSet '{pcs}' not found in namespace '{status.namespace}'. {there}")
    return Frame(
        status.model_copy(update={"items": [s for s in status.items if s.overview.name == pcs]}),
        topology.model_copy(update={"items": [t for t in topology.items if t.name == pcs]}),
        health.model_copy(update={"items": [h for h in health.items if h.name == pcs]}),
    )


def error_text(err: BaseException) -> str:
    """A one-line message: the error's own for ours, the type and text for a bug (which is
    not a lost connection, and says so)."""
    if isinstance(err, GroveError):
        return err.message
    return f"cannot build the views (internal error): {type(err).__name__}: {err}"


def watch_frames(
    source: Source,
    namespace: str,
    pcs: str | None,
    on_frame: Callable[[Frame], None],
    on_link: Callable[[LinkState], None],
    stop: Event,
    backoff: tuple[float, ...] = BACKOFF_SECONDS,
    tick: float = 30.0,
) -> None:
    """Frames until ``stop``: once for a capture; for a cluster, a LIST then the watch API, and
    after any failure the same again after a growing pause. The pause resets only once the
    watch itself has delivered (a LIST that works before a watch that fails keeps growing it).
    A quiet cluster still sends a frame every ``tick`` s (countdowns move). ``on_link`` hears
    of changes of state only."""
    live = is_live(source)
    failures = 0
    said = _Said(on_link)

    def heard(err: GroveError | None, pause: float) -> None:  # the core's watch retrying
        if err is None:
            said(LinkState(Link.live, core.BACK_TEXT))
        else:
            said(LinkState(Link.lost, core.lost_text(source, err), pause))

    said(LinkState(Link.connecting if live else Link.static))
    while not stop.is_set():
        try:
            if not live:
                on_frame(frame_of(core.run_views(VIEWS, source, namespace), pcs))
                said(LinkState(Link.static))
                return
            views = core.watch_views(
                VIEWS, source, namespace, None, stop, tick, backoff, heard=heard
            )
            for count, view in enumerate(views):
                on_frame(frame_of(view, pcs))
                said(LinkState(Link.live))
                if count:  # this one came through the watch
                    failures = 0
        except Exception as err:
            if not live:
                said(LinkState(Link.static, error_text(err)))
                return
            pause = backoff[min(failures, len(backoff) - 1)]
            failures += 1
            said(LinkState(Link.lost, error_text(err), pause))
            stop.wait(pause)
            if not stop.is_set():
                said(LinkState(Link.lost, error_text(err), 0.0))  # retrying now


class _Said:
    """``on_link``, called only when the state differs from the last one said."""

    def __init__(self, on_link: Callable[[LinkState], None]) -> None:
        self.on_link = on_link
        self.last: LinkState | None = None

    def __call__(self, state: LinkState) -> None:
        if state != self.last:
            self.last = state
            self.on_link(state)


@dataclass(frozen=True)
class MetricsResult:
    """One metrics window for one PodCliqueSet, or why there is none."""

    pcs: str
    report: MetricsReport | None = None
    error: str | None = None


def metrics_windows(
    source: Source,
    namespace: str,
    pcs: Callable[[], str | None],
    window: float,
    on_result: Callable[[MetricsResult], None],
    stop: Event,
) -> None:
    """A metrics window for the PodCliqueSet ``pcs()`` names, back to back (each takes
    ``window`` seconds on a cluster); once for a capture (its recorded window)."""
    live = is_live(source)
    while not stop.is_set():
        name = pcs()
        if name is None:  # no PodCliqueSet yet: look again shortly
            stop.wait(1.0)
            continue
        args = core.MetricsArgs(window=window, cancel=stop)
        try:
            report = core.run("metrics", source, namespace, name, args)
            assert isinstance(report, MetricsReport)
            result = MetricsResult(name, report)
        except Exception as err:
            result = MetricsResult(name, error=error_text(err))
        if stop.is_set():
            return
        on_result(result)
        if not live:
            return
        if result.error is not None:
            stop.wait(min(window, 10.0))
