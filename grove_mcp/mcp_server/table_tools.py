"""Tools made from the capability table: the signature follows the capability's scope (a
PodCliqueSet name and the narrowing arguments, or only a namespace), the output schema is its
report model, the description is written for a model (``tools.DESCRIPTIONS``) or, until
someone writes one, the table's help. Capabilities with inputs of their own or that write
have hand-written tools (``plan_tools.py``, ``generate_tools.py``).
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult

from ..core import DEFAULT_LIMIT, Capability, Scope, output_model
from .calls import tool_answer
from .inputs import Clique, Gang, Limit, Namespace, PcsName
from .spec import ToolSpec


def table_tool(
    cap: Capability, *, title: str | None = None, description: str | None = None
) -> ToolSpec:
    """The tool of ``cap``, made from its table entry; ``title`` and ``description`` (what a
    model reads to choose it) default to the entry's name and help."""
    if cap.args is not None or cap.writes or cap.scope is Scope.none:
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
    fn.__doc__ = description or cap.help
    fn.__annotations__["return"] = Annotated[CallToolResult, output_model(cap.report)]
    return ToolSpec(fn, title or cap.name.capitalize())
