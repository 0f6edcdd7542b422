"""``validate``: manifests (multi-document YAML or JSON) checked against Grove's admission rules.

Pure: the front end reads the files (or the MCP tool gets the text); the table hands over the
ClusterTopologyBindings it could learn (a --topology-file, a cluster, a bundle). Malformed input
is refused with the input's name and the line (``InvalidInput``); documents that are not
PodCliqueSets are skipped with a note. The rules are in ``admission.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import InvalidInput
from ..grove.topology import ClusterTopologyBinding
from ..reports.common import Severity, Summary
from ..reports.validate import DocumentResult, KnownBinding, ValidateReport, Violation
from .admission import RULES, check

BINDING_KINDS = ("ClusterTopologyBinding", "ClusterTopology")
LEVEL_RULES = [r.code for r in RULES if r.needs_binding]
ALWAYS = (
    "Not checked here, only the cluster knows: whether topology-aware scheduling is enabled "
    "(if not, Grove refuses every topologyConstraint) and which scheduler backends are enabled "
    "(and the KAI backend's own rules, e.g. its queue label)."
)


@dataclass(frozen=True)
class ManifestText:
    """One input: its name for messages (a path, ``stdin``, ``tool argument``) and its text."""

    origin: str
    text: str


@dataclass(frozen=True)
class ValidateArgs:
    """What ``validate`` checks, and optionally a ClusterTopologyBinding file (YAML/JSON)."""

    manifests: tuple[ManifestText, ...]
    topology: ManifestText | None = None


@dataclass(frozen=True)
class KnownTopologies:
    """The ClusterTopologyBindings known, and where from (``None`` bindings: could not be read)."""

    origin: str
    bindings: tuple[ClusterTopologyBinding, ...] | None
    notes: tuple[str, ...] = ()

    def levels(self) -> dict[str, list[str]] | None:
        if self.bindings is None:
            return None
        return {b.name: [level.domain for level in b.levels] for b in self.bindings}


@dataclass(frozen=True)
class Document:
    """One parsed document: where it is, its content, and the line of each field path."""

    origin: str
    index: int
    line: int | None
    data: Any
    lines: Mapping[str, int]
    prefix: str = ""  # "items[3]." for an item of a List

    def line_of(self, path: str) -> int | None:
        """The line of ``path`` (or of its closest parent present); None for JSON input."""
        if self.line is None:
            return None
        full = self.prefix + path
        while full:
            if full in self.lines:
                return self.lines[full]
            full = _parent(full)
        return self.line


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def parse_documents(given: ManifestText) -> list[Document]:
    """The documents of a multi-document YAML or a JSON text, Lists expanded; empty documents
    are dropped. Malformed text is refused naming the input and the line."""
    if not given.text.strip():
        raise InvalidInput(f"{given.origin} is empty: nothing to check.")
    if given.text.lstrip().startswith(("{", "[")):
        found = _json_documents(given)
    else:
        try:
            found = list(_yaml_documents(given))
        except yaml.YAMLError as exc:
            raise InvalidInput(_yaml_problem(given.origin, exc)) from None
    out: list[Document] = []
    for doc in found:
        items = doc.data.get("items") if isinstance(doc.data, dict) else None
        if _is_list(doc.data) and isinstance(items, list):
            for i, item in enumerate(items):
                prefix = f"items[{i}]."
                line = doc.lines.get(f"items[{i}]", doc.line) if doc.line else None
                out.append(Document(doc.origin, 0, line, item, doc.lines, prefix))
        else:
            out.append(doc)
    return [Document(d.origin, i, d.line, d.data, d.lines, d.prefix) for i, d in enumerate(out, 1)]


def _is_list(data: Any) -> bool:
    return isinstance(data, dict) and str(data.get("kind", "")).endswith("List")


def _yaml_documents(given: ManifestText) -> Iterator[Document]:
    loader = yaml.SafeLoader(given.text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            data = loader.construct_document(node)
            if data is None:
                continue
            lines: dict[str, int] = {}
            _walk(node, "", lines)
            yield Document(given.origin, 0, node.start_mark.line + 1, data, lines)
    finally:
        loader.dispose()


def _walk(node: yaml.Node, path: str, lines: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{path}.{key.value}" if path else str(key.value)
            lines.setdefault(child, key.start_mark.line + 1)
            _walk(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = f"{path}[{i}]"
            lines.setdefault(child, item.start_mark.line + 1)
            _walk(item, child, lines)


def _yaml_problem(origin: str, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{origin}{where}: not valid YAML ({problem}). Fix the file; nothing was checked."


def _json_documents(given: ManifestText) -> list[Document]:
    """JSON, read strictly (one value or several in a row, as kubectl reads them); the lines
    come from reading it again as YAML, which most JSON also is (not with tabs, say)."""
    decoder = json.JSONDecoder()
    text, at, values = given.text, 0, []
    try:
        while (at := _skip_space(text, at)) < len(text):
            value, at = decoder.raw_decode(text, at)
            values.append(value)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{given.origin}, line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}). "
            "Fix the file; nothing was checked."
        ) from None
    try:
        with_lines = list(_yaml_documents(given))
    except yaml.YAMLError:
        with_lines = []
    if [d.data for d in with_lines] == values:
        return with_lines
    return [Document(given.origin, 0, None, value, {}) for value in values]


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def topologies_from_text(given: ManifestText) -> KnownTopologies:
    """The ClusterTopologyBindings (or legacy ClusterTopology) of a file, e.g. the output of
    ``kubectl get clustertopologybindings -o yaml``; refused when it holds none."""
    bindings: list[ClusterTopologyBinding] = []
    kinds: list[str] = []
    for doc in parse_documents(given):
        kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
        if kind not in BINDING_KINDS:
            kinds.append(str(kind))
            continue
        try:
            binding = ClusterTopologyBinding.model_validate(doc.data)
        except ValidationError as err:
            problem = err.errors()[0]
            where = ".".join(str(p) for p in problem["loc"])
            raise InvalidInput(
                f"{given.origin}, document {doc.index} ({kind}): field {where}: {problem['msg']}."
            ) from None
        if not binding.name:
            raise InvalidInput(
                f"{given.origin}, document {doc.index}: the {kind} has no metadata.name, which "
                "topologyName refers to."
            )
        bindings.append(binding)
    if not bindings:
        found = f" (found: {', '.join(kinds)})" if kinds else ""
        raise InvalidInput(
            f"{given.origin} holds no ClusterTopologyBinding{found}. Pass the output of "
            "'kubectl get clustertopologybindings -o yaml'."
        )
    return KnownTopologies(f"file {given.origin}", tuple(bindings))


def build_validate(args: ValidateArgs, known: KnownTopologies | None) -> ValidateReport:
    """Every document of ``args.manifests`` against the rules; the level rules against
    ``known``'s bindings (skipped, and said so, when none is known)."""
    documents = [d for given in args.manifests for d in parse_documents(given)]
    levels = known.levels() if known is not None else None
    results: list[DocumentResult] = []
    violations: list[Violation] = []
    unchecked_levels: list[str] = []
    for doc in documents:
        result, found, skipped_levels = _check_document(doc, levels)
        results.append(result)
        violations += found
        if skipped_levels:
            unchecked_levels.append(result.name or f"document {doc.index}")
    checked = [r for r in results if r.checked]
    skipped_rules = []
    if unchecked_levels:
        why = (
            f"the ClusterTopologyBindings of {known.origin} could not be read"
            if known is not None
            else "no ClusterTopologyBinding known: pass --topology-file, or --context / "
            "--bundle to read them"
        )
        skipped_rules = [
            f"{', '.join(LEVEL_RULES)}: not checked for {', '.join(unchecked_levels)} ({why})."
        ]
    notes = [*(known.notes if known else ()), ALWAYS]
    return ValidateReport(
        inputs=[m.origin for m in args.manifests],
        documents=results,
        violations=sorted(violations, key=lambda v: (v.origin, v.document, v.line or 0, v.field)),
        topology_source=known.origin if known is not None and known.bindings is not None else None,
        bindings=[
            KnownBinding(name=name, levels=domains)
            for name, domains in sorted((levels or {}).items())
        ],
        rules=[r.code for r in RULES],
        skipped_rules=skipped_rules,
        notes=notes,
        summary=_summary(len(checked), violations, args, bool(unchecked_levels)),
    )


def _check_document(
    doc: Document, levels: dict[str, list[str]] | None
) -> tuple[DocumentResult, list[Violation], bool]:
    data = doc.data

    def result(kind: Any, name: str | None, found: int | None, note: str | None) -> DocumentResult:
        return DocumentResult(
            origin=doc.origin,
            document=doc.index,
            line=doc.line,
            kind=kind if isinstance(kind, str) else None,
            name=name,
            checked=found is not None,
            violations=found or 0,
            note=note,
        )

    if not isinstance(data, dict):
        what = f"Not a Kubernetes object (a {type(data).__name__}): skipped."
        return result(None, None, None, what), [], False
    kind = data.get("kind")
    meta = data.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    name = name if isinstance(name, str) else None
    api = str(data.get("apiVersion", ""))
    if kind != "PodCliqueSet" or not api.startswith("grove.io/"):
        what = f"{kind} ({api})" if kind else "An object without a kind"
        return result(kind, name, None, f"{what} is not a Grove PodCliqueSet: skipped."), [], False
    outcome = check(data, levels)
    found = [
        Violation(
            rule=p.rule,
            severity=Severity.critical,
            origin=doc.origin,
            document=doc.index,
            line=doc.line_of(p.field),
            name=name or "",
            field=p.field,
            message=p.message,
            remediation=p.remediation,
            grove_source=p.grove_source,
        )
        for p in outcome.problems
    ]
    skipped_levels = outcome.has_constraints and not outcome.levels_checked and levels is None
    note = (
        "Pack domains not checked: no ClusterTopologyBinding known (see skipped_rules)."
        if skipped_levels
        else None
    )
    return result(kind, name, len(found), note), found, skipped_levels


def _summary(
    checked: int, violations: list[Violation], args: ValidateArgs, levels_skipped: bool
) -> Summary:
    inputs = ", ".join(m.origin for m in args.manifests)
    if checked == 0:
        return Summary(
            ok=False,
            severity=Severity.warning,
            text=f"No PodCliqueSet in {inputs}: nothing checked",
        )
    unchecked = "; pack domains not checked against a ClusterTopologyBinding" * levels_skipped
    if violations:
        bad = len({(v.origin, v.document) for v in violations})
        return Summary(
            ok=False,
            severity=Severity.critical,
            text=f"{len(violations)} violation(s) of Grove's admission rules in {bad} of "
            f"{checked} PodCliqueSet(s): Grove's webhook would refuse them{unchecked}",
        )
    return Summary(
        ok=True,
        severity=Severity.info,
        text=f"{checked} PodCliqueSet(s) pass Grove's admission rules{unchecked}",
    )
