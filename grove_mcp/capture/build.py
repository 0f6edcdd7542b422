"""A capture: run every collector, redact what they read before anything is kept, then build
the reports from the captured objects, so they are what ``--bundle`` will show.

Nothing here writes: the front end writes the bundle where the user asked (``diag -o``).
A collector that fails is recorded (with its reason) and the others still run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .. import __version__
from ..errors import Cancelled, GroveError
from ..redact import Redactions, redact_text
from ..sources.base import RawObject
from ..sources.bundle import Bundle, Manifest
from ..sources.live import LiveSource
from .base import CaptureRequest, Found, object_key
from .redaction import redact_log, redact_object
from .registry import COLLECTORS

REPORTS = ("status", "topology", "health")
ONE_WORKLOAD = ("diagnose",)  # for a named PodCliqueSet (without a metrics window)
Progress = Callable[[int, int, str], None]  # (done, total, what)
# (captured bundle, report name) → the report's JSON as --bundle gives it (the core's exit)
ReportJson = Callable[[Bundle, str], str]


@dataclass(frozen=True)
class CollectorStatus:
    name: str
    state: str  # ok | partial | failed
    objects: int
    files: int
    reason: str | None = None
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "objects": self.objects,
            "files": self.files,
            "reason": self.reason,
            "notes": list(self.notes),
        }


@dataclass
class Capture:
    bundle: Bundle
    collectors: list[CollectorStatus] = field(default_factory=list)
    redactions: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return all(c.state == "ok" for c in self.collectors)

    def missing(self) -> list[str]:
        return [
            f"{c.name}: {c.reason or '; '.join(c.notes)}"
            for c in self.collectors
            if c.state != "ok"
        ]


def capture(
    source: LiveSource,
    request: CaptureRequest,
    report_json: ReportJson,
    on_progress: Progress | None = None,
) -> Capture:
    """Read the cluster for ``request``; every object and log redacted before it is kept.
    Raises ``Cancelled`` once ``request.cancel`` is set (checked before each collector and
    after the last: a collector's own errors are recorded, a cancel is not)."""
    counts = Redactions()
    objects: list[RawObject] = []
    files: dict[str, str] = {}
    metrics: dict[tuple[str, str], tuple[tuple[float, str], ...]] = {}
    statuses: list[CollectorStatus] = []
    reports = REPORTS + (ONE_WORKLOAD if request.name else ())
    collectors = [c for c in COLLECTORS if getattr(c, "wanted", lambda _: True)(request)]
    steps = len(collectors) + len(reports)
    for index, collector in enumerate(collectors):
        _stop_if_cancelled(request)
        if on_progress:
            on_progress(index, steps, f"collecting {collector.name}")
        try:
            found = collector.collect(source, request, objects)
        except GroveError as err:
            found = Found(failed=str(err))
        objects += [redact_object(obj, counts) for obj in found.objects]
        files |= {path: redact_log(text, counts) for path, text in found.files.items()}
        metrics |= {
            pod: tuple((at, redact_log(text, counts)) for at, text in samples)
            for pod, samples in found.metrics.items()
        }
        statuses.append(_status(collector.name, found))
    _stop_if_cancelled(request)  # a window cut short is not a sample worth keeping
    manifest = Manifest(
        captured_at=source.now(),
        namespace=request.namespace,
        tool_version=__version__,
        description=redact_text(
            f"kubectl grove diag of {request.name or 'every PodCliqueSet'} in {request.namespace} from {source.description}"
        ),
        notes=tuple(redact_text(n) for s in statuses for n in ([s.reason] if s.reason else [])),
    )
    bundle = Bundle(
        manifest, tuple(_unique(objects)), origin="capture", metrics=metrics, files=files
    )
    for offset, name in enumerate(reports):
        if on_progress:
            on_progress(len(collectors) + offset, steps, f"building the {name} report")
        files.update(_report(bundle, name, report_json))
    result = Capture(bundle, statuses, counts.as_dict())
    info = {
        "collectors": [s.to_json() for s in statuses],
        "redactions": result.redactions,
        "cluster": {
            "context": redact_text(source.kube.label),
            "version": source.kube.server_version(),
        },
        "request": {
            "name": request.name,
            "sinceSeconds": request.since_seconds,
            "logLines": request.log_lines,
            "metricsWindowSeconds": request.metrics_window,
        },
    }
    result.bundle = Bundle(
        replace(manifest, capture=info),
        bundle.objects,
        origin="capture",
        metrics=metrics,
        files=files,
    )
    if on_progress:
        on_progress(steps, steps, "done")
    return result


def _stop_if_cancelled(request: CaptureRequest) -> None:
    if request.cancelled:
        raise Cancelled("The capture was cancelled; no bundle was written.")


def _status(name: str, found: Found) -> CollectorStatus:
    state = "failed" if found.failed else ("partial" if found.notes else "ok")
    return CollectorStatus(
        name,
        state,
        len(found.objects),
        len(found.files) + sum(len(s) for s in found.metrics.values()),
        redact_text(found.failed) if found.failed else None,
        tuple(redact_text(n) for n in found.notes),
    )


def _unique(objects: list[RawObject]) -> list[RawObject]:
    seen: dict[tuple[str, str, str, str], RawObject] = {}
    for obj in objects:
        seen.setdefault(object_key(obj), obj)
    return list(seen.values())


def _report(bundle: Bundle, name: str, report_json: ReportJson) -> dict[str, str]:
    """The report as ``--bundle`` will give it, or why it could not be built."""
    slug = name.replace(" ", "-")
    try:
        return {f"reports/{slug}.json": report_json(bundle, name)}
    except GroveError as err:
        return {f"reports/{slug}.error.txt": str(err) + "\n"}
