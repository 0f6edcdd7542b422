"""One call of the capability table from a tool or resource: off the event loop, bounded, with
progress; core errors become tool errors with the core's actionable message (never a stack
trace). Reports and error messages arrive redacted from the core."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel

from .. import core
from ..core import DEFAULT_LIMIT, Fitted, Narrowing, fit, run_off_loop
from ..errors import ClusterUnreachable, GroveError
from ..render import render_markdown
from ..sources.base import Source
from . import inputs
from .lifespan import GroveState
from .progress import Progress, ProgressSource

CoreCall = Callable[[Source], BaseModel]


def state_of(ctx: Context) -> GroveState:
    state: GroveState = ctx.request_context.lifespan_context  # type: ignore[assignment]
    return state


def namespace_for(state: GroveState, namespace: str | None) -> str | None:
    """The tool's namespace, else the server's ``--namespace``, else the source's default."""
    return namespace or state.config.namespace


async def run_core(
    ctx: Context, call: CoreCall, *, cancel: threading.Event | None = None, waits: float = 0.0
) -> BaseModel:
    """``call(source)`` in a worker thread, within the server's tool timeout plus ``waits``
    (seconds the call waits on purpose: a metrics window). ``cancel`` is set once the call is
    answered, timed out or cancelled (the client went away), for work that watches it."""
    state = state_of(ctx)
    source = state.require_source()
    progress = Progress(ctx)
    await progress.step(0, f"Reading {source.description}")
    timeout = state.config.tool_timeout + waits

    def too_slow() -> GroveError:
        return ClusterUnreachable(
            f"No answer from {source.description} within {timeout:g} s. Check that the API "
            "server is reachable (kubectl get --raw /readyz), narrow the question, or start "
            "grove-mcp with a larger --tool-timeout."
        )

    watched = ProgressSource(source, progress)
    report = await run_off_loop(
        lambda: call(watched), timeout=timeout, on_timeout=too_slow, cancel=cancel
    )
    await progress.settle()
    await progress.step(2, "Report built")
    return report


async def fitted(
    ctx: Context,
    call: CoreCall,
    narrowing: Narrowing,
    *,
    cancel: threading.Event | None = None,
    waits: float = 0.0,
) -> Fitted:
    """The core's report for ``call``, narrowed and fitted to the response budget."""
    report = await run_core(ctx, call, cancel=cancel, waits=waits)
    answer = fit(report, narrowing, render_markdown, state_of(ctx).config.budget_bytes)
    await Progress(ctx).step(3, "Answer ready")
    return answer


def core_call(
    ctx: Context, capability: str, namespace: str | None, name: str | None, args: Any = None
) -> CoreCall:
    """The table's ``run`` of ``capability`` with the namespace defaults applied; bad names
    are refused now, before any API call (``run`` checks the call against the table)."""
    inputs.target(namespace, name)
    ns = namespace_for(state_of(ctx), namespace)
    return lambda source: core.run(capability, source, ns, name, args)


async def tool_answer(
    ctx: Context,
    capability: str,
    *,
    namespace: str | None,
    name: str | None = None,
    clique: str | None = None,
    gang: str | None = None,
    limit: int = DEFAULT_LIMIT,
    args: Any = None,
    cancel: threading.Event | None = None,
    waits: float = 0.0,
) -> CallToolResult:
    """A tool's result: Markdown text plus the report as structured content, or a tool error.

    ``capability`` names a capability of the table (``"status"`` …); bad input is refused first.
    ``cancel`` and ``waits`` as for :func:`run_core`.
    """
    try:  # an empty string is how models often say "not given"
        call = core_call(ctx, capability, namespace or None, name, args)
        narrowing = inputs.narrowing(clique or None, gang or None, limit)
        answer = await fitted(ctx, call, narrowing, cancel=cancel, waits=waits)
    except GroveError as err:
        return error_result(err)
    return CallToolResult(
        content=[TextContent(type="text", text=answer.text)], structured_content=answer.data
    )


def error_result(err: GroveError) -> CallToolResult:
    """The core's message (redacted where it was made) as a tool error the model can act on."""
    meta: dict[str, Any] = {"grove-mcp/error": err.code}
    return CallToolResult(
        content=[TextContent(type="text", text=f"{err.message} [{err.code}]")],
        is_error=True,
        _meta=meta,
    )
