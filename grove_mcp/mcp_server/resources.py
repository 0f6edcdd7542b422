"""Resources: the reports as JSON under ``grove://{namespace}/{name}/{report}``.

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

from .. import api
from ..errors import GroveError, InvalidInput, NotFound
from ..redact import redact_text
from .budget import Narrowing
from .calls import core_call, fitted

REPORTS: dict[str, tuple[Callable[..., BaseModel], str]] = {
    "status": (api.status, "Status of a PodCliqueSet (the grove_status report) as JSON."),
    "health": (api.health, "Gang health and termination countdowns (grove_health) as JSON."),
    "topology": (api.topology, "Placement, GPU use and consolidation (grove_topology) as JSON."),
}


def _reader(capability: Callable[..., BaseModel]) -> Callable[..., Any]:
    async def read(namespace: str, name: str, ctx: Context) -> str:
        try:
            answer = await fitted(ctx, core_call(ctx, capability, namespace, name), Narrowing())
        except (NotFound, InvalidInput) as err:
            raise ResourceNotFoundError(redact_text(err.message)) from None
        except GroveError as err:
            raise ResourceError(redact_text(err.message)) from None
        return json.dumps(answer.data, separators=(",", ":"), ensure_ascii=False)

    return read


def register_resources(server: MCPServer[Any]) -> None:
    for report, (capability, description) in REPORTS.items():
        server.resource(
            f"grove://{{namespace}}/{{name}}/{report}",
            name=f"grove-{report}",
            title=f"PodCliqueSet {report}",
            description=description,
            mime_type="application/json",
        )(_reader(capability))
