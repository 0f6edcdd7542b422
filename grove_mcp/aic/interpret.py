"""From AIConfigurator's result rows to plans: replicas, workers, parallelism, expected figures.

Pure functions of an ``AicRun``. Rules (AIConfigurator 0.12, reference §8-§10):
- a row describes ONE replica; replicas = inputs.totalGpus // num_total_gpus;
- disagg workers per replica are (p)workers / (d)workers; agg has one worker per replica;
- GPUs per worker = tp x pp x dp x cp (missing or NaN dimensions count 1), as AIConfigurator's
  own table computes them; never from its Dynamo manifest (inflated for SGLang MoE);
- figures per replica scale by replicas for the deployment; per-GPU and per-user ones do not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..planfile import (
    ExpectedPerformance,
    Plan,
    PlanConfig,
    PlanInputs,
    PlanSla,
    RoleConfig,
)
from . import sla
from .engine_args import EngineArgs, from_artifacts
from .protocol import AicRun, ModeResult

_PREFIX = {"prefill": "(p)", "decode": "(d)", "agg": ""}
_GPU_DIMS = ("tp", "pp", "dp", "cp")


@dataclass(frozen=True)
class ModePlan:
    """One serving mode's plan with how it was chosen and how it fares against the SLA."""

    plan: Plan
    rank: int  # AIConfigurator's rank (1-based) of the configuration picked
    candidates: int  # configurations AIConfigurator returned for the mode
    violations: list[str]  # missed SLA targets, plain sentences; empty = SLA met
    engine: EngineArgs
    notes: list[str] = field(default_factory=list)

    @property
    def sla_met(self) -> bool:
        return not self.violations


def _dim(row: Mapping[str, object], key: str, default: int = 1) -> int:
    value = row.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    if math.isnan(value) or value <= 0:
        return default
    return int(value)


def _num(row: Mapping[str, object], key: str) -> float | None:
    value = row.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def role_config(row: Mapping[str, object], role: str) -> RoleConfig:
    """Per-worker shape of ``role`` (prefill, decode, agg) from one result row."""
    p = _PREFIX[role]
    gpus = math.prod(_dim(row, f"{p}{d}") for d in _GPU_DIMS)
    batch = row.get(f"{p}bs")
    return RoleConfig(
        workers=_dim(row, f"{p}workers") if role != "agg" else 1,
        tp=_dim(row, f"{p}tp"),
        pp=_dim(row, f"{p}pp"),
        dp=_dim(row, f"{p}dp"),
        moe_tp=_dim(row, f"{p}moe_tp"),
        moe_ep=_dim(row, f"{p}moe_ep"),
        gpus_per_worker=gpus,
        batch_size=_dim(row, f"{p}bs") if batch is not None else None,
    )


def plan_config(
    row: Mapping[str, object], mode: str, total_gpus: int, gpus_per_node: int | None
) -> tuple[PlanConfig, list[str]]:
    """Replicas and roles of one row, with notes when AIConfigurator's counts disagree."""
    roles = {
        r: role_config(row, r) for r in (("prefill", "decode") if mode == "disagg" else ("agg",))
    }
    per_replica = sum(r.workers * r.gpus_per_worker for r in roles.values())
    reported = _dim(row, "num_total_gpus", default=per_replica)
    notes = []
    if reported != per_replica:
        notes.append(
            f"AIConfigurator reports {reported} GPUs per replica but its workers add up to "
            f"{per_replica}; GPU requests follow the workers."
        )
    replicas = max(total_gpus // reported, 1)
    used = replicas * per_replica
    if used < total_gpus:
        notes.append(f"The plan uses {used} of the {total_gpus} GPUs given; the rest stay free.")
    config = PlanConfig(replicas=replicas, total_gpus=used, gpus_per_node=gpus_per_node, **roles)
    return config, notes


def expected(row: Mapping[str, object], replicas: int) -> ExpectedPerformance:
    def scaled(key: str) -> float | None:
        value = _num(row, key)
        return None if value is None else round(value * replicas, 3)

    rate = _num(row, "request_rate")
    return ExpectedPerformance(
        tokens_per_second_per_gpu=_num(row, "tokens/s/gpu") or 0.0,
        tokens_per_second_per_user=_num(row, "tokens/s/user") or 0.0,
        ttft_ms=_num(row, "ttft") or 0.0,
        tpot_ms=_num(row, "tpot") or 0.0,
        request_latency_ms=_num(row, "request_latency"),
        tokens_per_second=scaled("tokens/s"),
        requests_per_second=scaled("request_rate" if rate is not None else "seq/s"),
        concurrency=scaled("concurrency"),
    )


def mode_plan(
    run: AicRun, mode: str, *, created_at: datetime, name: str | None = None
) -> ModePlan | None:
    """The plan for ``mode`` from the row picked by ``sla.select_row``; None without rows."""
    result: ModeResult | None = run.modes.get(mode)
    if result is None or not result.rows:
        return None
    req = run.request
    targets = (req.ttft_ms, req.tpot_ms, req.request_latency_ms)
    index = (
        result.selected if result.selected is not None else sla.select_row(result.rows, *targets)
    )
    assert index is not None
    row = result.rows[index]
    config, notes = plan_config(row, mode, req.total_gpus, run.gpus_per_node)
    version = row.get("version") or row.get("(p)version") or run.backend_version
    plan = Plan(
        name=name,
        model=req.model,
        system=req.system,
        backend=req.backend,
        backend_version=str(version) if version else None,
        serving_mode=mode,  # type: ignore[arg-type]
        aiconfigurator_version=run.aiconfigurator_version,
        created_at=created_at,
        inputs=PlanInputs(
            total_gpus=req.total_gpus,
            isl=req.isl,
            osl=req.osl,
            ttft_ms=req.ttft_ms,
            tpot_ms=req.tpot_ms,
            request_latency_ms=req.request_latency_ms,
            top_n=req.top_n,
            database_mode=req.database_mode,
        ),
        sla=PlanSla(
            ttft_ms=req.ttft_ms, tpot_ms=req.tpot_ms, request_latency_ms=req.request_latency_ms
        ),
        config=config,
        expected=expected(row, config.replicas),
    )
    if result.artifact_error:
        notes.append(
            f"AIConfigurator could not render engine arguments ({result.artifact_error}); "
            "default flags from the plan's parallelism are used."
        )
    return ModePlan(
        plan=plan,
        rank=index + 1,
        candidates=len(result.rows),
        violations=sla.row_violations(row, *targets),
        engine=from_artifacts(result.artifacts),
        notes=notes,
    )
