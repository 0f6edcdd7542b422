"""``plan store``: a plan becomes the current plan of an existing PodCliqueSet.

The only write of grove-mcp (DESIGN.md rule 5): the capability table offers it only where the
user asked (``kubectl grove plan store``, the MCP tool under ``--allow-writes``). What the
ConfigMap holds is decided by ``configmap.next_content`` (pure); ``sources.configmap_write`` does
the read-modify-write.
"""

from __future__ import annotations

from ..capabilities.common import header
from ..errors import AccessDenied
from ..reports.common import Severity, Summary
from ..reports.plan_reports import PlanStoreReport
from ..snapshot import Snapshot
from ..sources.base import Source
from ..sources.configmap_write import write_config_map
from .configmap import PlanInput, config_map_name, next_content
from .show import one_line, summarize


def build_plan_store(
    snapshot: Snapshot, source: Source, name: str, plan: PlanInput
) -> PlanStoreReport:
    """Store ``plan`` for ``name``, which the snapshot shows to exist (else NotFound)."""
    kube = source.kube  # type: ignore[attr-defined]  # core.run refused sources without one
    snapshot.podcliqueset(name)  # raises NotFound listing what exists
    now = source.now()
    try:
        result = write_config_map(
            kube,
            snapshot.namespace,
            config_map_name(name),
            lambda existing: next_content(existing, name, plan, now),
        )
    except AccessDenied as err:
        raise _denied(err, name) from err
    content = result.content
    older = content.history[1] if len(content.history) > 1 else None
    notes = list(content.notes)
    if plan.plan.name and plan.plan.name != name:
        notes.append(
            f"The plan was rendered for a PodCliqueSet named '{plan.plan.name}'; it is stored "
            f"for '{name}'."
        )
    base = header(snapshot)
    stored = summarize(content.current, 1, True, older)
    return PlanStoreReport(
        **{**base, "notes": base["notes"] + notes},
        name=name,
        config_map=config_map_name(name),
        action=result.action,
        stored=stored,
        history_entries=len(content.history),
        bytes_used=content.size,
        summary=Summary(
            ok=True,
            severity=Severity.info,
            text=f"{result.action} ConfigMap {config_map_name(name)}: {one_line(stored)}",
        ),
    )


def _denied(err: AccessDenied, pcs: str) -> AccessDenied:
    scope = f" in namespace '{err.namespace}'" if err.namespace else ""
    return AccessDenied(
        f"Storing the plan of '{pcs}': {err.message} (plan store needs get, create and update "
        f"on configmaps{scope}.)",
        verb=err.verb,
        resource=err.resource,
        namespace=err.namespace,
    )
