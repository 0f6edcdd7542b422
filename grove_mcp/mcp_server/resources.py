"""Resources, made from the capability table: the report of every read-only capability about
one PodCliqueSet, as JSON under ``grove://{namespace}/{name}/{report}`` (e.g. ``health``,
``plan-diff``).

The same core calls and response budget as the tools (default narrowing); errors carry the
core's actionable message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from pydantic import BaseModel

from ..core import CAPABILITIES, Capability, Narrowing, Scope, fit
from ..errors import GroveError, InvalidInput, NotFound
from ..render import render_markdown
from .calls import core_call, fitted


def resource_capabilities() -> list[Capability]:
    """Capabilities readable as a resource: about one PodCliqueSet, no input, no writes."""
    return [
        c
        for c in CAPABILITIES
        if c.scope in (Scope.one, Scope.both) and c.args is None and not c.writes
    ]


def uri_template(cap: Capability) -> str:
    return f"grove://{{namespace}}/{{name}}/{cap.name.replace(' ', '-')}"


def report_json(report: BaseModel, budget: int) -> str:
    """A report as a resource answers it: fitted to the budget (default narrowing), compact."""
    return _compact(fit(report, Narrowing(), render_markdown, budget).data)


def _compact(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _reader(cap: Capability) -> Callable[..., Any]:
    async def read(namespace: str, name: str, ctx: Context) -> str:
        try:
            answer = await fitted(ctx, core_call(ctx, cap.name, namespace, name), Narrowing())
        except (NotFound, InvalidInput) as err:
            raise ResourceNotFoundError(err.message) from None
        except GroveError as err:
            raise ResourceError(err.message) from None
        return _compact(answer.data)

    return read


def register_resources(server: MCPServer[Any]) -> None:
    for cap in resource_capabilities():
        server.resource(
            uri_template(cap),
            name=f"grove-{cap.name.replace(' ', '-')}",
            title=f"PodCliqueSet {cap.name}",
            description=f"{cap.help} The {cap.tool} report as JSON.",
            mime_type="application/json",
        )(_reader(cap))
