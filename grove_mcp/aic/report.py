"""The ``GenerateReport`` from rendered plans: summaries, our SLA verdict, next commands. Pure."""

from __future__ import annotations

import shlex
from pathlib import Path

from ..planfile import PlanSla, RoleConfig, nodes_per_worker
from ..reports.common import Severity, Summary
from ..reports.generate import (
    ConfigurationSummary,
    GenerateReport,
    GenerateTimings,
    ModePlanReport,
    PerformanceSummary,
    RoleSummary,
    SlaVerdict,
)
from .manifests import RenderOptions
from .mode_plans import SHORT, TITLES, RenderedPlan
from .protocol import AicRun
from .request import PlanRequest

_CLIQUE = {"prefill": "prefill", "decode": "decode", "agg": "worker"}


def sla_targets(sla: PlanSla) -> str:
    parts = [f"TTFT <= {sla.ttft_ms:g} ms"]
    if sla.tpot_ms is not None:
        parts.append(f"TPOT <= {sla.tpot_ms:g} ms")
    if sla.request_latency_ms is not None:
        parts.append(f"request latency <= {sla.request_latency_ms:g} ms")
    return ", ".join(parts)


def _parallel(role: RoleConfig) -> str:
    parts = [f"tp{role.tp}"]
    parts += [
        f"{k}{v}" for k, v in (("pp", role.pp), ("dp", role.dp), ("ep", role.moe_ep)) if v > 1
    ]
    return " ".join(parts)


def _mode_report(item: RenderedPlan, options: RenderOptions) -> ModePlanReport:
    mp, plan = item.mode_plan, item.plan
    gpn = plan.config.gpus_per_node or 8
    roles = [
        RoleSummary(
            role=name,  # type: ignore[arg-type]
            clique=_CLIQUE[name],
            workers_per_replica=r.workers,
            workers_total=r.workers * plan.config.replicas,
            parallel=_parallel(r),
            tp=r.tp,
            pp=r.pp,
            dp=r.dp,
            moe_ep=r.moe_ep,
            gpus_per_worker=r.gpus_per_worker,
            nodes_per_worker=nodes_per_worker(r.gpus_per_worker, gpn),
            batch_size=r.batch_size,
        )
        for name, r in plan.config.roles().items()
    ]
    e = plan.expected
    ns = f" -n {shlex.quote(options.namespace)}" if options.namespace else ""
    yaml_path = str(item.file) if item.file else f"{item.pcs.name}.yaml"
    return ModePlanReport(
        mode=plan.serving_mode,
        title=TITLES[plan.serving_mode],
        name=item.pcs.name,
        file=str(item.file) if item.file else None,
        plan_file=str(item.plan_file) if item.plan_file else None,
        configuration=ConfigurationSummary(
            replicas=plan.config.replicas,
            roles=roles,
            gpus_per_replica=plan.config.gpus_per_replica(),
            total_gpus=plan.config.total_gpus,
            gpus_given=plan.inputs.total_gpus,
        ),
        expected=PerformanceSummary(
            tokens_per_second_per_gpu=e.tokens_per_second_per_gpu,
            tokens_per_second_per_user=e.tokens_per_second_per_user,
            ttft_ms=e.ttft_ms,
            tpot_ms=e.tpot_ms,
            request_latency_ms=e.request_latency_ms,
            tokens_per_second=e.tokens_per_second,
        ),
        sla=SlaVerdict(met=mp.sla_met, targets=sla_targets(plan.sla), violations=mp.violations),
        aiconfigurator_rank=mp.rank,
        candidates=mp.candidates,
        engine_args_source=mp.engine.source,
        image=item.pcs.image,
        next_commands=[
            f"kubectl apply -f {shlex.quote(yaml_path)}",
            # from the YAML, as the requirements show: store then also keeps the rendered image
            # and topology constraint, which plan diff compares (plan.json carries neither)
            f"kubectl grove plan store {item.pcs.name}{ns} -f {shlex.quote(yaml_path)}",
        ],
        notes=mp.notes + item.pcs.notes,
        plan=plan,
        manifest=item.manifest,
    )


def _throughput(plan: ModePlanReport) -> float:
    """Output tokens/s of the whole deployment: what the GPU budget buys (AIConfigurator's
    ranking too). Per GPU used can mislead when a plan leaves GPUs of the budget idle."""
    e = plan.expected
    if e.tokens_per_second is not None:
        return e.tokens_per_second
    return e.tokens_per_second_per_gpu * plan.configuration.total_gpus


def _verdict(plans: list[ModePlanReport], targets: str) -> tuple[str | None, str]:
    meeting = [p for p in plans if p.sla.met]
    if not plans:
        return None, "AIConfigurator returned no configuration for either mode."
    if not meeting:
        misses = "; ".join(f"{SHORT[p.mode]}: {', '.join(p.sla.violations)}" for p in plans)
        return None, (
            f"No configuration meets the SLA ({targets}). The plans shown are AIConfigurator's "
            f"closest: {misses}. Relax the targets, shorten the sequences or add GPUs."
        )
    best = max(meeting, key=_throughput)
    others = [p for p in plans if p is not best]
    text = f"Use the {SHORT[best.mode]} plan: it meets {targets}"
    if others and others[0].sla.met and _throughput(others[0]) > 0:
        ratio = _throughput(best) / _throughput(others[0])
        text += f" with {ratio:.2f}x the throughput of the {SHORT[others[0].mode]} plan."
    elif others:
        missed = ", ".join(others[0].sla.violations)
        text += f"; the {SHORT[others[0].mode]} plan does not ({missed})."
    else:
        text += "."
    return best.mode, text


def _common_notes(request: PlanRequest, options: RenderOptions) -> list[str]:
    notes = [
        "Pods run Dynamo runtime images wired as Dynamo's operator would: Kubernetes discovery "
        "(DYN_DISCOVERY_BACKEND=kubernetes) through the ServiceAccount, Role and RoleBinding in "
        "the same file, which needs Dynamo's DynamoWorkerMetadata CRD "
        "(dynamoworkermetadatas.nvidia.com, from Dynamo's CRD chart) in the cluster; the "
        "frontend Service <name>-frontend serves the OpenAI API on port 8000. Pass NATS_SERVER "
        "or ETCD_ENDPOINTS with --env when the platform provides them."
    ]
    if request.is_local_model and not options.model_path:
        notes.append(
            f"The engines will load '{request.model}' inside the containers: mount it there or "
            "give --model-path."
        )
    return notes


def build_report(
    run: AicRun,
    rendered: list[RenderedPlan],
    options: RenderOptions,
    *,
    save_dir: Path | None,
    timings: GenerateTimings,
    notes: list[str],
) -> GenerateReport:
    plans = [_mode_report(item, options) for item in rendered]
    req = run.request
    targets = sla_targets(
        PlanSla(ttft_ms=req.ttft_ms, tpot_ms=req.tpot_ms, request_latency_ms=req.request_latency_ms)
    )
    recommended, verdict = _verdict(plans, targets)
    met = any(p.sla.met for p in plans)
    return GenerateReport(
        model=req.model,
        system=req.system,
        backend=req.backend,
        backend_version=run.backend_version,
        aiconfigurator_version=run.aiconfigurator_version,
        isl=req.isl,
        osl=req.osl,
        sla_targets=targets,
        save_dir=str(save_dir) if save_dir else None,
        plans=plans,
        recommended=recommended,  # type: ignore[arg-type]
        aiconfigurator_choice=run.chosen_mode,
        sla_met=met,
        verdict=verdict,
        summary=Summary(
            ok=met,
            severity=Severity.info if met else Severity.warning,
            text=verdict,
        ),
        timings=timings,
        notes=_common_notes(req, options) + notes,
    )
