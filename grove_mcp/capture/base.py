"""What a capture asks for, and what each collector brings back. Pure data."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ..sources.base import RawObject
from ..sources.live import LiveSource

if TYPE_CHECKING:
    from ..sources.bundle import Bundle


def object_key(obj: RawObject) -> tuple[str, str, str, str]:
    """What makes an object itself: apiVersion, kind, namespace, name."""
    meta = obj.get("metadata") or {}
    return (
        str(obj.get("apiVersion", "")),
        str(obj.get("kind", "")),
        str(meta.get("namespace", "")),
        str(meta.get("name", "")),
    )


@dataclass(frozen=True)
class CaptureRequest:
    """``name`` None: every PodCliqueSet of ``namespace``."""

    namespace: str
    name: str | None = None
    since_seconds: float = 600.0  # events newer than this
    log_lines: int = 200  # per container
    operator_log_lines: int = 2000
    metrics_window: float | None = None  # seconds between two scrapes; None: no samples
    # set when the caller stops waiting: the window ends at once, no further collector runs
    cancel: threading.Event | None = field(default=None, compare=False)

    @property
    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()


@dataclass(frozen=True)
class DiagArgs:
    """``diag``'s own input (CLI flags, MCP arguments). ``write`` is the front end's: it writes
    the redacted bundle where the user asked and says where (the core writes no file).
    ``cancel``, once set (Ctrl-C, an MCP client gone), stops the capture at its next step (the
    metrics window at once) and ``write`` is not called: no bundle, not even a partial one."""

    write: Callable[[Bundle], str]
    since_seconds: float = 600.0
    log_lines: int = 200
    metrics_window: float | None = None  # --metrics: scrape twice this many seconds apart
    on_progress: Callable[[int, int, str], None] | None = None
    cancel: threading.Event | None = None


@dataclass
class Found:
    """What one collector read: objects (raw, not yet redacted), files (bundle path → text),
    and notes on what it could not read."""

    objects: list[RawObject] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    # recorded expositions by (namespace, pod): (seconds after the first scrape, text)
    metrics: dict[tuple[str, str], list[tuple[float, str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    failed: str | None = None  # why nothing could be read at all
    unserved: list[str] = field(default_factory=list)  # kinds the cluster does not serve


class Collector(Protocol):
    name: str
    help: str

    def collect(
        self, source: LiveSource, request: CaptureRequest, so_far: list[RawObject]
    ) -> Found:
        """Read; ``so_far`` holds the objects earlier collectors found (pods, the operator …)."""
        ...
