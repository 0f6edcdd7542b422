"""MCP tool of ``generate``: AIConfigurator plans rendered as Grove PodCliqueSets.

Choices:
- no ``save_dir``: the server writes no files, not even with --allow-writes (which is about the
  cluster). Files would land where the server runs, not where the user is, at a path a model
  chose. The answer carries each manifest (its plan rides in the manifest's annotation) and
  the client saves it with its own, user-approved file tools.
- annotations: read-only (reads the server's cluster setup — topology bindings, KAI queues — and
  writes nothing), idempotent (AIConfigurator is deterministic), closed world (bundled
  performance data; only a model id it does not bundle makes it fetch that model's public
  config.json from Hugging Face).
- the server's source (cluster, bundle or demo) is the cluster the manifests are for; a server
  whose source could not be opened renders as offline.
- AIConfigurator runs in a child process (``aic.run_aiconfigurator``): the server's memory stays
  flat. The call is bounded by the server's --tool-timeout; a cancelled or timed-out call sets
  ``cancel``, which stops the child.
- answers are kept in a small cache keyed by the inputs, so ``mode=`` can fetch a manifest the
  response budget left out without a second 10-90 s run.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, TextContent

from .. import aic, core
from ..core import Mode, fit_generate, run_off_loop
from ..core.budget_generate import GenerateAnswer, only_mode
from ..errors import GroveError
from ..render import render_markdown
from ..reports.generate import GenerateReport
from . import generate_inputs as gi
from .calls import error_result, namespace_for, state_of
from .progress import Increasing, Progress
from .spec import ToolSpec

CACHED_ANSWERS = 8
STOP_GRACE_S = 15.0  # past the tool timeout: the runner stops the child, then reports
_Key = tuple[str, str]


def generate_tool(run: Callable[..., aic.AicRun] = aic.run_aiconfigurator) -> ToolSpec:
    """The ``grove_generate`` tool; ``run`` replaces the AIConfigurator runner (tests)."""
    cache: OrderedDict[_Key, GenerateReport] = OrderedDict()

    async def plan(
        ctx: Context, request: aic.PlanRequest, options: aic.RenderOptions
    ) -> GenerateReport:
        key = (request.model_dump_json(), json.dumps(dataclasses.asdict(options), sort_keys=True))
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        timeout = state_of(ctx).config.tool_timeout
        progress = Progress(ctx, total=100)
        await progress.step(0, "starting AIConfigurator (10-90 s)")
        steps = Increasing(progress)

        def forward(p: aic.AicProgress) -> None:
            steps.step(p.fraction * 100, f"{p.message} ({p.elapsed_s:.0f} s)")

        cancel = threading.Event()
        hint = (
            f"This server bounds a tool call at {timeout:g} s: start grove-mcp with a larger "
            "--tool-timeout (e.g. 600) for large models."
        )
        args = aic.GenerateArgs(
            request, options, on_progress=forward, timeout_s=timeout, cancel=cancel, run=run
        )
        state = state_of(ctx)
        try:  # a cancelled or abandoned call sets ``cancel``, which stops the child
            report = await run_off_loop(
                lambda: core.run("generate", state.source, options.namespace, args=args),
                timeout=timeout + STOP_GRACE_S,  # the runner stops the child at ``timeout``
                on_timeout=lambda: aic.AicTimeout("AIConfigurator did not finish."),
                cancel=cancel,
            )
        except aic.AicTimeout as err:
            raise aic.AicTimeout(f"{err} {hint}") from None
        await progress.settle()
        assert isinstance(report, GenerateReport)
        cache[key] = report
        if len(cache) > CACHED_ANSWERS:
            cache.popitem(last=False)
        return report

    async def grove_generate(
        ctx: Context,
        model: gi.Model,
        system: gi.System,
        total_gpus: gi.TotalGpus,
        backend: gi.Backend,
        ttft_ms: gi.Ttft,
        tpot_ms: gi.Tpot = None,
        request_latency_ms: gi.Latency = None,
        isl: gi.Isl = None,
        osl: gi.Osl = None,
        name: gi.PcsName = None,
        namespace: gi.Namespace = None,
        image: gi.Image = None,
        model_path: gi.ModelPath = None,
        pack_domain: gi.PackDomain = None,
        topology_name: gi.TopologyName = None,
        kai_queue: gi.KaiQueue = None,
        termination_delay: gi.TerminationDelay = None,
        env: gi.Env = None,
        top_n: gi.TopN = None,
        database_mode: gi.Database = None,
        mode: gi.OnlyMode = None,
    ) -> Annotated[CallToolResult, GenerateAnswer]:
        """Plan an LLM inference deployment with NVIDIA AIConfigurator and get it as Grove
        PodCliqueSet manifests ready for `kubectl apply`: Plan 1 prefill/decode disaggregated,
        Plan 2 aggregated, each with its workers, tensor parallelism and GPUs, and its expected
        throughput, TTFT and TPOT (simulated from AIConfigurator's performance data: no GPU or
        cluster needed), checked against the SLA given, with a recommendation. Each manifest
        carries Dynamo's pod wiring (discovery ServiceAccount and RBAC, probes, frontend
        Service) and fits the server's cluster: its ClusterTopologyBinding, KAI Scheduler.

        Use for "plan / size / generate a deployment of <model> on <N> <GPU>s with TTFT x ms
        and TPOT y ms". Slow: 10-90 s (progress is reported). Writes no files: save the
        manifest yourself (its plan rides in the grove-mcp.io/aic-plan annotation). A large
        answer leaves a manifest out and says so; call again with mode=.
        """
        try:
            flags = {
                "model": model, "system": system, "total_gpus": total_gpus, "backend": backend,
                "ttft_ms": ttft_ms, "tpot_ms": tpot_ms, "request_latency_ms": request_latency_ms,
                "isl": isl, "osl": osl, "top_n": top_n, "database_mode": database_mode,
            }  # fmt: skip
            request = aic.make_request(**{k: v for k, v in flags.items() if v not in (None, "")})
            options = aic.RenderOptions(
                name=name or None,
                namespace=namespace_for(state_of(ctx), namespace or None),
                image=image or None,
                model_path=model_path or None,
                pack_domain=pack_domain or None,
                topology_name=topology_name or None,
                kai_queue=kai_queue or None,
                env=env or {},
                termination_delay=termination_delay or aic.DEFAULT_TERMINATION_DELAY,
            ).validated()
            report = only_mode(await plan(ctx, request, options), mode or None)
            # refused if Grove's webhook would refuse it; the server's cluster knows the bindings
            report = core.check_before_write(report, state_of(ctx).source)
            answer = fit_generate(
                report, state_of(ctx).config.generate_budget_bytes, render_markdown, _how_to_get
            )
        except GroveError as err:
            return error_result(err)
        return CallToolResult(
            content=[TextContent(type="text", text=answer.text)], structured_content=answer.data
        )

    return ToolSpec(grove_generate, "Plan a deployment with AIConfigurator")


def _how_to_get(left_out: list[Mode]) -> str:
    return (
        "Call grove_generate again with the same arguments and mode="
        + " or ".join(f"'{m}'" for m in left_out)
        + " (answered from the server's cache: no new AIConfigurator run)."
    )


GENERATE_TOOLS: tuple[ToolSpec, ...] = (generate_tool(),)
