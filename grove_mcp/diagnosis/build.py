"""``diagnose``: every analyzer over one snapshot and window, findings ranked, one answer. Pure:
the window is collected before, as for ``metrics``."""

from __future__ import annotations

from collections.abc import Sequence

from ..capabilities.common import header
from ..capabilities.health import build_health
from ..capabilities.status import build_status
from ..capabilities.topology import build_topology
from ..capabilities.workload import build_workload
from ..performance.metrics import MetricsArgs, build_metrics, find_plan
from ..plans.diff import diff_rows
from ..reports.common import Severity, Summary, worst
from ..reports.diagnose import IMPACT_ORDER, DiagnoseReport, DiagnosisFinding
from ..snapshot import Snapshot
from ..sources.metrics_collect import Collected
from .base import Evidence
from .registry import ANALYZERS

_SEVERITY = {Severity.critical: 0, Severity.warning: 1, Severity.info: 2}


MAX_ALSO = 8  # other subjects listed in a merged finding


def _merged(found: Sequence[tuple[int, DiagnosisFinding]]) -> list[tuple[int, DiagnosisFinding]]:
    """Findings of one code from one analyzer as one (the most severe whole, the others listed
    in its evidence): a 300-pod workload's 40 split gangs are one cause, not 40."""
    groups: dict[tuple[str, str], list[tuple[int, DiagnosisFinding]]] = {}
    for item in found:
        groups.setdefault((item[1].analyzer, item[1].code), []).append(item)
    out = []
    for items in groups.values():
        items.sort(key=lambda i: _SEVERITY[i[1].severity])
        order, first = items[0]
        rest = [f for _, f in items[1:]]
        if rest:
            also = [f"also {f.subject}: {f.title}" for f in rest[:MAX_ALSO]]
            if len(rest) > MAX_ALSO:
                also.append(f"… and {len(rest) - MAX_ALSO} more")
            first = first.model_copy(
                update={
                    "title": f"{first.title.rstrip('.')} (and {len(rest)} more like it)",
                    "evidence": [*first.evidence, *also],
                }
            )
        out.append((order, first))
    return out


def _rank(found: Sequence[tuple[int, DiagnosisFinding]]) -> list[DiagnosisFinding]:
    """Urgent first (a termination about to fire); then problems before notes; then what blocks
    serving, breaks the SLA, costs efficiency, hides something; then severity; then the
    registry's order (causes before the consequences they lead to)."""

    def key(item: tuple[int, DiagnosisFinding]) -> tuple[int, int, int, int, int]:
        order, f = item
        note = f.severity is Severity.info
        return (
            int(not f.urgent),
            int(note),
            IMPACT_ORDER.index(f.impact),
            _SEVERITY[f.severity],
            order,
        )

    ranked = sorted(found, key=key)
    return [f.model_copy(update={"rank": i}) for i, (_, f) in enumerate(ranked, 1)]


SHORT = 160


def _short(title: str) -> str:
    """A finding's title as one short line: its first sentence, at most SHORT characters."""
    first = title.split(". ")[0].rstrip(".")
    return first if len(first) <= SHORT else first[: SHORT - 1].rstrip() + "…"


def _answer(name: str, findings: Sequence[DiagnosisFinding], checked: Sequence[str]) -> str:
    problems = [f for f in findings if f.severity is not Severity.info]
    if not problems:
        return (
            f"No problem found that would make {name} slow or unhealthy: "
            f"{len(checked)} checks ran ({', '.join(checked)})."
            + (" Notes below say what could not be checked." if findings else "")
        )
    top = problems[0]
    text = (
        f"Most likely cause: {top.title} ({top.code}). {top.explanation} First: {top.remediation}"
    )
    others = [f.title.rstrip(".") for f in problems[1:3]]
    if others:
        text += " Also: " + "; ".join(others) + "."
    return text


def gather_evidence(
    snapshot: Snapshot, name: str, args: MetricsArgs, collected: Collected | None
) -> Evidence:
    """Every report of ``name``'s world that the analyzers read (``replan`` reads it too)."""
    workload = build_workload(snapshot, name)
    plan, origin = find_plan(snapshot, name, args.plan)
    return Evidence(
        name=name,
        namespace=snapshot.namespace,
        snapshot=snapshot,
        status=build_status(snapshot, name),
        topology=build_topology(snapshot, name),
        health=build_health(snapshot, name),
        metrics=build_metrics(snapshot, name, args, collected) if collected else None,
        metrics_why_not=None if collected else "skipped (--no-metrics)",
        plan=plan,
        plan_origin=origin,
        diff=diff_rows(workload, plan)[0] if plan else [],
    )


def build_diagnose(
    snapshot: Snapshot, name: str, args: MetricsArgs, collected: Collected | None
) -> DiagnoseReport:
    """The ranked findings of every analyzer for ``name``."""
    workload = build_workload(snapshot, name)
    evidence = gather_evidence(snapshot, name, args, collected)
    metrics, plan, origin = evidence.metrics, evidence.plan, evidence.plan_origin
    why_not = evidence.metrics_why_not
    found = [(i, f) for i, (_, analyze) in enumerate(ANALYZERS) for f in analyze(evidence)]
    findings = _rank(_merged(found))
    checked = [n for n, _ in ANALYZERS]
    not_checked = [] if metrics else [f"latency, queues and saturation: metrics {why_not}"]
    if plan is None:
        not_checked.append(f"the SLA and plan drift: {origin}")
    if snapshot.operator_deployments is None and snapshot.operator_note:
        version = evidence.health.grove_version
        not_checked.append(f"the Grove operator's image (its version): from {version.evidence}")
    problems = [f for f in findings if f.severity is not Severity.info]
    summary = Summary(
        ok=not problems,
        severity=worst(f.severity for f in problems) if problems else Severity.info,
        text=_short(problems[0].title) if problems else "no problem found",
    )
    if metrics is None:
        read = f"not read: {why_not}"
    elif not any(p.read for p in metrics.pods):
        read = f"no pod could be read ({metrics.read_via})"
    else:
        read = f"window {metrics.window_seconds:g}s, {metrics.read_via}"
    return DiagnoseReport(
        **header(snapshot, workload),
        name=name,
        answer=_answer(name, findings, checked),
        summary=summary,
        metrics=read,
        findings=findings,
        checked=checked,
        not_checked=not_checked,
    )
