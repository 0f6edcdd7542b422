"""The wording of a ``generate`` report, shared by its terminal and Markdown renderers. Pure.

Phrases follow the original requirements' output: ``Prefill Workers: 4 (tp1, 1 GPU each)``,
``Throughput: 804 tok/s/gpu``, ``TTFT: 486ms``, ``TPOT: 9.16ms``.
"""

from __future__ import annotations

from ..reports.generate import GenerateReport, ModePlanReport, RoleSummary

_ROLE = {"prefill": "Prefill Workers", "decode": "Decode Workers", "agg": "Workers"}


def _gpus(n: int) -> str:
    return f"{n} GPU{'s' if n != 1 else ''}"


def role_line(role: RoleSummary) -> str:
    """``Prefill Workers: 4 (tp1, 1 GPU each)``; one worker: ``(tp4, 4 GPUs)``."""
    each = " each" if role.workers_total > 1 else ""
    nodes = f" on {role.nodes_per_worker} nodes" if role.nodes_per_worker > 1 else ""
    shape = f"{role.parallel}, {_gpus(role.gpus_per_worker)}{each}{nodes}"
    return f"{_ROLE[role.role]}: {role.workers_total} ({shape})"


def configuration_lines(plan: ModePlanReport) -> list[str]:
    c = plan.configuration
    lines = []
    if c.replicas > 1:
        lines.append(f"Replicas: {c.replicas} (gangs of {_gpus(c.gpus_per_replica)})")
    lines += [role_line(r) for r in c.roles]
    spare = f" of {c.gpus_given} given" if c.gpus_given != c.total_gpus else ""
    lines.append(f"Total GPU Usage: {c.total_gpus}{spare}")
    return lines


def performance_lines(plan: ModePlanReport) -> list[str]:
    e = plan.expected
    lines = [
        f"Throughput: {e.tokens_per_second_per_gpu:,.0f} tok/s/gpu",
        f"TTFT: {e.ttft_ms:.0f}ms",
        f"TPOT: {e.tpot_ms:.2f}ms",
    ]
    if e.request_latency_ms is not None:
        lines.append(f"Request Latency: {e.request_latency_ms:,.0f}ms")
    return lines


def sla_line(plan: ModePlanReport) -> str:
    if plan.sla.met:
        return f"SLA: ✓ met ({plan.sla.targets})"
    return "SLA: ✗ missed: " + "; ".join(plan.sla.violations)


def headline(report: GenerateReport) -> str:
    if report.sla_met:
        return "✓ AIConfigurator completed successfully"
    return "⚠ AIConfigurator completed, but no configuration meets the SLA"


def context_line(report: GenerateReport) -> str:
    """What was planned: model, system, backend, sequence lengths, SLA, time taken."""
    engine = " ".join(filter(None, (report.backend, report.backend_version)))
    return (
        f"{report.model} on {report.system} · {engine} · ISL {report.isl} / OSL {report.osl} · "
        f"{report.sla_targets} · AIConfigurator {report.aiconfigurator_version}, "
        f"{report.timings.total_s:.1f} s"
    )


def deploy_plan(report: GenerateReport) -> ModePlanReport | None:
    """The plan whose commands are shown: the recommended one, else Plan 1 (the closest)."""
    for plan in report.plans:
        if plan.mode == report.recommended:
            return plan
    return report.plans[0] if report.plans else None


def next_steps(report: GenerateReport) -> list[tuple[str, str]]:
    """(heading, command) pairs: how to deploy the chosen plan, and how to store it."""
    plan = deploy_plan(report)
    if plan is None:
        return []
    closest = "" if plan.sla.met else " (the closest plan: it misses the SLA)"
    headings = ("To deploy" + closest, "To store plan for later comparison")
    return list(zip(headings, plan.next_commands, strict=False))
