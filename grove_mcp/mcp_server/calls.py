"""One call of the core from a tool or resource: off the event loop, bounded, with progress;
core errors become tool errors with the core's actionable message (never a stack trace)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread
from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel

from ..errors import ClusterUnreachable, GroveError
from ..redact import redact_text
from ..render.markdown import render_markdown
from ..sources.base import Source
from . import inputs
from .budget import DEFAULT_LIMIT, Fitted, Narrowing, fit
from .lifespan import GroveState
from .progress import Progress, ProgressSource

CoreCall = Callable[[Source], BaseModel]


def state_of(ctx: Context) -> GroveState:
    state: GroveState = ctx.request_context.lifespan_context  # type: ignore[assignment]
    return state


def namespace_for(state: GroveState, namespace: str | None) -> str | None:
    """The tool's namespace, else the server's ``--namespace``, else the source's default."""
    return namespace or state.config.namespace


async def run_core(ctx: Context, call: CoreCall) -> BaseModel:
    """``call(source)`` in a worker thread, within the server's tool timeout."""
    state = state_of(ctx)
    source = state.require_source()
    progress = Progress(ctx)
    await progress.step(0, f"Reading {source.description}")
    timeout = state.config.tool_timeout
    try:
        with anyio.fail_after(timeout):
            report = await anyio.to_thread.run_sync(
                call, ProgressSource(source, progress), abandon_on_cancel=True
            )
    except TimeoutError:
        raise ClusterUnreachable(
            f"No answer from {source.description} within {timeout:g} s. Check that the API "
            "server is reachable (kubectl get --raw /readyz), narrow the question, or start "
            "grove-mcp with a larger --tool-timeout."
        ) from None
    await progress.settle()
    await progress.step(2, "Report built")
    return report


async def fitted(ctx: Context, call: CoreCall, narrowing: Narrowing) -> Fitted:
    """The core's report for ``call``, narrowed and fitted to the response budget."""
    report = await run_core(ctx, call)
    answer = fit(report, narrowing, render_markdown, state_of(ctx).config.budget_bytes)
    await Progress(ctx).step(3, "Answer ready")
    return answer


def core_call(
    ctx: Context, capability: Callable[..., BaseModel], namespace: str | None, name: str | None
) -> CoreCall:
    """``capability(source, namespace[, name])`` with the namespace defaults applied."""
    inputs.target(namespace, name)
    ns = namespace_for(state_of(ctx), namespace)
    if name is None:
        return lambda source: capability(source, ns)
    return lambda source: capability(source, ns, name)


async def tool_answer(
    ctx: Context,
    capability: Callable[..., BaseModel],
    *,
    namespace: str | None,
    name: str | None = None,
    clique: str | None = None,
    gang: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> CallToolResult:
    """A tool's result: Markdown text plus the report as structured content, or a tool error.

    ``capability`` is a core entry point (``api.status`` …); bad input is refused first.
    """
    try:  # an empty string is how models often say "not given"
        call = core_call(ctx, capability, namespace or None, name)
        answer = await fitted(ctx, call, inputs.narrowing(clique or None, gang or None, limit))
    except GroveError as err:
        return error_result(err)
    return CallToolResult(
        content=[TextContent(type="text", text=answer.text)], structured_content=answer.data
    )


def error_result(err: GroveError) -> CallToolResult:
    """The core's message, redacted, as a tool error the model can read and act on."""
    meta: dict[str, Any] = {"grove-mcp/error": err.code}
    return CallToolResult(
        content=[TextContent(type="text", text=f"{redact_text(err.message)} [{err.code}]")],
        is_error=True,
        _meta=meta,
    )
