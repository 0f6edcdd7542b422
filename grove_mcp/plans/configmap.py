"""The stored-plan ConfigMap: the one place that reads and writes its format. Pure.

ConfigMap ``<pcs>-aic-plan`` in the PodCliqueSet's namespace, labelled ``grove.io/aic-plan=<pcs>``
(``grove-mcp.io/aic-plan=<pcs>`` is read too), holds:

``plan.json``
    the current plan, exactly as ``generate`` writes plan.json (``planfile.dump_plan``);
``history.json``
    ``{"format": "grove-mcp-plan-history", "formatVersion": 1, "entries": [...]}``: the last 10
    stored plans, newest (current) first; each entry is ``{"storedAt", "digest", "origin",
    "toolVersion", "rendered"?, "plan"}``. ``rendered`` (image and topology constraint) is
    recorded when the plan was stored from a generated PodCliqueSet YAML.

The digest is the sha256 of the canonical JSON of ``{"plan", "rendered"}``: storing content
whose digest is the current one's writes nothing. A ConfigMap with ``plan.json`` only (written
by hand, or the demo's) is read as a one-entry history whose time is not recorded. Other keys
of the ConfigMap are kept as they are.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from .. import __version__
from ..errors import InvalidInput, PlanError, StoredPlanError
from ..grove.kinds import PLAN_LABELS, ConfigMap
from ..planfile import (
    Plan,
    dump_plan,
    plan_from_dict,
    plan_from_json,
    plan_from_manifest,
    read_plan,
)
from ..reports.plan_reports import HISTORY_LIMIT, RenderedDeployment

PLAN_LABEL = PLAN_LABELS[0]  # written by plan store (the label)
PLAN_KEY = "plan.json"
HISTORY_KEY = "history.json"
HISTORY_FORMAT = "grove-mcp-plan-history"
CONFIGMAP_LIMIT = 1024 * 1024  # the API server refuses ConfigMaps whose data exceed 1 MiB
MANAGED_BY = {"app.kubernetes.io/managed-by": "grove-mcp"}


def config_map_name(pcs: str) -> str:
    return f"{pcs}-aic-plan"


@dataclass(frozen=True)
class PlanInput:
    """A plan to store, with what it came from and what was rendered around it."""

    plan: Plan
    origin: str
    rendered: RenderedDeployment | None = None


@dataclass(frozen=True)
class StoredEntry:
    plan: Plan
    digest: str
    stored_at: datetime | None = None
    origin: str | None = None
    rendered: RenderedDeployment | None = None
    tool_version: str | None = None

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "storedAt": _time(self.stored_at) if self.stored_at else None,
            "digest": self.digest,
            "origin": self.origin,
            "toolVersion": self.tool_version,
        }
        if self.rendered is not None:
            entry["rendered"] = _rendered_json(self.rendered)
        entry["plan"] = self.plan.to_json_dict()
        return entry


@dataclass(frozen=True)
class StoredPlans:
    """What one plan ConfigMap holds: the current plan and the kept history (newest first)."""

    config_map: str
    label: str
    current: StoredEntry
    history: tuple[StoredEntry, ...]  # history[0] is current
    notes: tuple[str, ...] = field(default_factory=tuple)
    created_at: datetime | None = None  # the ConfigMap's creationTimestamp


# --- digest and input -----------------------------------------------------------------------


def digest(plan: Plan, rendered: RenderedDeployment | None) -> str:
    content = {
        "plan": plan.to_json_dict(),
        "rendered": _rendered_json(rendered) if rendered else None,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def plan_input_from_file(path: str | Path) -> PlanInput:
    """A plan.json or a generated PodCliqueSet YAML; errors name the path and the field."""
    p = Path(path)
    plan = read_plan(p)  # raises PlanError naming the path and the field
    if p.suffix == ".json":
        return PlanInput(plan, p.name)
    text = p.read_text(encoding="utf-8")  # a manifest also tells what was rendered around it
    return PlanInput(plan, p.name, rendered_from_manifest(text))


def plan_input_from_text(text: str, origin: str = "tool argument") -> PlanInput:
    """A plan given as text: plan.json content, or a generated PodCliqueSet YAML."""
    if not text.strip():
        raise PlanError(origin, None, "empty: pass the content of plan.json or of the YAML")
    if text.lstrip().startswith("{"):
        return PlanInput(plan_from_json(text, origin), origin)
    return PlanInput(plan_from_manifest(text, origin), origin, rendered_from_manifest(text))


def rendered_from_manifest(text: str) -> RenderedDeployment | None:
    """Image and topology constraint of the first PodCliqueSet in a generated YAML."""
    try:
        docs = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    except yaml.YAMLError:
        return None
    pcs = next((d for d in docs if d.get("kind") == "PodCliqueSet"), None)
    if pcs is None:
        return None
    template = _dict(_dict(pcs.get("spec")).get("template"))
    images: set[str] = set()
    for clique in template.get("cliques") or []:
        pod = _dict(_dict(_dict(clique).get("spec")).get("podSpec"))
        for container in pod.get("containers") or []:
            container = _dict(container)
            gpus = _dict(_dict(container.get("resources")).get("requests")).get("nvidia.com/gpu")
            if gpus and container.get("image"):
                images.add(str(container["image"]))
    constraint = _dict(template.get("topologyConstraint"))
    pack = _dict(constraint.get("pack"))
    return RenderedDeployment(
        image=images.pop() if len(images) == 1 else None,
        topology_name=_str(constraint.get("topologyName")),
        pack_required=_str(pack.get("required") or constraint.get("packDomain")),
        pack_preferred=_str(pack.get("preferred")),
    )


# --- reading --------------------------------------------------------------------------------


def read_stored(cm: ConfigMap, pcs: str) -> StoredPlans:
    """The plans a ConfigMap holds. A bad plan.json is an error naming ConfigMap, key and
    field; a bad history.json or history entry only drops what is bad, with a note."""
    where = f"ConfigMap {cm.metadata.namespace}/{cm.name}"
    label = next((lbl for lbl in PLAN_LABELS if cm.labels.get(lbl) == pcs), PLAN_LABELS[0])
    if PLAN_KEY not in cm.data:
        keys = ", ".join(sorted(cm.data)) or "none"
        raise StoredPlanError(
            f"{where} has no key '{PLAN_KEY}' (keys: {keys}). Store a plan with: kubectl grove "
            f"plan store {pcs} -f plan.json"
        )
    try:
        plan = plan_from_json(cm.data[PLAN_KEY], f"{where} key {PLAN_KEY}")
    except PlanError as err:
        raise StoredPlanError(
            f"{err.message} (store a valid plan over it: kubectl grove plan store {pcs} "
            "-f plan.json)"
        ) from None
    notes: list[str] = []
    history = _read_history(cm.data.get(HISTORY_KEY), f"{where} key {HISTORY_KEY}", notes)
    newest = history[0] if history else None
    if newest is not None and digest(plan, newest.rendered) == newest.digest:
        current = newest
    else:
        current = StoredEntry(plan, digest(plan, None))
        if newest is not None:
            notes.append(
                f"{where}: {PLAN_KEY} differs from the newest entry of {HISTORY_KEY}; it was "
                "changed outside 'kubectl grove plan store', so when is not recorded."
            )
        history = (current, *history)
    return StoredPlans(
        cm.name,
        label,
        current,
        history[:HISTORY_LIMIT],
        tuple(notes),
        cm.metadata.creation_timestamp,
    )


def _read_history(text: str | None, where: str, notes: list[str]) -> tuple[StoredEntry, ...]:
    if text is None:
        return ()
    try:
        data = json.loads(text)
    except ValueError as err:
        notes.append(f"{where} is not valid JSON ({err}); the history is not shown.")
        return ()
    if not isinstance(data, dict) or data.get("format") != HISTORY_FORMAT:
        notes.append(f"{where}: not a grove-mcp plan history; the history is not shown.")
        return ()
    entries = []
    for index, raw in enumerate(data.get("entries") or [], 1):
        try:
            entries.append(_entry(raw, f"{where} entry {index}"))
        except (PlanError, ValueError, TypeError) as err:
            notes.append(f"{where} entry {index} is skipped: {err}")
    return tuple(entries)


def _entry(raw: Any, where: str) -> StoredEntry:
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    plan = plan_from_dict(raw.get("plan"), f"{where} field plan")
    rendered = raw.get("rendered")
    stored_at = raw.get("storedAt")
    return StoredEntry(
        plan=plan,
        digest=str(raw.get("digest") or digest(plan, None)),
        stored_at=_parse_time(stored_at) if stored_at else None,
        origin=_str(raw.get("origin")),
        rendered=RenderedDeployment.model_validate(_rendered_fields(rendered))
        if isinstance(rendered, dict)
        else None,
        tool_version=_str(raw.get("toolVersion")),
    )


# --- writing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextContent:
    """What to write: the ConfigMap's new data and labels, or nothing (``unchanged``)."""

    unchanged: bool
    data: dict[str, str]
    labels: dict[str, str]
    current: StoredEntry
    history: tuple[StoredEntry, ...]
    size: int
    notes: tuple[str, ...]


def next_content(
    existing: ConfigMap | None, pcs: str, new: PlanInput, now: datetime
) -> NextContent:
    """The ConfigMap content after storing ``new`` (pure). Refuses a ConfigMap of that name
    that is not a plan ConfigMap of ``pcs``, and content over the 1 MiB limit."""
    notes: list[str] = []
    previous: tuple[StoredEntry, ...] = ()
    data: dict[str, str] = {}
    labels = {**MANAGED_BY, PLAN_LABEL: pcs}
    if existing is not None:
        _check_ours(existing, pcs)
        data = dict(existing.data)
        labels = {**existing.labels, **labels}
        try:
            stored = read_stored(existing, pcs)
            previous = stored.history
            notes += stored.notes
        except StoredPlanError as err:
            notes.append(f"The plan stored before could not be read and is not kept: {err}")
    entry_digest = digest(new.plan, new.rendered)
    if previous and previous[0].digest == entry_digest:
        current = previous[0]
        size = _size(data)
        return NextContent(True, data, labels, current, previous, size, tuple(notes))
    entry = StoredEntry(
        plan=new.plan,
        digest=entry_digest,
        stored_at=now.astimezone(UTC).replace(microsecond=0),
        origin=new.origin,
        rendered=new.rendered,
        tool_version=__version__,
    )
    history = (entry, *previous)
    if len(history) > HISTORY_LIMIT:
        notes.append(
            f"The history keeps the last {HISTORY_LIMIT} plans: "
            f"{len(history) - HISTORY_LIMIT} older one(s) dropped."
        )
        history = history[:HISTORY_LIMIT]
    while True:
        data = {**data, PLAN_KEY: dump_plan(new.plan), HISTORY_KEY: _history_text(history)}
        size = _size(data)
        if size <= CONFIGMAP_LIMIT:
            break
        if len(history) == 1:
            raise InvalidInput(
                f"The plan does not fit in ConfigMap {config_map_name(pcs)}: its data would be "
                f"{size} bytes, and Kubernetes limits a ConfigMap to 1 MiB ({CONFIGMAP_LIMIT} "
                "bytes). Shorten the plan (e.g. a shorter model path) or remove other keys from "
                "the ConfigMap."
            )
        history = history[:-1]
        notes.append(
            f"Dropped the oldest stored plan to keep ConfigMap {config_map_name(pcs)} under "
            f"Kubernetes' 1 MiB limit ({CONFIGMAP_LIMIT} bytes)."
        )
    return NextContent(False, data, labels, entry, history, size, tuple(notes))


def _check_ours(cm: ConfigMap, pcs: str) -> None:
    owners = {cm.labels[lbl] for lbl in PLAN_LABELS if lbl in cm.labels}
    if pcs in owners:
        return
    what = (
        f"it holds the plan of PodCliqueSet '{', '.join(sorted(owners))}'"
        if owners
        else f"it has no label {PLAN_LABEL}"
    )
    raise InvalidInput(
        f"ConfigMap {cm.metadata.namespace}/{cm.name} exists and is not the plan ConfigMap of "
        f"'{pcs}': {what}. Refusing to overwrite it; rename or delete it first."
    )


def _history_text(history: tuple[StoredEntry, ...]) -> str:
    body = {
        "format": HISTORY_FORMAT,
        "formatVersion": 1,
        "entries": [e.to_json() for e in history],
    }
    return json.dumps(body, indent=1, ensure_ascii=False) + "\n"


def _size(data: dict[str, str]) -> int:
    return sum(len(k.encode()) + len(v.encode()) for k, v in data.items())


# --- small helpers --------------------------------------------------------------------------


def _rendered_json(rendered: RenderedDeployment) -> dict[str, Any]:
    return {
        "image": rendered.image,
        "topologyName": rendered.topology_name,
        "packRequired": rendered.pack_required,
        "packPreferred": rendered.pack_preferred,
    }


def _rendered_fields(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "image": _str(raw.get("image")),
        "topology_name": _str(raw.get("topologyName")),
        "pack_required": _str(raw.get("packRequired")),
        "pack_preferred": _str(raw.get("packPreferred")),
    }


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(text: Any) -> datetime:
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
