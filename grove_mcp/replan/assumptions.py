"""The assumptions a re-plan keeps: model, system, backend and SLA from flags, else the plan;
the GPU budget from --total-gpus, else what is deployed."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidInput
from ..planfile import Plan
from ..reports.replan import Cited
from .args import Assumptions

FLAGS = {
    "model": "--model",
    "system": "--system",
    "backend": "--backend",
    "ttft_ms": "--ttft",
    "tpot_ms": "--tpot",
}


@dataclass(frozen=True)
class Kept:
    """Resolved assumptions, with their citations."""

    model: str
    system: str
    backend: str
    ttft_ms: float
    tpot_ms: float | None
    request_latency_ms: float | None
    total_gpus: int
    cited: list[Cited]


def resolve(
    plan: Plan | None, origin: str, given: Assumptions, total_gpus: int | None, deployed_gpus: int
) -> Kept:
    """Flags win over the plan; raises InvalidInput naming what neither gives."""
    from_plan = {}
    if plan is not None:
        from_plan = {
            "model": plan.model,
            "system": plan.system,
            "backend": plan.backend,
            "ttft_ms": plan.sla.ttft_ms,
            "tpot_ms": plan.sla.tpot_ms,
        }
    values, cited = {}, []
    for key, flag in FLAGS.items():
        flagged = getattr(given, key)
        value = flagged if flagged is not None else from_plan.get(key)
        values[key] = value
        if value is not None:
            cited.append(
                _cite(
                    key,
                    value,
                    "given" if flagged is not None else "plan",
                    flag if flagged is not None else origin,
                )
            )
    latency = plan.sla.request_latency_ms if plan is not None and given.tpot_ms is None else None
    missing = [FLAGS[k] for k in ("model", "system", "backend", "ttft_ms") if values[k] is None]
    if values["tpot_ms"] is None and latency is None:
        missing.append("--tpot")
    if missing:
        raise InvalidInput(
            f"replan keeps the plan's model, system, backend and SLA; missing: "
            f"{', '.join(missing)} (the plan: {origin.rstrip('.')}). Store the plan beside the "
            "PodCliqueSet (kubectl grove plan store), give --plan FILE, or give the flags."
        )
    budget = total_gpus or deployed_gpus
    if budget < 1:
        raise InvalidInput("No GPUs deployed to re-plan with: give --total-gpus N.")
    cited.append(
        Cited(
            figure="GPU budget",
            value=budget,
            unit="GPUs",
            source="given" if total_gpus else "deployed",
            detail="--total-gpus" if total_gpus else "GPUs the PodCliqueSet requests",
        )
    )
    return Kept(
        model=str(values["model"]),
        system=str(values["system"]),
        backend=str(values["backend"]),
        ttft_ms=float(values["ttft_ms"]),  # type: ignore[arg-type]
        tpot_ms=values["tpot_ms"],  # type: ignore[arg-type]
        request_latency_ms=latency,
        total_gpus=budget,
        cited=cited,
    )


def _cite(key: str, value: object, source: str, detail: str) -> Cited:
    names = {
        "model": "model",
        "system": "system",
        "backend": "backend",
        "ttft_ms": "TTFT target",
        "tpot_ms": "TPOT target",
    }
    number = isinstance(value, int | float)
    return Cited(
        figure=names[key] if number else f"{names[key]}: {value}",
        value=float(value) if number else None,  # type: ignore[arg-type]
        unit="ms" if number else "",
        source=source,  # type: ignore[arg-type]
        detail=detail,
    )
