"""MCP tool of ``validate``: manifest text checked against Grove's admission rules.

The manifest arrives as text (a model has it in hand: from grove_generate, a user's file, a
chart's output); nothing is read from disk. The pack domains are checked against the
ClusterTopologyBindings of the server's own source (its cluster, bundle or demo) when it can
read them; otherwise the report says the level rules were skipped.
"""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, TextContent
from pydantic import Field

from .. import core
from ..core import (
    DEFAULT_LIMIT,
    ManifestText,
    Narrowing,
    ValidateArgs,
    fit,
    output_model,
    run_off_loop,
)
from ..errors import ClusterUnreachable, GroveError
from ..render import render_markdown
from ..reports.validate import ValidateReport
from .calls import error_result, state_of
from .inputs import Limit
from .spec import ToolSpec

ValidateOut = output_model(ValidateReport)
MAX_MANIFEST = 1024 * 1024
ORIGIN = "manifest"

Manifest = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_MANIFEST,
        description="The manifest text: one or more YAML documents (separated by ---) or JSON, "
        "e.g. the `manifest` of a grove_generate plan or a file the user has. Documents that "
        "are not PodCliqueSets are skipped.",
    ),
]


async def grove_validate(
    ctx: Context, manifest: Manifest, limit: Limit = DEFAULT_LIMIT
) -> Annotated[CallToolResult, ValidateOut]:
    """Check PodCliqueSet manifests against the admission rules of Grove's validating webhook
    that the CRD schema does not hold, before they are applied: topologyName present and the
    same everywhere, pack domains that are levels of the ClusterTopologyBinding (read from this
    server's cluster when it can), the 45-character limit on PodCliqueSet + scaling group +
    clique names, startsAfter naming existing cliques without cycles, 0 < minAvailable ≤
    replicas, scaling groups naming existing cliques, and more. Each violation names the field
    (JSON path and line), what is wrong and what to change.

    Use before `kubectl apply` of a hand-written or edited PodCliqueSet, or when an apply was
    refused by the webhook. Reads nothing but the ClusterTopologyBindings; writes nothing.
    """
    state = state_of(ctx)
    timeout = state.config.tool_timeout
    args = ValidateArgs((ManifestText(ORIGIN, manifest),))

    def too_slow() -> GroveError:
        where = state.source.description if state.source is not None else "the cluster"
        return ClusterUnreachable(
            f"No answer from {where} within {timeout:g} s while reading ClusterTopologyBindings."
        )

    try:
        report = await run_off_loop(
            lambda: core.run("validate", state.source, args=args),
            timeout=timeout,
            on_timeout=too_slow,
        )
        answer = fit(report, Narrowing(limit=limit), render_markdown, state.config.budget_bytes)
    except GroveError as err:
        return error_result(err)
    return CallToolResult(
        content=[TextContent(type="text", text=answer.text)], structured_content=answer.data
    )


VALIDATE_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(grove_validate, "Check manifests against Grove's admission rules"),
)
