"""Traffic drift (issue 18, step 2): each observed traffic figure against the plan's
assumption, with the ratio. Pure.

Planned ISL and OSL are the plan's ``inputs.isl`` / ``inputs.osl``; the request rate is the
capacity the plan predicted (``expected.requests_per_second``), when it has one: above it is
overload, below it headroom (not drift: a plan sizes for the peak). ISL/OSL drifted when its mean
or p50 is at least :data:`DRIFT_ABOVE` times or at most :data:`DRIFT_BELOW` times the plan's; p90
rows show the tail and are not judged.
"""

from __future__ import annotations

from ..planfile import Plan
from ..reports.drift import DriftRow, TrafficDrift
from ..reports.metrics import TokenDistribution, Traffic

DRIFT_ABOVE = 1.25
DRIFT_BELOW = 0.8
JUDGED = ("mean", "p50")
THRESHOLDS = (
    f"drifted: the observed mean or p50 is ≥ ×{DRIFT_ABOVE:g} or ≤ ×{DRIFT_BELOW:g} the plan's "
    "ISL / OSL (inputs), or the request rate is above the capacity the plan predicted "
    "(overload; below it is headroom, not drift)",
    "p90 rows show the tail and are not judged",
)


def drifted(ratio: float | None) -> bool:
    """Whether a ratio observed / planned crosses a threshold."""
    return ratio is not None and (ratio >= DRIFT_ABOVE or ratio <= DRIFT_BELOW)


def _row(
    figure: str, statistic: str, planned: float, observed: float | None, unit: str, note: str
) -> DriftRow:
    ratio = observed / planned if observed is not None and planned > 0 else None
    if figure == "request rate":
        judged = ratio is not None and ratio > 1.0  # over capacity; under it is headroom
    else:
        judged = statistic in JUDGED and drifted(ratio)
    return DriftRow(
        figure=figure,
        statistic=statistic,
        planned=planned,
        observed=observed,
        ratio=ratio,
        unit=unit,
        drifted=judged,
        note=note,
    )


def _token_rows(figure: str, planned: int, dist: TokenDistribution | None) -> list[DriftRow]:
    if dist is None:
        return [
            _row(figure, s, planned, None, "tokens", "not observed") for s in ("mean", "p50", "p90")
        ]
    note = f"{dist.metric} ({dist.source})" + (f"; {dist.note}" if dist.note else "")
    return [
        _row(figure, "mean", planned, dist.mean, "tokens", note),
        _row(figure, "p50", planned, dist.p50, "tokens", note),
        _row(figure, "p90", planned, dist.p90, "tokens", note),
    ]


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def _summary(rows: list[DriftRow], observed_any: bool) -> str:
    by_figure: dict[str, list[DriftRow]] = {}
    for r in rows:
        by_figure.setdefault(r.figure, []).append(r)
    said = []
    for figure, group in by_figure.items():
        hit = [r for r in group if r.drifted]
        if not hit:
            continue
        if figure == "request rate":
            r = hit[0]
            said.append(
                f"the plan's capacity is {_number(r.planned)} req/s; the deployment receives "
                f"{_number(r.observed or 0)} req/s (×{r.ratio:.2f}: overloaded)"
            )
            continue
        r = next((r for r in hit if r.statistic == "mean"), hit[0])  # the mean is exact
        p50 = next((g for g in group if g.statistic == "p50" and g.observed is not None), None)
        median = f", p50 {_number(p50.observed or 0)}" if p50 is not None and r is not p50 else ""
        said.append(
            f"the plan assumed {figure} {_number(r.planned)}; the deployment serves "
            f"{r.statistic} {_number(r.observed or 0)} (×{r.ratio:.2f}){median}"
        )
    if said:
        return "; ".join(said)
    if not observed_any:
        return "traffic not observed: no ISL, OSL or request rate to compare with the plan"
    seen = [r for r in rows if r.statistic in JUDGED and r.ratio is not None]
    parts = [
        f"{r.figure} {r.statistic} ×{r.ratio:.2f}"
        for r in seen
        if r.statistic == "p50" or r.figure == "request rate"
    ]
    return "the traffic matches the plan (" + ", ".join(parts) + ")"


def traffic_drift(plan: Plan, traffic: Traffic) -> TrafficDrift:
    """The traffic served against the plan's assumptions, row by row."""
    rows = _token_rows("ISL", plan.inputs.isl, traffic.isl) + _token_rows(
        "OSL", plan.inputs.osl, traffic.osl
    )
    capacity = plan.expected.requests_per_second
    if capacity:
        rows.append(
            _row(
                "request rate",
                "mean",
                capacity,
                traffic.requests_per_second,
                "req/s",
                f"the rate the plan predicted (above it: overload); {traffic.requests_source}",
            )
        )
    observed_any = any(r.observed is not None for r in rows)
    return TrafficDrift(
        drifted=any(r.drifted for r in rows),
        summary=_summary(rows, observed_any),
        rows=rows,
        thresholds=list(THRESHOLDS),
    )
