"""MCP tools of ``plan``: show, history and diff (read) and store (write, --allow-writes)."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import Field

from ..core import output_model
from ..errors import GroveError
from ..planfile import plan_from_dict
from ..plans import CONFIGMAP_LIMIT, PlanInput, plan_input_from_text
from ..reports.plan_reports import (
    PlanDiffReport,
    PlanHistoryReport,
    PlanShowReport,
    PlanStoreReport,
)
from .calls import error_result, tool_answer
from .inputs import Namespace, PcsName
from .spec import ToolSpec

PlanShowOut = output_model(PlanShowReport)
PlanHistoryOut = output_model(PlanHistoryReport)
PlanDiffOut = output_model(PlanDiffReport)
PlanStoreOut = output_model(PlanStoreReport)
ORIGIN = "tool argument"

PlanContent = Annotated[
    str | dict[str, Any],
    Field(
        description="The plan to store: the content of plan.json (a JSON object, or its text), "
        "e.g. the `plan` of a grove_generate answer; or the text of a generated PodCliqueSet "
        "YAML (its grove-mcp.io/aic-plan annotation is the plan, and its image and topology "
        "constraint are recorded for grove_plan_diff).",
        json_schema_extra={"maxLength": CONFIGMAP_LIMIT},
    ),
]


async def grove_plan_show(
    ctx: Context, name: PcsName, namespace: Namespace = None
) -> Annotated[CallToolResult, PlanShowOut]:
    """The AIConfigurator plan stored for a PodCliqueSet (ConfigMap <name>-aic-plan): model,
    system, serving mode, workers and parallelism per role, expected throughput/TTFT/TPOT, SLA
    targets, and when it was stored.

    Use for "what did we plan for my-inference?". grove_plan_diff compares it with what runs.
    """
    return await tool_answer(ctx, "plan show", namespace=namespace, name=name)


async def grove_plan_history(
    ctx: Context, name: PcsName, namespace: Namespace = None
) -> Annotated[CallToolResult, PlanHistoryOut]:
    """The plans stored for a PodCliqueSet (the last 10), newest first: when each was stored,
    its digest, its configuration and expected throughput, and what changed from the one
    before.

    Use for "when did the plan change, and how?".
    """
    return await tool_answer(ctx, "plan history", namespace=namespace, name=name)


async def grove_plan_diff(
    ctx: Context, name: PcsName, namespace: Namespace = None
) -> Annotated[CallToolResult, PlanDiffOut]:
    """The stored plan against the deployed PodCliqueSet, one row per parameter with a verdict
    (match / drift / cannot_tell, and why): replicas; per role (prefill, decode, agg) the
    workers (live PodClique or scaling-group replicas), TP (from --tp flags, else derived from
    GPU requests when unambiguous) and GPUs per worker; total GPUs; backend; image; topology
    constraint.

    Use for "does what runs match what we planned?" and before blaming performance on the
    plan: a drift means the plan's expected performance no longer applies.
    """
    return await tool_answer(ctx, "plan diff", namespace=namespace, name=name)


async def grove_plan_store(
    ctx: Context, name: PcsName, plan: PlanContent, namespace: Namespace = None
) -> Annotated[CallToolResult, PlanStoreOut]:
    """Store a plan as the current plan of an existing PodCliqueSet: writes ConfigMap
    <name>-aic-plan (label grove.io/aic-plan=<name>, key plan.json), keeping the last 10 stored
    plans as history. Storing the plan that is already current writes nothing. Needs get,
    create and update on configmaps in the namespace.

    Call it only when the user asks to store or record a plan; it changes the cluster.
    """
    try:
        given = _plan_input(plan)
    except GroveError as err:
        return error_result(err)
    return await tool_answer(ctx, "plan store", namespace=namespace, name=name, args=given)


def _plan_input(plan: str | dict[str, Any]) -> PlanInput:
    if isinstance(plan, dict):
        return PlanInput(plan_from_dict(plan, ORIGIN), ORIGIN)
    return plan_input_from_text(plan, ORIGIN)


WRITE = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)

PLAN_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(grove_plan_show, "Stored AIConfigurator plan"),
    ToolSpec(grove_plan_history, "History of stored plans"),
    ToolSpec(grove_plan_diff, "Plan vs deployed PodCliqueSet"),
    ToolSpec(grove_plan_store, "Store a plan (writes a ConfigMap)", writes=True, annotations=WRITE),
)
