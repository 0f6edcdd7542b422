"""Calibration: AIConfigurator's estimate for the deployed configuration at the observed traffic,
against what the window measured. ``factor = measured / predicted`` per latency; the mean's
factor says how far the model is off on this cluster, the p99's is the tail factor the
proposal's p99 is scaled by."""

from __future__ import annotations

from ..aic import EstimatePoint, EstimatePointResult, EstimateWorkers
from ..reports.replan import CalibrationRow, RoleShape, Shape


def point(label: str, shape: Shape, isl: int, osl: int) -> EstimatePoint:
    """An estimate of ``shape`` (one replica) at ``isl``/``osl``, batch sizes from the shape."""
    roles = {r.role: r for r in shape.roles}
    if shape.mode == "agg":
        agg = roles["agg"]
        return EstimatePoint(
            label=label, isl=isl, osl=osl, mode="agg", batch_size=agg.batch_size or 1,
            **_parallel(agg),  # type: ignore[arg-type]
        )  # fmt: skip
    return EstimatePoint(
        label=label, isl=isl, osl=osl, mode="disagg",
        prefill=_workers(roles["prefill"]), decode=_workers(roles["decode"]),
    )  # fmt: skip


def _parallel(role: RoleShape) -> dict[str, int | None]:
    moe = role.moe_tp > 1 or role.moe_ep > 1
    return {
        "tp": role.tp,
        "pp": role.pp,
        "dp": role.dp,
        "moe_tp": role.moe_tp if moe else None,
        "moe_ep": role.moe_ep if moe else None,
    }


def _workers(role: RoleShape) -> EstimateWorkers:
    return EstimateWorkers(
        batch_size=role.batch_size or 1,
        workers=role.workers,
        **_parallel(role),  # type: ignore[arg-type]
    )


def factor(measured: float | None, predicted: float | None) -> float | None:
    """measured / predicted, rounded to 3 places; None without both (or a zero prediction)."""
    if measured is None or not predicted:
        return None
    return round(measured / predicted, 3)


def calibrate(
    result: EstimatePointResult, measured: dict[tuple[str, str], float | None]
) -> list[CalibrationRow]:
    """One row per (metric, statistic) measured: TTFT and TPOT, mean and p99."""
    rows = []
    for metric, predicted in (("TTFT", result.ttft_ms), ("TPOT", result.tpot_ms)):
        for stat in ("mean", "p99"):
            got = measured.get((metric, stat))
            f = factor(got, predicted)
            if predicted is None:
                text = f"AIConfigurator gave no {metric} for the deployed configuration"
            elif got is None:
                text = f"{metric} {stat} was not measured: no calibration"
            else:
                text = (
                    f"AIConfigurator predicts {predicted:.3g} ms {metric} for the deployed "
                    f"configuration at this traffic; measured {stat} {got:.3g} ms: x{f:.2f}"
                )
            rows.append(
                CalibrationRow(
                    metric=metric,  # type: ignore[arg-type]
                    statistic=stat,
                    predicted_ms=predicted,
                    measured_ms=got,
                    factor=f,
                    text=text,
                )
            )
    return rows


def scale_of(rows: list[CalibrationRow], metric: str, stat: str) -> float | None:
    """The factor of one row, None when not calibrated."""
    return next((r.factor for r in rows if r.metric == metric and r.statistic == stat), None)
