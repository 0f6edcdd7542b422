"""MCP tools of ``metrics`` and ``compare``: one window of the workload's metrics, with a progress
notification per scrape (the same schedule as the CLI's bar). The call is bounded by the window
plus the server's --tool-timeout; a bundle or the demo answers from its recording at once."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, TextContent
from pydantic import Field

from ..core import DEFAULT_LIMIT, MetricsArgs, Narrowing, fit, output_model, run_off_loop
from ..errors import ClusterUnreachable, GroveError
from ..planfile import Plan, plan_from_dict, plan_from_json
from ..render import render_markdown
from ..reports.compare import CompareReport
from ..reports.diagnose import DiagnoseReport
from ..reports.metrics import MetricsReport
from ..sources.scrape import ScrapeVia
from .calls import core_call, error_result, state_of
from .inputs import Limit, Namespace, PcsName
from .progress import Progress, ProgressSource
from .spec import ToolSpec

if TYPE_CHECKING:
    from .config import ServerConfig

MAX_WINDOW = 300.0

Window = Annotated[
    float,
    Field(
        ge=1,
        le=MAX_WINDOW,
        description="Seconds between the first and the last scrape (rates and quantiles cover "
        "them). The call waits this long on a live cluster.",
    ),
]
SinceStart = Annotated[
    bool, Field(description="Lifetime figures from one scrape (since each process started).")
]
Via = Annotated[
    Literal["auto", "proxy", "direct"],
    Field(description="auto: pod IPs inside a cluster, else the API server's pod proxy."),
]
Port = Annotated[
    int | None, Field(ge=1, le=65535, description="Scrape this port instead of the one found.")
]
MetricsPath = Annotated[
    str | None,
    Field(pattern="^/", max_length=256, description="Scrape this path instead of the engine's."),
]
PrometheusUrl = Annotated[
    str | None,
    Field(max_length=2048, description="Ask this Prometheus (PromQL) instead of the pods."),
]
PlanJson = Annotated[
    dict[str, Any] | Annotated[str, Field(max_length=256 * 1024)] | None,
    Field(
        description="A plan.json (the object, or its text) to judge against instead of the "
        "stored plan.",
    ),
]


async def _answer(
    ctx: Context, capability: str, name: str, namespace: str | None, args: MetricsArgs, limit: int
) -> CallToolResult:
    state = state_of(ctx)
    try:
        source = state.require_source()
        progress = Progress(ctx, total=1.0)
        cancel = threading.Event()
        given = MetricsArgs(
            **{
                **configured(args, state.config),
                "on_progress": progress.step_from_thread,
                "cancel": cancel,
            }
        )
        call = core_call(ctx, capability, namespace or None, name, given)
        await progress.step(0, f"Reading {source.description}")
        waits = not (args.since_start or args.no_metrics)
        timeout = (args.window if waits else 0) + state.config.tool_timeout

        def too_slow() -> GroveError:
            return ClusterUnreachable(
                f"No answer within {timeout:g} s (the window plus --tool-timeout) from "
                f"{source.description}. Try a shorter window, or another --scrape-via."
            )

        watched = ProgressSource(source, progress)
        report = await run_off_loop(  # cancel stops the window when the client goes away
            lambda: call(watched), timeout=timeout, on_timeout=too_slow, cancel=cancel
        )
        await progress.settle()
        answer = fit(report, Narrowing(limit=limit), render_markdown, state.config.budget_bytes)
        await progress.step(1.0, "Answer ready")
    except GroveError as err:
        return error_result(err)
    return CallToolResult(
        content=[TextContent(type="text", text=answer.text)], structured_content=answer.data
    )


def configured(args: MetricsArgs, config: ServerConfig) -> dict[str, Any]:
    """The window's arguments with the config file's metrics keys under the tool's own: its
    port unless the tool was given one, its scrape timeout."""
    return {
        **args.__dict__,
        "port": args.port if args.port is not None else config.metrics_port,
        "timeout": config.scrape_timeout,
    }


def _args(
    window: float,
    since_start: bool,
    scrape_via: str,
    metrics_port: int | None,
    metrics_path: str | None,
    prometheus_url: str | None,
    plan: dict[str, Any] | str | None = None,
) -> MetricsArgs:
    return MetricsArgs(
        window=window,
        since_start=since_start,
        scrape_via=ScrapeVia(scrape_via),
        port=metrics_port,
        path=metrics_path or None,
        prometheus_url=prometheus_url or None,
        plan=_plan(plan),
    )


def _plan(given: dict[str, Any] | str | None) -> Plan | None:
    if not given:
        return None
    if isinstance(given, str):
        return plan_from_json(given, "the plan argument")
    return plan_from_dict(given, "the plan argument")


async def grove_metrics(
    ctx: Context,
    name: PcsName,
    namespace: Namespace = None,
    window: Window = 30.0,
    since_start: SinceStart = False,
    scrape_via: Via = "auto",
    metrics_port: Port = None,
    metrics_path: MetricsPath = None,
    prometheus_url: PrometheusUrl = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Annotated[CallToolResult, output_model(MetricsReport)]:
    """How fast one PodCliqueSet serves, measured over a window of its engines' Prometheus
    metrics (vLLM, SGLang, TensorRT-LLM, Dynamo): input/output tokens/s and per GPU, TTFT and
    ITL/TPOT p50/p90/p99 (from the Dynamo frontend when there is one, else the prefill/decode
    engines), queue and running requests, and per role KV-cache use with a saturated /
    underutilized verdict and its thresholds; per pod how it was read or why not; and, when a
    plan is stored, each figure against the plan's SLA (met or missed).

    Use for "is it meeting its SLA?", "how many tokens/s?", "which role is the bottleneck?".
    Waits `window` seconds on a live cluster (progress is reported); the demo and bundles
    answer from recorded scrapes at once. Follow with grove_compare for causes and actions.
    """
    try:
        args = _args(window, since_start, scrape_via, metrics_port, metrics_path, prometheus_url)
    except GroveError as err:
        return error_result(err)
    return await _answer(ctx, "metrics", name, namespace, args, limit)


async def grove_compare(
    ctx: Context,
    name: PcsName,
    namespace: Namespace = None,
    window: Window = 30.0,
    plan: PlanJson = None,
    scrape_via: Via = "auto",
    metrics_port: Port = None,
    metrics_path: MetricsPath = None,
    prometheus_url: PrometheusUrl = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Annotated[CallToolResult, output_model(CompareReport)]:
    """Plan vs Actual for one PodCliqueSet: throughput per GPU against the AIConfigurator plan,
    TTFT p99 and TPOT p99 against its SLA, the derived placement score against the 1.0 the plan
    assumed, replicas and GPUs deployed against planned; then a diagnosis (which rule fired,
    with the numbers) and numbered recommendations with their expected effect and commands
    (shown, never run).

    The answer to "why is my-inference slow?" and "what should I change?". Needs a plan stored
    beside the PodCliqueSet (grove_plan_store) or `plan` (a plan.json's text). Waits `window`
    seconds on a live cluster.
    """
    try:
        args = _args(window, False, scrape_via, metrics_port, metrics_path, prometheus_url, plan)
    except GroveError as err:
        return error_result(err)
    return await _answer(ctx, "compare", name, namespace, args, limit)


NoMetrics = Annotated[
    bool, Field(description="Read no metrics window: answers at once; latency is not checked.")
]


async def grove_diagnose(
    ctx: Context,
    name: PcsName,
    namespace: Namespace = None,
    window: Window = 30.0,
    no_metrics: NoMetrics = False,
    plan: PlanJson = None,
    scrape_via: Via = "auto",
    metrics_port: Port = None,
    metrics_path: MetricsPath = None,
    prometheus_url: PrometheusUrl = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Annotated[CallToolResult, output_model(DiagnoseReport)]:
    """Why is this PodCliqueSet slow or unhealthy? ONE call runs every check grove-mcp knows —
    gang health and Grove's termination countdown, pending pods and the scheduler's reasons
    (quota, KAI queue, gates), crash loops, image pulls and node problems, rolling updates,
    latency against the plan's SLA by role (prefill queueing, decode saturation, a role ratio
    off the plan), placement split over racks, drift from the plan, and what could not be
    checked — and returns the causes ranked (what blocks serving, then what breaks the SLA,
    then efficiency), each with evidence, why it matters, what to do (commands shown, never
    run) and the expected effect, opened by a one-paragraph answer.

    Start here for "why is my-inference slow?" or "what is wrong with it?". Waits `window`
    seconds for metrics on a live cluster (no_metrics=true answers at once).
    """
    try:
        args = _args(window, False, scrape_via, metrics_port, metrics_path, prometheus_url, plan)
        args = MetricsArgs(**{**args.__dict__, "no_metrics": no_metrics})
    except GroveError as err:
        return error_result(err)
    return await _answer(ctx, "diagnose", name, namespace, args, limit)


METRICS_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(grove_diagnose, "Why is it slow? Ranked causes with evidence"),
    ToolSpec(grove_metrics, "Serving performance over a window"),
    ToolSpec(grove_compare, "Plan vs Actual, diagnosis and recommendations"),
)
