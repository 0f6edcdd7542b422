"""The entry points of ``plan``, beside ``api.py``: show, history, diff (read) and store (write).

Reads go through the snapshot like every report (so they work on a live cluster, a bundle and
the demo): the PodCliqueSet and the ConfigMaps labelled ``grove.io/aic-plan=<pcs>`` (or
``grove-mcp.io/aic-plan=<pcs>``); ``diff`` also reads the workload's PodCliques and scaling
groups. ``store`` is the only write of grove-mcp: front ends call it only when the user asked
(``kubectl grove plan store``, the MCP tool offered with ``--allow-writes``). Every report
passes the central redaction.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .capabilities.common import header
from .capabilities.plan_diff import build_plan_diff
from .capabilities.plans import build_plan_history, build_plan_show, summarize
from .errors import InvalidInput
from .names import validate_pcs_name
from .redact import redact
from .reports.plan_reports import PlanDiffReport, PlanHistoryReport, PlanShowReport, PlanStoreReport
from .snapshot import SnapshotRequest, fetch_snapshot
from .sources.base import Source
from .stored_plans import PlanInput, config_map_name

if TYPE_CHECKING:
    from .sources.kube import KubeClient


def _request(source: Source, namespace: str | None, name: str, **needs: bool) -> SnapshotRequest:
    validate_pcs_name(name)
    return SnapshotRequest(namespace or source.default_namespace, name, plans=True, **needs)


def plan_show(source: Source, namespace: str | None, name: str) -> PlanShowReport:
    """The current plan stored for a PodCliqueSet."""
    snapshot = fetch_snapshot(source, _request(source, namespace, name, children=False))
    return redact(build_plan_show(snapshot, name))


def plan_history(source: Source, namespace: str | None, name: str) -> PlanHistoryReport:
    """The plans stored for a PodCliqueSet, newest first (the last 10)."""
    snapshot = fetch_snapshot(source, _request(source, namespace, name, children=False))
    return redact(build_plan_history(snapshot, name))


def plan_diff(source: Source, namespace: str | None, name: str) -> PlanDiffReport:
    """The stored plan against the deployed PodCliqueSet, with a verdict per parameter."""
    snapshot = fetch_snapshot(source, _request(source, namespace, name))
    return redact(build_plan_diff(snapshot, name))


def plan_store(
    source: Source, namespace: str | None, name: str, plan: PlanInput
) -> PlanStoreReport:
    """Store ``plan`` as the current plan of an existing PodCliqueSet (writes a ConfigMap)."""
    request = SnapshotRequest(namespace or source.default_namespace, validate_pcs_name(name))
    kube: KubeClient | None = getattr(source, "kube", None)
    if kube is None:
        raise InvalidInput(
            f"plan store writes to a cluster, and {source.description} is a read-only capture. "
            "Drop --demo/--bundle and point at the cluster (--context, --kubeconfig)."
        )
    from .sources.plan_store import store_plan  # the write path: live clusters only

    snapshot = fetch_snapshot(source, replace(request, children=False))
    snapshot.podcliqueset(name)  # exists (fetch raised NotFound, listing what does, otherwise)
    result = store_plan(kube, request.namespace, name, plan, source.now())
    content = result.content
    older = content.history[1] if len(content.history) > 1 else None
    notes = list(content.notes)
    if plan.plan.name and plan.plan.name != name:
        notes.append(
            f"The plan was rendered for a PodCliqueSet named '{plan.plan.name}'; it is stored "
            f"for '{name}'."
        )
    base = header(snapshot)
    return redact(
        PlanStoreReport(
            **{**base, "notes": base["notes"] + notes},
            name=name,
            config_map=config_map_name(name),
            action=result.action,
            stored=summarize(content.current, 1, True, older),
            history_entries=len(content.history),
            bytes_used=content.size,
        )
    )
