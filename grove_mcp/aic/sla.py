"""Our own SLA check. AIConfigurator's exit code says nothing about it: when TPOT cannot be met it
returns the "closest" configurations anyway, so every figure is checked here against the targets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# AIConfigurator rounds its figures to 3 decimals; allow that much slack before calling a miss.
_TOLERANCE_MS = 0.0005


def violations(
    ttft_ms: float,
    tpot_ms: float,
    request_latency_ms: float | None,
    *,
    ttft_target: float,
    tpot_target: float | None,
    request_latency_target: float | None,
) -> list[str]:
    """Plain sentences, one per missed target; empty when every target is met."""
    out = []
    if ttft_ms > ttft_target + _TOLERANCE_MS:
        out.append(f"TTFT {ttft_ms:.1f} ms exceeds the {ttft_target:g} ms target")
    if tpot_target is not None and tpot_ms > tpot_target + _TOLERANCE_MS:
        out.append(f"TPOT {tpot_ms:.2f} ms exceeds the {tpot_target:g} ms target")
    if request_latency_target is not None:
        if request_latency_ms is None:
            out.append("request latency was not modelled, so its target cannot be checked")
        elif request_latency_ms > request_latency_target + _TOLERANCE_MS:
            out.append(
                f"request latency {request_latency_ms:.0f} ms exceeds the "
                f"{request_latency_target:g} ms target"
            )
    return out


def row_violations(
    row: Mapping[str, object],
    ttft_target: float,
    tpot_target: float | None,
    request_latency_target: float | None,
) -> list[str]:
    """``violations`` for one AIConfigurator result row (columns ttft, tpot, request_latency)."""
    latency = row.get("request_latency")
    return violations(
        float(row["ttft"]),  # type: ignore[arg-type]
        float(row["tpot"]),  # type: ignore[arg-type]
        float(latency) if isinstance(latency, int | float) else None,
        ttft_target=ttft_target,
        tpot_target=tpot_target,
        request_latency_target=request_latency_target,
    )


def select_row(
    rows: Sequence[Mapping[str, object]],
    ttft_target: float,
    tpot_target: float | None,
    request_latency_target: float | None,
) -> int | None:
    """The first row, in AIConfigurator's rank order, that meets every target; else row 0 (the
    closest AIConfigurator found); None when there are no rows."""
    for i, row in enumerate(rows):
        if not row_violations(row, ttft_target, tpot_target, request_latency_target):
            return i
    return 0 if rows else None
