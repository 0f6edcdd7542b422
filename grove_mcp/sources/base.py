"""What every source offers: LIST queries answered with raw objects, and the source's "now"."""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from threading import Event
from typing import Any, Protocol

from ..grove.kinds import Kind

RawObject = dict[str, Any]


@dataclass(frozen=True)
class ListQuery:
    """One LIST request. ``namespace=None`` means cluster-scoped or all namespaces.

    ``optional`` queries never fail the report: a missing API or an RBAC denial becomes a note
    (e.g. cluster-wide pods for GPU accounting), and the result is marked unavailable.
    ``lean`` keeps only what the reports read of each item, as it arrives (saves time and memory
    on big LISTs); every source and watch applies it.
    """

    kind: Kind
    namespace: str | None = None
    label_selector: str | None = None
    field_selector: str | None = None
    optional: bool = False
    lean: Callable[[RawObject], RawObject] | None = None

    def describe(self) -> str:
        scope = (
            f"namespace {self.namespace}"
            if self.namespace
            else ("all namespaces" if self.kind.namespaced else "cluster")
        )
        sel = f" ({self.label_selector})" if self.label_selector else ""
        return f"{self.kind.resource} in {scope}{sel}"


@dataclass(frozen=True)
class ListResult:
    """The answer to one query. ``available`` is False when an optional query could not run."""

    query: ListQuery
    items: tuple[RawObject, ...] = ()
    resource_version: str | None = None
    available: bool = True
    note: str | None = None
    # Whether the API serves the kind (its CRD is installed): False when the server said so
    # (404), True when it answered, None when the source cannot tell (denied; a bundle holding
    # no object of the kind).
    served: bool | None = None


@dataclass(frozen=True)
class WatchEvent:
    """One change seen by a watch: ``type`` is ADDED, MODIFIED or DELETED."""

    query: ListQuery
    type: str
    obj: RawObject = field(default_factory=dict)


class Source(Protocol):
    """A place objects come from: a live cluster, or a bundle. Capabilities cannot tell which."""

    @property
    def description(self) -> str:
        """Human-readable origin, e.g. ``cluster kind-grove`` or ``bundle demo (captured …)``."""
        ...

    @property
    def default_namespace(self) -> str:
        """The namespace to use when the caller names none."""
        ...

    def now(self) -> datetime:
        """The snapshot's time: the clock for a live cluster, the capture time for a bundle."""
        ...

    def list_many(self, queries: Sequence[ListQuery]) -> list[ListResult]:
        """Answer independent queries (concurrently where the source can), in order."""
        ...

    def watch(
        self, results: Sequence[ListResult], tick: float = 30.0, stop: Event | None = None
    ) -> Generator[list[WatchEvent], None, None]:
        """Batches of changes after the given results (an empty batch after ``tick`` seconds of
        quiet), until ``stop`` is set; sources without live data raise ``GroveError``."""
        ...
