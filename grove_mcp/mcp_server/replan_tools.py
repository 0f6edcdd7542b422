"""MCP tool of ``replan``: one metrics window (progress 0-30 %), then AIConfigurator calibrated
on the deployed configuration and run again with the observed traffic (30-100 %). Bounded by
the window plus the server's --tool-timeout; a cancelled or timed-out call stops the window or
the child. The demo answers from recorded samples and AIConfigurator answers. Writes nothing:
the PodCliqueSet and plan.json ride in the answer."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, TextContent
from pydantic import Field

from .. import core
from ..core import (
    DEFAULT_LIMIT,
    Assumptions,
    Narrowing,
    ReplanArgs,
    fit,
    output_model,
    run_off_loop,
)
from ..errors import AicTimeout, GroveError
from ..render import render_markdown
from ..reports.replan import ReplanReport
from . import generate_inputs as gi
from .calls import core_call, error_result, state_of
from .inputs import Limit, Namespace, PcsName
from .metrics_tools import (
    MetricsPath,
    PlanJson,
    Port,
    PrometheusUrl,
    Via,
    Window,
    _args,
    configured,
)
from .progress import Increasing, Progress
from .spec import ToolSpec

WINDOW_SHARE = 30.0  # percent of the progress the metrics window takes; AIConfigurator to 99

OptionalModel = Annotated[str | None, Field(description="Model, instead of the plan's.")]
OptionalSystem = Annotated[str | None, Field(description="AIConfigurator system (plan's).")]
OptionalBackend = Annotated[gi.BackendName | None, Field(description="Engine (plan's).")]
OptionalTtft = Annotated[float | None, Field(gt=0, description="TTFT target, ms (plan's SLA).")]
OptionalTpot = Annotated[float | None, Field(gt=0, description="TPOT target, ms (plan's SLA).")]
Budget = Annotated[int | None, Field(ge=1, description="GPU budget (default: the GPUs deployed).")]
Force = Annotated[
    bool, Field(description="Propose even when gangs are breached or a rollout runs (marked).")
]


def _runners(ctx: Context) -> dict[str, Any]:
    if not state_of(ctx).config.demo:
        return {}
    from ..demo import recorded_aiconfigurator

    return recorded_aiconfigurator()


async def grove_replan(
    ctx: Context,
    name: PcsName,
    namespace: Namespace = None,
    window: Window = 30.0,
    total_gpus: Budget = None,
    force: Force = False,
    plan: PlanJson = None,
    model: OptionalModel = None,
    system: OptionalSystem = None,
    backend: OptionalBackend = None,
    ttft_ms: OptionalTtft = None,
    tpot_ms: OptionalTpot = None,
    scrape_via: Via = "auto",
    metrics_port: Port = None,
    metrics_path: MetricsPath = None,
    prometheus_url: PrometheusUrl = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Annotated[CallToolResult, output_model(ReplanReport)]:
    """Re-plan one PodCliqueSet for the traffic it really serves (the closed loop with NVIDIA
    AIConfigurator): observes request rate, ISL and OSL (mean, p50, p90), TTFT and TPOT over a
    metrics window; names the drift from the stored plan's assumptions ("the plan assumed ISL
    2,000; it serves p50 9,100, x4.55"); calibrates AIConfigurator on the deployed
    configuration (its prediction against what was measured); searches again with the observed
    traffic, the plan's SLA and the GPU budget; and proposes the best configuration with its
    expected TTFT/TPOT p99 and tok/s per GPU scaled by the calibration, a Grove PodCliqueSet
    (as grove_generate renders it), its plan.json and a diff against what is deployed. Says
    "no change needed" when the deployment is already right for its traffic. Proposes nothing
    while gangs are breached, pods pending or a rollout runs (force=true shows it, marked).

    Use for "my traffic changed, what should I run now?" and after grove_compare or
    grove_diagnose name traffic drift. Slow: the window plus 20-120 s (progress is reported).
    Writes nothing and applies nothing.
    """
    state = state_of(ctx)
    try:
        window_args = _args(
            window, False, scrape_via, metrics_port, metrics_path, prometheus_url, plan
        )
        source = state.require_source()
        progress = Progress(ctx, total=100)
        cancel = threading.Event()
        forward = Increasing(progress, ceiling=99.0)  # 100: the answer, sent last
        timeout = window + 3 * state.config.tool_timeout  # a window, then three child runs
        given = {
            **configured(window_args, state.config),
            "on_progress": lambda f, line: forward.step(f * WINDOW_SHARE, line),
            "cancel": cancel,
        }
        args = ReplanArgs(
            **given,
            on_aic_progress=lambda p: forward.step(
                WINDOW_SHARE + p.fraction * (99 - WINDOW_SHARE), p.message
            ),
            assumptions=Assumptions(
                model or None, system or None, backend or None, ttft_ms, tpot_ms
            ).validated(),
            total_gpus=total_gpus,
            force=force,
            timeout_s=state.config.tool_timeout,
            **_runners(ctx),
        )
        call = core_call(ctx, "replan", namespace or None, name, args)

        def too_slow() -> GroveError:
            cancel.set()
            return AicTimeout(
                f"No re-plan within {timeout:g} s (the window plus three AIConfigurator runs of "
                "--tool-timeout): start grove-mcp with a larger --tool-timeout, or a shorter window."
            )

        await progress.step(0, f"Reading {source.description}")
        report = await run_off_loop(  # cancel stops the window or the child when abandoned
            lambda: call(source), timeout=timeout, on_timeout=too_slow, cancel=cancel
        )
        await progress.settle()
        assert isinstance(report, ReplanReport)
        report = core.check_proposal(report, source)
        # the answer carries a manifest: the budget generate's answers have
        budget = state.config.generate_budget_bytes
        answer = fit(report, Narrowing(limit=limit), render_markdown, budget)
        await progress.step(100, "Answer ready")
    except GroveError as err:
        return error_result(err)
    return CallToolResult(
        content=[TextContent(type="text", text=answer.text)], structured_content=answer.data
    )


REPLAN_TOOLS: tuple[ToolSpec, ...] = (ToolSpec(grove_replan, "Re-plan for the traffic served"),)
