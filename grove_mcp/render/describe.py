"""A described object → kubectl-describe-like plain text. Pure; never raises on odd objects
(a missing or wrongly typed field is shown as ``<none>`` or left out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import ValidationError

from ..grove.k8s_other import Event
from ..timefmt import format_age

GPU = "nvidia.com/gpu"
GROVE_GROUPS = ("grove.io", "scheduler.grove.io")
ANNOTATION_WIDTH = 80
SPEC_FIELDS = ("replicas", "minAvailable", "roleName", "priorityClassName")
TEMPLATE_FIELDS = ("terminationDelay",)  # a PodCliqueSet's spec.template
CONDITION_KEYS = ("type", "status", "reason", "lastTransitionTime")
HOST_LABEL = "kubernetes.io/hostname"
HEAD = 18  # the column of top-level values


class Describable(Protocol):
    """What ``core.objects.describe_object`` returns (render may not import core)."""

    @property
    def obj(self) -> Mapping[str, Any]: ...
    @property
    def events(self) -> Sequence[Mapping[str, Any]]: ...
    @property
    def notes(self) -> Sequence[str]: ...
    @property
    def now(self) -> datetime | None: ...


def describe_text(described: Describable) -> str:
    """Name, metadata, the kind's own sections, conditions, then Events and notes."""
    obj = _map(described.obj)
    meta = _map(obj.get("metadata"))
    kind = _str(obj.get("kind"))
    lines = _fields(
        [
            ("Name", _str(meta.get("name"))),
            ("Namespace", _str(meta.get("namespace"))),
            ("Kind", f"{kind} ({_str(obj.get('apiVersion'))})"),
        ]
    )
    lines += _pairs("Labels", _map(meta.get("labels")), None)
    lines += _pairs("Annotations", _map(meta.get("annotations")), ANNOTATION_WIDTH)
    lines += _fields(
        [
            ("Owner", _owners(meta.get("ownerReferences"))),
            ("Created", _when(meta.get("creationTimestamp"), described.now)),
        ]
    )
    spec, status = _map(obj.get("spec")), _map(obj.get("status"))
    if kind == "Pod":
        lines += _pod(spec, status)
    elif kind == "Node":
        lines += _node(meta, status)
    elif _str(obj.get("apiVersion")).split("/")[0] in GROVE_GROUPS:
        lines += _grove(spec, status)
    lines += _conditions(status.get("conditions"))
    lines += _events(described.events, described.now)
    lines += [f"Note: {_str(n)}" for n in described.notes]
    return "\n".join(lines) + "\n"


# --- kinds ------------------------------------------------------------------------------------


def _pod(spec: Mapping[str, Any], status: Mapping[str, Any]) -> list[str]:
    lines = _fields([("Node", _str(spec.get("nodeName"))), ("Phase", _str(status.get("phase")))])
    statuses = {_str(s.get("name")): s for s in map(_map, _list(status.get("containerStatuses")))}
    lines.append("Containers:")
    for container in map(_map, _list(spec.get("containers"))):
        name = _str(container.get("name"))
        state = _map(statuses.get(name))
        resources = _map(container.get("resources"))
        gpus = _map(resources.get("requests")).get(GPU) or _map(resources.get("limits")).get(GPU)
        lines.append(f"  {name}:")
        lines += _fields(
            [
                ("Image", _str(container.get("image"))),
                ("State", _state(state.get("state"))),
                ("Ready", _str(state.get("ready"))),
                ("Restarts", _str(state.get("restartCount"))),
                ("GPUs", _str(gpus)),
            ],
            indent=4,
        )
    return lines


def _node(meta: Mapping[str, Any], status: Mapping[str, Any]) -> list[str]:
    labels = _map(meta.get("labels"))
    topology = {k: v for k, v in labels.items() if "topology" in str(k) or k == HOST_LABEL}
    gpus = [
        ("GPUs allocatable", _str(_map(status.get("allocatable")).get(GPU))),
        ("GPUs capacity", _str(_map(status.get("capacity")).get(GPU))),
    ]
    return _fields(gpus) + _pairs("Topology", topology, None)


def _grove(spec: Mapping[str, Any], status: Mapping[str, Any]) -> list[str]:
    template = _map(spec.get("template"))
    wanted = [(k, spec[k]) for k in SPEC_FIELDS if k in spec]
    wanted += [(k, template[k]) for k in TEMPLATE_FIELDS if k in template]
    shown = [(k, v) for k, v in status.items() if _scalar(v)]
    lines = []
    if wanted:
        lines += ["Spec:", *_fields([(k, _str(v)) for k, v in wanted], indent=2)]
    if shown:
        lines += ["Status:", *_fields([(str(k), _str(v)) for k, v in shown], indent=2)]
    return lines


# --- sections -------------------------------------------------------------------------------


def _conditions(value: Any) -> list[str]:
    conditions = [_map(c) for c in _list(value)]
    if not conditions:
        return []
    rows = [["Type", "Status", "Reason", "Last transition"]]
    rows += [[_str(c.get(k)) for k in CONDITION_KEYS] for c in conditions]
    messages = ["", *(_one_line(c.get("message")) for c in conditions)]
    lines = ["Conditions:"]
    for row, message in zip(_table(rows), messages, strict=True):
        lines.append(f"  {row}")
        if message:
            lines.append(f"    {message}")
    return lines


def _events(events: Sequence[Mapping[str, Any]], now: datetime | None) -> list[str]:
    if not events:
        return [f"{'Events:'.ljust(HEAD)}<none>"]
    rows = [["Type", "Reason", "Age", "From", "Message"]]
    for event in map(_map, events):
        origin = _map(event.get("source")).get("component") or event.get("reportingController")
        seen, times = _seen(event)
        age = (format_age(seen, now) if now else seen.isoformat()) if seen else "<unknown>"
        age += f" (x{times})" if times > 1 else ""
        kind, reason = _str(event.get("type")), _str(event.get("reason"))
        rows.append([kind, reason, age, _str(origin), _one_line(event.get("message"))])
    return ["Events:", *(f"  {row}" for row in _table(rows))]


def _seen(event: Mapping[str, Any]) -> tuple[datetime | None, int]:
    """When the event was last seen and how often (``Event``'s reading of its time fields)."""
    try:
        parsed = Event.model_validate(event)
    except ValidationError:
        return None, 1
    seen = parsed.last_seen
    if seen and not seen.tzinfo:
        seen = seen.replace(tzinfo=UTC)
    return seen, parsed.occurrences


# --- small helpers --------------------------------------------------------------------------


def _fields(pairs: Sequence[tuple[str, str]], indent: int = 0) -> list[str]:
    """``Key:  value`` lines; top-level keys share one column, nested ones align among themselves."""
    width = HEAD if indent == 0 else max((len(k) for k, _ in pairs), default=0) + 2
    return [f"{' ' * indent}{(k + ':').ljust(width)}{v}" for k, v in pairs]


def _pairs(title: str, values: Mapping[Any, Any], limit: int | None) -> list[str]:
    head = f"{title}:".ljust(HEAD)
    if not values:
        return [f"{head}<none>"]
    items = [
        f"{k}={_truncate(_str(v), limit)}"
        for k, v in sorted(values.items(), key=lambda kv: str(kv[0]))
    ]
    return [f"{head if i == 0 else ' ' * len(head)}{item}" for i, item in enumerate(items)]


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _owners(value: Any) -> str:
    refs = [_map(r) for r in _list(value)]
    return ", ".join(f"{_str(r.get('kind'))}/{_str(r.get('name'))}" for r in refs) or "<none>"


def _state(value: Any) -> str:
    """``Running (since …)``, ``Waiting (ContainerCreating)``, ``Terminated (Error, exit code 1)``."""
    state = _map(value)
    for phase in ("running", "waiting", "terminated"):
        if phase in state:
            detail = _map(state[phase])
            parts = [_str(detail.get("reason"), "")]
            if detail.get("startedAt") and phase == "running":
                parts.append(f"since {_str(detail.get('startedAt'))}")
            if detail.get("exitCode") is not None:
                parts.append(f"exit code {_str(detail.get('exitCode'))}")
            extra = ", ".join(p for p in parts if p)
            return phase.capitalize() + (f" ({extra})" if extra else "")
    return "<none>"


def _when(value: Any, now: datetime | None) -> str:
    """``2026-11-20T12:15:00Z (2h 15m ago)``; the text alone when it is no time or ``now`` is
    unknown."""
    if not isinstance(value, str) or not value:
        return "<unknown>"
    moment = _time(value)
    return f"{value} ({format_age(moment, now)} ago)" if moment and now else value


def _time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _truncate(text: str, limit: int | None) -> str:
    text = _one_line(text)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _one_line(value: Any) -> str:
    return " ".join(_str(value, "").split())


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and value != ""


def _str(value: Any, missing: str = "<none>") -> str:
    if value is None or value == "":
        return missing
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
