"""The proposal: the search request from the observed traffic, the configuration chosen, its
replicas sized from the observed request rate, and its expected effect scaled by the
calibration."""

from __future__ import annotations

import math
from datetime import datetime

from ..aic import AicRun, PlanRequest, make_request
from ..aic.interpret import ModePlan, mode_plan
from ..aic.mode_plans import MODES
from ..planfile import Plan
from ..reports.replan import CalibrationRow, Cited, ExpectedRow
from .assumptions import Kept
from .calibrate import scale_of
from .observe import Observed

#: Replicas are sized for the observed rate plus this share (room for bursts).
HEADROOM = 0.2


def search_request(kept: Kept, isl: int, osl: int) -> PlanRequest:
    """The sweep: the observed ISL/OSL, the kept SLA and GPU budget."""
    return make_request(
        model=kept.model,
        system=kept.system,
        total_gpus=kept.total_gpus,
        backend=kept.backend,
        isl=isl,
        osl=osl,
        ttft_ms=kept.ttft_ms,
        tpot_ms=kept.tpot_ms,
        request_latency_ms=kept.request_latency_ms if kept.tpot_ms is None else None,
    )


def choose(
    run: AicRun, created_at: datetime, rate: float | None = None
) -> tuple[ModePlan | None, str]:
    """The mode plan meeting the SLA (by AIConfigurator's prediction), one whose request rate
    covers the observed ``rate`` first, then the most tokens/s per GPU; None, and why, when no
    mode meets the SLA."""
    plans = [p for mode in MODES if (p := mode_plan(run, mode, created_at=created_at))]
    meeting = [p for p in plans if p.sla_met]
    if not meeting:
        missed = "; ".join(f"{p.plan.serving_mode}: {', '.join(p.violations)}" for p in plans)
        return None, (
            "AIConfigurator finds no configuration within the GPU budget that meets the SLA at "
            f"the observed traffic ({missed or 'no configuration returned'})"
        )

    def key(p: ModePlan) -> tuple[bool, float]:
        e = p.plan.expected
        covers = rate is None or (e.requests_per_second or 0.0) >= rate
        return covers, e.tokens_per_second_per_gpu

    best = max(meeting, key=key)
    e = best.plan.expected
    others = [p for p in plans if p is not best]
    versus = "".join(
        f"; best {o.plan.serving_mode}: {o.plan.expected.tokens_per_second_per_gpu:.1f} tok/s/GPU"
        + ("" if o.sla_met else " (misses the SLA)")
        for o in others
    )
    return best, (
        f"{best.plan.serving_mode} rank {best.rank} of {best.candidates}: meets the SLA by "
        f"AIConfigurator's prediction (TTFT {e.ttft_ms:.1f} ms, TPOT {e.tpot_ms:.2f} ms) with the "
        f"most output tokens/s per GPU ({e.tokens_per_second_per_gpu:.1f}{versus})"
    )


def size_replicas(plan: Plan, rate: float | None, queued: float | None) -> tuple[Plan, str]:
    """Fewer replicas when the observed rate (plus HEADROOM) needs fewer than the budget fills."""
    replicas = plan.config.replicas
    total = plan.expected.requests_per_second
    if rate is None or not total:
        why = "no request rate observed" if rate is None else "AIConfigurator gave no request rate"
        return plan, f"{replicas} replica(s): the GPU budget ({why})"
    each = total / replicas
    needed = max(math.ceil(rate * (1 + HEADROOM) / each), 1)
    said = (
        f"{rate:.2f} req/s observed + {HEADROOM:.0%} headroom at {each:.2f} req/s per replica "
        f"(AIConfigurator) needs {needed}"
    )
    if queued:
        said += f"; requests were queued ({queued:.1f} on average), so demand may be higher"
    per_replica = plan.config.gpus_per_replica()
    if needed >= replicas:
        short = (
            f"; the budget allows {replicas}: --total-gpus {needed * per_replica} for {needed}"
            if needed > replicas
            else ""
        )
        return plan, f"{replicas} replica(s): {said}{short}"
    scale = needed / replicas
    e = plan.expected
    expected = e.model_copy(
        update={
            k: round(v * scale, 3)
            for k, v in (
                ("tokens_per_second", e.tokens_per_second),
                ("requests_per_second", e.requests_per_second),
                ("concurrency", e.concurrency),
            )
            if v is not None
        }
    )
    config = plan.config.model_copy(update={"replicas": needed, "total_gpus": needed * per_replica})
    sized = plan.model_copy(update={"config": config, "expected": expected})
    return sized, f"{needed} replica(s): {said}, of the {replicas} the budget fills"


def _cited(figure: str, value: float | None, unit: str, source: str, detail: str) -> Cited:
    rounded = None if value is None else round(value, 3)
    return Cited(figure=figure, value=rounded, unit=unit, source=source, detail=detail)  # type: ignore[arg-type]


def _latency_row(
    metric: str,
    today: float | None,
    predicted: float,
    rows: list[CalibrationRow],
    target: float | None,
    measured_as: str | None = None,
) -> ExpectedRow:
    tail = scale_of(rows, metric, "p99")
    mean = scale_of(rows, metric, "mean")
    f, how = (tail, "x p99 factor") if tail else (mean, "x mean factor") if mean else (1.0, "")
    f = f or 1.0
    expected = predicted * f
    detail = (
        f"AIConfigurator {predicted:.3g} ms {how} {f:.2f}"
        if how
        else "AIConfigurator's prediction, uncalibrated (no measurement to calibrate on)"
    )
    said = f"{measured_as} p99, standing in for {metric}" if measured_as else f"{metric} p99"
    return ExpectedRow(
        metric=f"{metric} p99",
        today=_cited(said, today, "ms", "measured", "the metrics window"),
        predicted=_cited(f"{metric}", predicted, "ms", "aiconfigurator", "the search's row"),
        expected=_cited(f"{metric} p99", expected, "ms", "derived", detail),
        target=target,
        meets=None if target is None else expected <= target,
    )


def expected_rows(
    plan: Plan, obs: Observed, rows: list[CalibrationRow], kept: Kept, gpus_today: int
) -> list[ExpectedRow]:
    """TTFT and TPOT p99, requests/s it can serve, output tok/s per GPU and GPUs: today,
    AIConfigurator's prediction, and what to expect (calibrated, bounded by the demand)."""
    e = plan.expected
    return [
        _latency_row("TTFT", obs.ttft_p99, e.ttft_ms, rows, kept.ttft_ms),
        _latency_row("TPOT", obs.tpot_p99, e.tpot_ms, rows, kept.tpot_ms, obs.tpot_name),
        _capacity_row(plan, obs),
        _throughput_row(plan, obs),
        ExpectedRow(
            metric="GPUs",
            today=_cited("GPUs", gpus_today, "GPUs", "deployed", "GPUs the PodCliqueSet requests"),
            predicted=None,
            expected=_cited(
                "GPUs",
                plan.config.total_gpus,
                "GPUs",
                "derived",
                f"{plan.config.replicas} replica(s) x {plan.config.gpus_per_replica()} GPUs",
            ),
            target=None,
            meets=None,
        ),
    ]


def _capacity_row(plan: Plan, obs: Observed) -> ExpectedRow:
    """The request rate the proposal sustains at its SLA against the rate observed."""
    capacity = plan.expected.requests_per_second
    rate = obs.requests_per_second
    return ExpectedRow(
        metric="requests/s it can serve",
        today=_cited("request rate", rate, "req/s", "measured", "the rate served in the window"),
        predicted=_cited("request rate", capacity, "req/s", "aiconfigurator", "at its batch"),
        expected=_cited(
            "request rate", capacity, "req/s", "derived", "AIConfigurator's, uncalibrated"
        ),
        target=rate,
        at_least=True,
        meets=None if capacity is None or rate is None else capacity >= rate,
    )


def _throughput_row(plan: Plan, obs: Observed) -> ExpectedRow:
    """Output tok/s per GPU: AIConfigurator's capacity at the SLA (uncalibrated, as the replica
    sizing and the request rate row), bounded by the demand observed: more capacity than
    traffic serves no more tokens."""
    e = plan.expected
    capacity = e.tokens_per_second_per_gpu
    how = "AIConfigurator's capacity at the SLA, uncalibrated (as the request rate row)"
    gpus = plan.config.total_gpus
    demand = obs.output_tokens_per_second / gpus if obs.output_tokens_per_second and gpus else None
    if demand is not None and demand < capacity:
        capacity, how = (
            demand,
            (
                f"the observed {obs.output_tokens_per_second:,.0f} output tok/s over {gpus} GPUs: "
                "the traffic, not the capacity, bounds it"
            ),
        )
    return ExpectedRow(
        metric="output tok/s per GPU",
        today=_cited(
            "output tok/s per GPU", obs.tokens_per_gpu, "tok/s/GPU", "measured", "the window"
        ),
        predicted=_cited(
            "tok/s/GPU",
            e.tokens_per_second_per_gpu,
            "tok/s/GPU",
            "aiconfigurator",
            "at its batch size, per GPU",
        ),
        expected=_cited("output tok/s per GPU", capacity, "tok/s/GPU", "derived", how),
        target=None,
        meets=None,
    )
