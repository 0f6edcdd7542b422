"""Tools made from the capability table, for capabilities that have no hand-written tool.

A hand-written tool (``tools.py``, ``plan_tools.py`` …) is better: its docstring is written for a
model choosing a tool. Until one exists, a capability is offered as a tool whose signature
follows its scope (a PodCliqueSet name and the narrowing arguments, or only a namespace), whose
description is the table's help, and whose output schema is its report model.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult

from ..core import DEFAULT_LIMIT, Capability, Scope, output_model
from .calls import tool_answer
from .inputs import Clique, Gang, Limit, Namespace, PcsName
from .spec import ToolSpec


def table_tool(cap: Capability) -> ToolSpec:
    """The tool of ``cap``, made from its table entry."""
    if cap.args is not None or cap.writes:
        raise TypeError(f"'{cap.name}' takes inputs or writes: it needs a hand-written tool")

    async def about_one(
        ctx: Context,
        name: PcsName,
        namespace: Namespace = None,
        clique: Clique = None,
        gang: Gang = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Any:
        return await tool_answer(
            ctx, cap.name, namespace=namespace, name=name, clique=clique, gang=gang, limit=limit
        )

    async def about_all(
        ctx: Context, namespace: Namespace = None, limit: Limit = DEFAULT_LIMIT
    ) -> Any:
        return await tool_answer(ctx, cap.name, namespace=namespace, limit=limit)

    fn = about_all if cap.scope is Scope.all else about_one
    fn.__name__ = fn.__qualname__ = cap.tool
    fn.__doc__ = cap.help
    fn.__annotations__["return"] = Annotated[CallToolResult, output_model(cap.report)]
    return ToolSpec(fn, cap.name.capitalize())
