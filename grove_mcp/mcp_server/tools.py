"""The tools: one typed function per capability of the core's table, listed in ``TOOLS``.

A tool's signature is its input schema, its return annotation ``Annotated[CallToolResult,
output_model(Report)]`` its output schema, and its docstring what the model reads to choose
it: hand-written, because assistants read them (a capability without one gets a tool made from
its table entry, ``table_tools.py``). A test checks them against the capability table (name,
report model, writes). Tools that change the cluster exist only when the server runs with
``--allow-writes``.
"""

from __future__ import annotations

import inspect
from collections.abc import Collection, Sequence
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from ..core import CAPABILITIES, capability
from ..errors import InvalidInput
from .diag_tools import DIAG_TOOLS
from .generate_tools import GENERATE_TOOLS
from .metrics_tools import METRICS_TOOLS
from .plan_tools import PLAN_TOOLS
from .replan_tools import REPLAN_TOOLS
from .spec import ToolSpec
from .table_tools import table_tool
from .validate_tools import VALIDATE_TOOLS

# What a model reads to choose a tool: written for it, one per core capability. Their
# arguments and output schemas come from the capability table (``table_tools.py``).
DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "list": (
        "List PodCliqueSets",
        """List the PodCliqueSets (Grove gang-scheduled inference workloads) of a namespace, each
    with a one-line state: replicas available, gangs healthy, pods ready, and what is wrong.

    Start here when you do not know the workload's name or want to know which one is
    unhealthy; then call grove_status, grove_health or grove_topology with a name.
    """,
    ),
    "status": (
        "PodCliqueSet status",
        """Status of one PodCliqueSet: replicas available and updated, rolling-update progress,
    one row per PodClique (ready, minAvailable, scheduled, gated, MinAvailableBreached) and
    one row per gang (state derived from its cliques, derived placement score).

    The first call for "is my-inference OK?" or "why is it degraded?". Follow with
    grove_health (termination countdowns, pod-level causes) or grove_topology (placement).
    """,
    ),
    "health": (
        "Gang health and termination countdowns",
        """Gang health of one PodCliqueSet: per gang, each clique against its minAvailable
    threshold; Grove's termination countdown (MinAvailableBreached lasting longer than
    terminationDelay makes Grove delete and recreate the replica: when, and why); PodGang
    conditions; and problems found in pods (unschedulable for lack of GPUs, crash loops,
    image pulls) with evidence and a remediation each.

    Use for "is a gang about to be restarted?", "why is a gang not ready?", "what is wrong
    with the pods?".
    """,
    ),
    "topology": (
        "Placement, GPU use and consolidation",
        """Where the pods of one PodCliqueSet landed and how well: the topology levels (e.g.
    region > zone > rack > host), pack constraints, per gang a derived placement score (1.0 =
    the fewest racks/hosts possible; a gang split across racks scores lower and its
    prefill/decode traffic leaves the NVLink/switch domain), GPUs per node and domain (this
    workload, others, free), placement warnings, and consolidation advice with kubectl
    commands (shown, never run).

    Use for "why is it slow?" when gangs may be split, and "where is there room for it?".
    """,
    ),
}
CORE_TOOLS: tuple[ToolSpec, ...] = tuple(
    table_tool(capability(name), title=title, description=description)
    for name, (title, description) in DESCRIPTIONS.items()
)
HAND_WRITTEN: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in CORE_TOOLS
    + PLAN_TOOLS
    + GENERATE_TOOLS
    + VALIDATE_TOOLS
    + METRICS_TOOLS
    + REPLAN_TOOLS
    + DIAG_TOOLS
}
# One tool per capability of the table, in its order: hand-written where one exists.
TOOLS: tuple[ToolSpec, ...] = tuple(
    HAND_WRITTEN.get(cap.tool) or table_tool(cap) for cap in CAPABILITIES
)


def selected(
    specs: Sequence[ToolSpec], *, allow_writes: bool, enabled: Collection[str] | None
) -> list[ToolSpec]:
    """The tools this server offers; a bad ``--enabled-tools`` list is refused with why."""
    known = {s.name: s for s in specs}
    if enabled is not None:
        unknown = sorted(set(enabled) - set(known))
        if unknown:
            raise InvalidInput(
                f"--enabled-tools names unknown tool(s): {', '.join(unknown)}. "
                f"Tools: {', '.join(sorted(known))}."
            )
        writing = sorted(n for n in enabled if known[n].writes and not allow_writes)
        if writing:
            raise InvalidInput(
                f"--enabled-tools names write tool(s) {', '.join(writing)}: "
                "start the server with --allow-writes to offer them."
            )
    return [
        s
        for s in specs
        if (allow_writes or not s.writes) and (enabled is None or s.name in enabled)
    ]


def register_tools(server: MCPServer[Any], specs: Sequence[ToolSpec]) -> None:
    for spec in specs:
        server.add_tool(
            spec.fn,
            name=spec.name,
            title=spec.title,
            description=inspect.cleandoc(spec.fn.__doc__ or ""),
            annotations=spec.annotations.model_copy(update={"title": spec.title}),
            structured_output=True,
        )


def refuse_unoffered(specs: Sequence[ToolSpec], offered: Sequence[ToolSpec]) -> Any:
    """Middleware: a call of a tool this server does not offer is a protocol error saying why."""
    known = {s.name: s for s in specs}
    names = {s.name for s in offered}

    async def middleware(ctx: Any, call_next: Any) -> Any:
        if ctx.method == "tools/call":
            name = (ctx.params or {}).get("name")
            if name not in names:
                raise MCPError(code=INVALID_PARAMS, message=_refusal(name, known, names))
        return await call_next(ctx)

    return middleware


def _refusal(name: object, known: dict[str, ToolSpec], offered: set[str]) -> str:
    spec = known.get(name) if isinstance(name, str) else None
    if spec is not None and spec.writes:
        why = "it changes the cluster and is offered only when grove-mcp runs with --allow-writes"
    elif spec is not None:
        why = "it is not in this server's --enabled-tools"
    else:
        why = "no such tool"
    return f"Tool {name!r} refused: {why}. Tools offered: {', '.join(sorted(offered)) or 'none'}."
