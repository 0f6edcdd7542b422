"""Estimate points for configurations AIConfigurator's own sweep returned (its CSV rows).

Re-planning checks a chosen configuration at other traffic (p90 ISL): the same parallelism,
batch and workers as the row, another ISL/OSL. The row's columns are those of ``cli default``
(``tp``, ``bs``, …; ``(p)``/``(d)`` prefixed for disagg, where workers are per replica).
"""

from __future__ import annotations

from typing import Any, Literal

from .protocol import Row
from .request import EstimatePoint


def point_from_row(
    label: str,
    mode: Literal["agg", "disagg"],
    row: Row,
    *,
    isl: int | None = None,
    osl: int | None = None,
    prefix: int | None = None,
) -> EstimatePoint:
    """The row's configuration as a point; ISL, OSL and prefix default to the row's own.
    Raises ``ValueError`` naming a column the row lacks."""
    try:
        fields: dict[str, Any] = {
            "label": label,
            "mode": mode,
            "isl": isl if isl is not None else row["isl"],
            "osl": osl if osl is not None else row["osl"],
            "prefix": prefix if prefix is not None else (row.get("prefix") or 0),
        }
        if mode == "agg":
            fields.update(_parallel(row, ""), batch_size=row["bs"])
        else:
            fields.update(prefill=_workers(row, "(p)"), decode=_workers(row, "(d)"))
    except KeyError as exc:
        raise ValueError(f"the {mode} row has no column {exc}: not a cli default row") from None
    return EstimatePoint.model_validate(fields)


def _parallel(row: Row, role: str) -> dict[str, Any]:
    return {
        "tp": row[f"{role}tp"],
        "pp": row.get(f"{role}pp") or 1,
        "dp": row.get(f"{role}dp") or 1,
        "moe_tp": row.get(f"{role}moe_tp"),
        "moe_ep": row.get(f"{role}moe_ep"),
    }


def _workers(row: Row, role: str) -> dict[str, Any]:
    return {
        **_parallel(row, role),
        "batch_size": row[f"{role}bs"],
        "workers": row[f"{role}workers"],
    }
