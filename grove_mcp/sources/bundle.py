"""Diagnostic bundles: a directory or ``.tar.gz`` of Kubernetes objects plus ``manifest.json``.

Layout (the format ``diag`` writes, the demo ships and the seeder applies)::

    manifest.json     {"format": "grove-mcp-bundle", "formatVersion": 1, "capturedAt": "…Z",
                       "namespace": "…", "toolVersion": "…", "description": "…", "notes": […]}
    objects/*.yaml    Kubernetes objects with their status: single documents, multi-document
                      YAML, JSON (``*.json``: one document, read without YAML; the demo's), or
                      ``kind: List`` with ``items``
    metrics/<namespace>/<pod>/<seconds>.prom
                      raw metric expositions as the pod served them, ``<seconds>`` after the
                      first scrape of the recording (optional; ``metrics`` reads them)

``formatVersion`` is a major version (``1``, or a string ``"1.x"``); an unknown major is refused.

Bundles come from other people's clusters, so they are read into memory and never extracted;
``bundle_files`` holds the reading rules: it refuses names that leave the bundle, links, device
files and FIFOs, oversized members, too many members and decompression bombs, naming the member.

``BundleSource`` answers LIST queries by evaluating selectors in memory, as the API server does.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import re
import stat
import tarfile
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from threading import Event
from typing import Any

from ..errors import BundleError, Cancelled, GroveError
from .base import ListQuery, ListResult, RawObject, WatchEvent
from .bundle_files import read_dir, read_tar
from .selectors import field_matcher, label_matcher

FORMAT = "grove-mcp-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
OBJECTS_DIR = "objects"
METRICS_DIR = "metrics"
FILE_DIRS = ("logs/", "reports/", "scheduler/", "tables/")  # captured files kept as they are
_OBJECT_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Manifest:
    captured_at: datetime
    namespace: str
    tool_version: str = ""
    description: str = ""
    notes: tuple[str, ...] = ()
    format_version: int = FORMAT_VERSION
    # what ``kubectl grove diag`` recorded: collectors and their state, redaction counts, the
    # source cluster's version and context (None for hand-made bundles and the demo)
    capture: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        extra = {"capture": dict(self.capture)} if self.capture is not None else {}
        return {
            "format": FORMAT,
            "formatVersion": self.format_version,
            "capturedAt": self.captured_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "namespace": self.namespace,
            "toolVersion": self.tool_version,
            "description": self.description,
            "notes": list(self.notes),
            **extra,
        }

    @classmethod
    def from_json(cls, data: Any, where: str) -> Manifest:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BundleError(
                f'{where}: not a grove-mcp bundle manifest ("format" must be "{FORMAT}").'
            )
        version = data.get("formatVersion")
        if _major(version) != FORMAT_VERSION:
            raise BundleError(
                f"{where}: bundle format version {version!r} is not supported; "
                f'this grove-mcp reads major version {FORMAT_VERSION} (1, or "1.x"). '
                "Upgrade grove-mcp, or recapture the bundle with this version."
            )
        for key in ("capturedAt", "namespace"):
            if not data.get(key):
                raise BundleError(f'{where}: field "{key}" is missing.')
        try:
            captured = datetime.fromisoformat(str(data["capturedAt"]).replace("Z", "+00:00"))
        except ValueError as err:
            raise BundleError(
                f'{where}: field "capturedAt" is not an ISO-8601 time: {data["capturedAt"]!r}.'
            ) from err
        captured = captured.replace(tzinfo=UTC) if captured.tzinfo is None else captured
        captured = captured.astimezone(UTC)
        return cls(
            captured_at=captured,
            namespace=str(data["namespace"]),
            tool_version=str(data.get("toolVersion", "")),
            description=str(data.get("description", "")),
            notes=tuple(str(n) for n in data.get("notes") or ()),
            capture=data["capture"] if isinstance(data.get("capture"), dict) else None,
        )


def _major(version: Any) -> int | None:
    """``formatVersion``'s major number: ``1`` and ``"1.2"`` are 1; anything else is None."""
    if isinstance(version, int) and not isinstance(version, bool):
        return version
    if isinstance(version, str) and (match := re.fullmatch(r"(\d+)(\.\d+)*", version.strip())):
        return int(match.group(1))
    return None


@dataclass(frozen=True)
class Bundle:
    """A manifest and the objects captured with it."""

    manifest: Manifest
    objects: tuple[RawObject, ...] = field(default_factory=tuple)
    origin: str = "bundle"
    # recorded expositions by (namespace, pod): (seconds after the first scrape, text), in order
    metrics: Mapping[tuple[str, str], tuple[tuple[float, str], ...]] = field(default_factory=dict)
    metrics_skipped: tuple[str, ...] = ()  # recorded files that could not be read, and why
    # other captured files by bundle path: logs/<ns>/<pod>/<container>.log, reports/<name>.json
    files: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> Bundle:
        """Read a bundle directory or ``.tar.gz``; errors name the file and the field."""
        path = Path(path)
        try:
            mode = path.stat().st_mode
        except OSError:
            mode = None
        if mode is None or not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            what = "no such file or directory" if mode is None else "not a file or directory"
            raise BundleError(
                f"{path}: {what}. Pass a bundle: a directory or .tar.gz "
                "holding manifest.json and objects/ (see the README's 'Bundles')."
            )
        files = dict(read_dir(path) if stat.S_ISDIR(mode) else read_tar(path))
        if MANIFEST not in files:
            raise BundleError(f"{path}: not a grove-mcp bundle ({MANIFEST} is missing).")
        manifest = Manifest.from_json(
            _parse_json(files[MANIFEST], f"{path}/{MANIFEST}"), f"{path}/{MANIFEST}"
        )
        objects: list[RawObject] = []
        for name in sorted(files):
            if name.startswith(f"{OBJECTS_DIR}/") and name.endswith(_OBJECT_SUFFIXES):
                objects.extend(_parse_objects(files[name], f"{path}/{name}"))
        metrics, skipped = _recorded(files, path)
        others = {
            name: data.decode("utf-8", "replace")
            for name, data in files.items()
            if name.startswith(FILE_DIRS)
        }
        return cls(
            manifest,
            tuple(objects),
            origin=str(path),
            metrics=metrics,
            metrics_skipped=skipped,
            files=others,
        )

    def with_namespace(self, namespace: str) -> Bundle:
        """The same world moved into one namespace. Pure.

        Every ``namespace`` field anywhere in an object (``metadata.namespace``, an event's
        ``involvedObject``, a PodGang's ``podReferences`` …) becomes ``namespace``, whatever it
        was: objects of other namespaces (e.g. other workloads' pods) move along, so the copy
        is self-contained. Cluster-scoped objects, having no namespace, are unchanged.
        """
        return replace(
            self,
            manifest=replace(self.manifest, namespace=namespace),
            objects=tuple(_renamespaced(obj, namespace) for obj in self.objects),
            metrics={(namespace, pod): v for (_, pod), v in self.metrics.items()},
        )

    def members(self, objects_as: str = "yaml") -> list[tuple[str, str]]:
        """Every file of the bundle as (path, text), in a stable order: the manifest, one
        file per kind (sorted for stable diffs), metrics, other files.

        A kind's file is multi-document YAML, or with ``objects_as="json"`` a JSON ``List``
        (read without a YAML parser: the demo's, read on every ``--demo`` start; JSON is YAML
        too, so a reader that parses every object file as YAML reads it alike)."""
        out = [(MANIFEST, json.dumps(self.manifest.to_json(), indent=2) + "\n")]
        by_kind: dict[str, list[RawObject]] = {}
        for obj in self.objects:
            by_kind.setdefault(obj["kind"], []).append(obj)
        for kind, items in sorted(by_kind.items()):
            items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
            out.append((f"{OBJECTS_DIR}/{kind.lower()}s.{objects_as}", _dump(items, objects_as)))
        for (namespace, pod), samples in sorted(self.metrics.items()):
            for seconds, text in samples:
                out.append((f"{METRICS_DIR}/{namespace}/{pod}/{seconds:.3f}.prom", text))
        out += sorted(self.files.items())
        return out

    def write(self, path: str | Path, objects_as: str = "yaml") -> Path:
        """Write as a directory (``objects_as``: see ``members``)."""
        root = Path(path)
        (root / OBJECTS_DIR).mkdir(parents=True, exist_ok=True)
        for name, text in self.members(objects_as):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        return root

    def write_tar(
        self, path: str | Path, folder: str = "bundle", cancel: Event | None = None
    ) -> Path:
        """Write as a ``.tar.gz`` whose members sit under ``folder/`` (regular files only); the
        same bundle gives the same bytes (times are the capture's, no file names in gzip).

        The file appears whole or not at all: it is written beside ``path`` under a hidden
        ``.part`` name and renamed at the end; an error, Ctrl-C or ``cancel`` (checked between
        members and before the rename: ``Cancelled``) removes the part."""
        target = Path(path)
        part = target.with_name(f".{target.name}.part")
        stamp = int(self.manifest.captured_at.timestamp())
        try:
            with (
                part.open("wb") as raw,
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=stamp) as packed,
                tarfile.open(fileobj=packed, mode="w", format=tarfile.PAX_FORMAT) as tar,
            ):
                for name, text in self.members():
                    _stop_if(cancel)
                    data = text.encode()
                    info = tarfile.TarInfo(f"{folder}/{name}")
                    info.size, info.mtime, info.mode = len(data), stamp, 0o644
                    tar.addfile(info, io.BytesIO(data))
            _stop_if(cancel)
            part.replace(target)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        return target


def _dump(items: list[RawObject], objects_as: str) -> str:
    if objects_as == "json":
        listed = {"apiVersion": "v1", "kind": "List", "items": items}
        return json.dumps(listed, indent=1, ensure_ascii=False) + "\n"
    if objects_as != "yaml":
        raise ValueError(f"objects_as: 'yaml' or 'json', not {objects_as!r}")
    import yaml

    return yaml.safe_dump_all(items, sort_keys=False, default_flow_style=False)


def _stop_if(cancel: Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("The capture was cancelled; no bundle was written.")


def _recorded(
    files: Mapping[str, bytes], path: Path
) -> tuple[dict[tuple[str, str], tuple[tuple[float, str], ...]], tuple[str, ...]]:
    """``metrics/<ns>/<pod>/<seconds>.prom`` members, by pod, oldest first; and what was skipped
    (a name that is not a time), said by ``metrics`` rather than refusing the whole bundle."""
    out: dict[tuple[str, str], list[tuple[float, str]]] = {}
    skipped: list[str] = []
    for name, data in files.items():
        parts = name.split("/")
        if parts[0] != METRICS_DIR or not name.endswith(".prom"):
            continue
        seconds = _seconds(parts[3].removesuffix(".prom")) if len(parts) == 4 else None
        if seconds is None:
            skipped.append(
                f"{path}/{name}: skipped; recorded expositions are "
                "metrics/<namespace>/<pod>/<seconds>.prom (seconds ≥ 0 after the first scrape)"
            )
            continue
        out.setdefault((parts[1], parts[2]), []).append((seconds, data.decode("utf-8", "replace")))
    return {key: tuple(sorted(v)) for key, v in out.items()}, tuple(sorted(skipped))


def _seconds(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _renamespaced(value: Any, namespace: str) -> Any:
    if isinstance(value, dict):
        return {
            k: namespace if k == "namespace" and isinstance(v, str) else _renamespaced(v, namespace)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_renamespaced(v, namespace) for v in value]
    return value


def _parse_json(data: bytes, where: str) -> Any:
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise BundleError(f"{where}: not valid JSON ({err}).") from err


def _parse_objects(data: bytes, where: str) -> Iterable[RawObject]:
    docs = [_parse_json(data, where)] if where.endswith(".json") else _parse_yaml(data, where)
    for index, doc in enumerate(docs):
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise BundleError(f"{where}: document {index + 1} is not a Kubernetes object.")
        items = doc.get("items") if str(doc.get("kind", "")).endswith("List") else [doc]
        for item_index, item in enumerate(items or []):
            _check_object(item, f"{where} document {index + 1} item {item_index + 1}")
            yield item


def _parse_yaml(data: bytes, where: str) -> list[Any]:
    import yaml  # on use: the demo's objects are JSON

    # libyaml's parser when PyYAML has it (6x faster than PyYAML's own), the same objects
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return list(yaml.load_all(data, Loader=loader))
    except yaml.YAMLError as err:
        raise BundleError(f"{where}: not valid YAML ({err}).") from err


def _check_object(obj: Any, where: str) -> None:
    if not isinstance(obj, dict):
        raise BundleError(f"{where}: not a Kubernetes object.")
    for key in ("apiVersion", "kind"):
        if not obj.get(key):
            raise BundleError(f'{where}: field "{key}" is missing.')
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        raise BundleError(f'{where}: field "metadata.name" is missing.')
    if not isinstance(meta.get("labels") or {}, dict):  # LISTs select on them
        raise BundleError(
            f'{where}: field "metadata.labels" is not a map of label names to values.'
        )


class BundleSource:
    """Answers queries from a bundle's objects; its "now" is the capture time."""

    def __init__(
        self, bundle: Bundle, label: str | None = None, now: datetime | None = None
    ) -> None:
        """``now`` overrides the capture time (to compare with a seeded cluster's clock)."""
        self.bundle = bundle
        self._label = label or f"bundle {bundle.origin}"
        self._now = now

    @classmethod
    def open(cls, path: str | Path) -> BundleSource:
        return cls(Bundle.load(path))

    @property
    def description(self) -> str:
        captured = self.bundle.manifest.captured_at.strftime("%Y-%m-%d %H:%M:%SZ")
        return f"{self._label} (captured {captured})"

    @property
    def default_namespace(self) -> str:
        return self.bundle.manifest.namespace

    def now(self) -> datetime:
        return self._now or self.bundle.manifest.captured_at

    def list_many(self, queries: Sequence[ListQuery]) -> list[ListResult]:
        return [self._list(q) for q in queries]

    def _list(self, query: ListQuery) -> ListResult:
        kind = query.kind
        labels = label_matcher(query.label_selector)
        fields = field_matcher(query.field_selector)
        items = tuple(
            obj
            for obj in self.bundle.objects
            if obj.get("kind") == kind.kind
            and _group_of(obj) == kind.group
            and (
                not (kind.namespaced and query.namespace)
                or obj["metadata"].get("namespace") == query.namespace
            )
            and labels(obj["metadata"].get("labels") or {})
            and fields(obj)
        )
        held = any(
            obj.get("kind") == kind.kind and _group_of(obj) == kind.group
            for obj in self.bundle.objects
        )
        if query.lean is not None:
            items = tuple(map(query.lean, items))
        return ListResult(query, items, resource_version="bundle", served=True if held else None)

    def watch(
        self, results: Sequence[ListResult], tick: float = 30.0, stop: Event | None = None
    ) -> Generator[list[WatchEvent], None, None]:
        raise GroveError(
            "--watch needs a live cluster: a bundle is a fixed capture and never "
            "changes. Drop --watch, or point at a cluster with --context."
        )


def _group_of(obj: RawObject) -> str:
    api_version = str(obj.get("apiVersion", ""))
    return api_version.split("/")[0] if "/" in api_version else ""
