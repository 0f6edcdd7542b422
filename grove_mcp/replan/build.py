"""``replan`` end to end: evidence → steadiness → observed traffic → calibration → search →
proposal. AIConfigurator runs in child processes through the runners in ``ReplanArgs``."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..aic import (
    AicProgress,
    EstimatePointResult,
    RenderOptions,
    SlaUnmeetable,
    make_estimate_request,
)
from ..aic.cluster_fit import fit_to_cluster
from ..aic.interpret import ModePlan
from ..aic.manifests import render_pcs, to_yaml_all
from ..capabilities.common import header
from ..capabilities.workload import Workload, build_workload
from ..diagnosis import gather_evidence
from ..diagnosis.analyzers.blind_spots import metrics_blind_spots
from ..performance.drift import traffic_drift
from ..plans.diff import diff_rows
from ..reports.common import Severity, Summary
from ..reports.plan_reports import RenderedDeployment
from ..reports.replan import (
    CalibrationRow,
    ExpectedRow,
    Proposal,
    ReplanReport,
    ReplanTimings,
    Shape,
    proposal_file_names,
)
from ..snapshot import Snapshot
from ..sources.metrics_collect import Collected
from .args import ReplanArgs
from .assumptions import Kept, resolve
from .calibrate import calibrate, point, scale_of
from .observe import Observed, batch_per_worker, observe
from .propose import choose, expected_rows, search_request, size_replicas
from .shape import deployed_shape, plan_shape, same_configuration, worker_image
from .steady import unsteady_reasons

STATISTIC = (
    "mean ISL and OSL: AIConfigurator models every request at one length, and the mean keeps the "
    "prefill and decode work per second what the deployment serves; the chosen configuration is "
    "then checked at the p90 ISL, where long prompts meet the TTFT target or not"
)
T = TypeVar("T")


def _summary(ok: bool, text: str) -> Summary:
    return Summary(ok=ok, severity=Severity.info if ok else Severity.warning, text=text)


@dataclass
class _Run:
    """One re-plan in progress: its inputs, and the time spent in AIConfigurator."""

    args: ReplanArgs
    snapshot: Snapshot
    workload: Workload
    obs: Observed
    shape: Shape
    kept: Kept
    drifted: bool
    common: dict[str, Any]
    started: float
    aic_s: float = 0.0

    def aic(self, call: Callable[..., T], request: Any, lo: float, hi: float) -> T:
        """``call(request)`` (a runner) with its progress mapped into [lo, hi], timed."""

        def forward(p: AicProgress) -> None:
            if self.args.on_aic_progress:
                self.args.on_aic_progress(
                    p.model_copy(
                        update={
                            "fraction": round(lo + (hi - lo) * p.fraction, 3),
                            "elapsed_s": round(time.monotonic() - self.started, 3),
                        }
                    )
                )

        began = time.monotonic()
        try:
            return call(request, on_progress=forward, timeout_s=self.args.timeout_s,
                        cancel=self.args.cancel)  # fmt: skip
        finally:
            self.aic_s += time.monotonic() - began

    def estimate(
        self, label: str, shape: Shape, isl: int, lo: float, hi: float
    ) -> EstimatePointResult:
        k = self.kept
        one = shape.model_copy(update={"replicas": 1})
        request = make_estimate_request(
            model=k.model, system=k.system, backend=k.backend,
            points=[point(label, one, isl, self.osl)],
        )  # fmt: skip
        return self.aic(self.args.estimate, request, lo, hi).points[0]

    @property
    def isl(self) -> int:
        return round(self.obs.isl_mean or self.obs.isl_p50 or 0)

    @property
    def osl(self) -> int:
        return round(self.obs.osl_mean or self.obs.osl_p50 or 0)

    def timings(self) -> ReplanTimings:
        total = time.monotonic() - self.started
        return ReplanTimings(
            total_s=round(total, 3),
            aiconfigurator_s=round(self.aic_s, 3),
            overhead_s=round(max(total - self.aic_s, 0.0), 3),
        )


def build_replan(
    snapshot: Snapshot, name: str, args: ReplanArgs, collected: Collected | None
) -> ReplanReport:
    """The re-plan of ``name`` from the metrics window in ``collected``."""
    started = time.monotonic()  # the window is over: what follows is the re-plan's own time
    workload = build_workload(snapshot, name)
    ev = gather_evidence(snapshot, name, args, collected)
    reasons = unsteady_reasons(ev)
    head = header(snapshot, workload)
    # what health could not read (the operator's Deployment: Grove's rules) limits the gate too
    head["notes"] += [n for n in ev.health.notes if n not in head["notes"]]
    if snapshot.operator_deployments is None and snapshot.operator_note:
        version = ev.health.grove_version
        head["notes"].append(f"Grove's version (its termination rules) from {version.evidence}")
    base: dict[str, Any] = {
        **head,
        "name": name,
        "steady": not reasons,
        "unsteady_reasons": reasons,
        "statistic": STATISTIC,
    }
    m = ev.metrics
    if m is None or not any(p.read for p in m.pods):
        blind = metrics_blind_spots(ev)
        said = blind[0].title if blind else f"metrics {ev.metrics_why_not or 'not read'}"
        fix = f" {blind[0].remediation}" if blind else ""
        return ReplanReport(
            **base,
            summary=_summary(False, f"nothing to re-plan from: {said}"),
            answer=f"No traffic could be observed, so there is nothing to re-plan from: {said}."
            + fix,
            window_seconds=m.window_seconds if m else None,
            assumptions=[], observed=[], drift=None, deployed=None, calibration=[],
            proposal=None, timings=None,
            not_observed=[e for f in blind for e in f.evidence] or [said],
        )  # fmt: skip
    obs = observe(m)
    shape, no_shape = deployed_shape(workload, batch_per_worker(m))
    drift = traffic_drift(ev.plan, m.traffic) if ev.plan is not None else None
    common = {
        **base,
        "window_seconds": m.window_seconds,
        "assumptions": [],
        "observed": obs.cited,
        "drift": drift,
        "deployed": shape,
        "not_observed": obs.not_observed + ([no_shape] if no_shape else []),
    }
    stop = None
    if shape is None or not (obs.isl_mean or obs.isl_p50) or not (obs.osl_mean or obs.osl_p50):
        missing = "the deployed configuration" if shape is None else "ISL and OSL"
        why = "; ".join(common["not_observed"]) or "no request finished in the window"
        stop = (
            _summary(False, f"cannot re-plan: {missing} not observed"),
            f"Cannot re-plan {name}: {missing} could not be observed ({why}).",
        )
    elif reasons and not args.force:
        stop = (
            _summary(False, f"not steady ({len(reasons)} reason(s)): no proposal"),
            f"{name} is not steady ({reasons[0]}), so its measurements do not describe what the "
            "configuration does: no proposal until it is (fix that first, or --force to see one "
            "anyway, marked as such).",
        )
    if stop is not None or shape is None:
        summary, answer = stop or (_summary(False, "cannot re-plan"), "")
        return ReplanReport(
            **common, summary=summary, answer=answer, calibration=[], proposal=None, timings=None
        )
    kept = resolve(ev.plan, ev.plan_origin, args.assumptions, args.total_gpus, shape.total_gpus)
    common["assumptions"] = kept.cited
    drifted = bool(drift and drift.drifted)
    run = _Run(args, snapshot, workload, obs, shape, kept, drifted, common, started)
    return _replan(run)


def _replan(r: _Run) -> ReplanReport:
    calibration = _calibration(r)
    try:
        found = r.aic(r.args.run, search_request(r.kept, r.isl, r.osl), 0.2, 0.9)
    except SlaUnmeetable as err:
        return _no_proposal(r, calibration, err.message)
    chosen, because = choose(found, r.snapshot.now, r.obs.requests_per_second)
    if chosen is None:
        return _no_proposal(r, calibration, because)
    return _propose(r, chosen, because, calibration)


def _calibration(r: _Run) -> list[CalibrationRow]:
    """AIConfigurator's estimate of the deployed configuration against the measurements; none
    (and a note why) when the batch it would need was not observed or it cannot estimate."""
    unread = [x.role for x in r.shape.roles if x.role != "prefill" and x.batch_size is None]
    if unread:
        r.common["notes"].append(
            f"The running requests of the {', '.join(unread)} workers were not read, so their "
            "batch size is unknown: AIConfigurator was not calibrated on the deployment."
        )
        return []
    deployed = r.estimate("deployed", r.shape, r.isl, 0.0, 0.2)
    if deployed.error is not None:
        r.common["notes"].append(
            f"AIConfigurator could not estimate the deployed configuration ({deployed.error}): "
            "the proposal is not calibrated."
        )
        return []
    measured = {
        ("TTFT", "mean"): r.obs.ttft_mean,
        ("TTFT", "p99"): r.obs.ttft_p99,
        ("TPOT", "mean"): r.obs.tpot_mean,
        ("TPOT", "p99"): r.obs.tpot_p99,
    }
    return calibrate(deployed, measured)


def _propose(
    r: _Run, chosen: ModePlan, because: str, calibration: list[CalibrationRow]
) -> ReplanReport:
    name = r.workload.name
    plan, replicas_from = size_replicas(chosen.plan, r.obs.requests_per_second, r.obs.queued)
    proposed = plan_shape(plan)
    isl90 = round(r.obs.isl_p90 or r.isl)
    at_p90 = r.estimate("proposal@p90", proposed, isl90, 0.9, 1.0)
    constraint = r.workload.pcs.spec.template.topology_constraint
    required = constraint.required if constraint else None
    options = RenderOptions(
        name=name,
        namespace=r.snapshot.namespace,
        image=worker_image(r.workload),
        pack_domain=required,
        topology_name=constraint.topology_name if constraint and required else None,
    )
    if constraint and constraint.preferred and not required:
        r.common["notes"].append(
            f"The deployment prefers packing by {constraint.preferred}; the proposal renders no "
            "preferred constraint: add it back to the manifest before applying if you want it."
        )
    options = fit_to_cluster(options.validated(), r.snapshot).options
    pcs = render_pcs(plan, chosen.engine, options)
    plan = plan.model_copy(update={"name": pcs.name})
    rows = expected_rows(plan, r.obs, calibration, r.kept, r.shape.total_gpus)
    same = same_configuration(proposed, r.shape)
    today = _sla_met(r.obs, r.kept)  # None: not measured
    short = [row for row in rows if row.meets is False]  # calibrated misses, capacity short
    budget = r.args.total_gpus not in (None, r.shape.total_gpus)
    # what the proposal would miss is said, but moves nothing on its own: a deployment that
    # meets its SLA on the traffic it was planned for serves it, whatever a model predicts
    change = not same and (r.drifted or today is False or budget)
    where = r.args.save_dir
    manifest_file, plan_file = proposal_file_names(name)
    forced = bool(r.common["unsteady_reasons"])
    proposal = Proposal(
        change_needed=change,
        shape=proposed,
        chosen_because=because,
        replicas_from=replicas_from,
        expected=rows,
        p90_check=_p90_text(at_p90, calibration, r.kept.ttft_ms, isl90),
        diff=diff_rows(r.workload, plan, _rendered(options))[0],
        manifest=to_yaml_all(pcs.documents()),
        plan=plan,
        file=str(where / manifest_file) if where else None,
        plan_file=str(where / plan_file) if where else None,
        forced=forced,
    )
    effect = "; ".join(
        f"{row.metric} {_shown(row.today.value)} -> {_shown(row.expected.value)} {row.expected.unit}"
        for row in rows
    )
    how = "calibrated on what it does today" if calibration else "AIConfigurator's, uncalibrated"
    still = _still_short(short, replicas_from)
    if change:
        summary = _summary(False, f"re-plan: move to {proposed.text}")
        answer = f"Move {name} from {r.shape.text} to {proposed.text}. Expected ({how}): {effect}."
        answer += f" {still}" if still else ""
    elif same and (today is False or short):
        summary = _summary(False, "no better configuration within the GPU budget")
        answer = (
            f"{name} already runs the best configuration AIConfigurator finds within "
            f"{r.kept.total_gpus} GPUs for the observed traffic, and it does not meet the SLA. "
            f"{still or 'Give more GPUs (--total-gpus) or looser targets (--ttft, --tpot).'} "
            f"Expected ({how}): {effect}."
        )
    else:
        why = (
            "the deployed configuration is already the best AIConfigurator finds for the observed "
            "traffic"
            if same
            else "the traffic matches the plan and the SLA is met today (AIConfigurator would now "
            f"pick {proposed.text}: not worth a rollout on its own)"
        )
        summary = _summary(True, "no change needed")
        answer = f"No change needed for {name}: {why}. Expected ({how}): {effect}."
    if forced:
        answer = "NOT STEADY, shown because of --force: " + answer
    return ReplanReport(
        **r.common,
        summary=summary,
        answer=answer,
        calibration=calibration,
        proposal=proposal,
        timings=r.timings(),
    )


def _rendered(options: RenderOptions) -> RenderedDeployment:
    """What the proposal's manifest renders around its plan, for the diff's image and
    topology rows."""
    return RenderedDeployment(
        image=options.image,
        topology_name=options.topology_name,
        pack_required=options.pack_domain,
        pack_preferred=None,
    )


def _sla_met(obs: Observed, kept: Kept) -> bool | None:
    """The measured p99 latencies within the targets; None when neither was measured."""
    checks = [obs.ttft_p99 <= kept.ttft_ms] if obs.ttft_p99 is not None else []
    if kept.tpot_ms is not None and obs.tpot_p99 is not None:
        checks.append(obs.tpot_p99 <= kept.tpot_ms)
    return all(checks) if checks else None


def _still_short(short: list[ExpectedRow], replicas_from: str) -> str:
    """What the proposal would still miss, calibrated, and what it would take."""
    if not short:
        return ""
    said = ", ".join(
        f"{row.metric} ({_shown(row.expected.value)} against "
        f"{_shown(row.target)} {row.expected.unit})"
        for row in short
    )
    capacity = any(row.metric.startswith("requests/s") for row in short)
    more = f" Replicas: {replicas_from}." if capacity else ""
    return (
        f"It would still miss {said}: AIConfigurator meets the SLA only by its own prediction."
        f"{more} More GPUs (--total-gpus) or looser targets (--ttft, --tpot) would close the gap."
    )


def _shown(value: float | None) -> str:
    return "?" if value is None else f"{value:,.4g}"


def _p90_text(
    result: EstimatePointResult, calibration: list[CalibrationRow], target: float, isl90: int
) -> str:
    if result.error is not None or result.ttft_ms is None:
        return f"not checked at the p90 ISL ({isl90} tokens): {result.error or 'no TTFT'}"
    factor = scale_of(calibration, "TTFT", "mean")
    ttft = result.ttft_ms * (factor or 1.0)
    scaled = f", x{factor:.2f} calibrated = {ttft:.1f} ms" if factor else " (uncalibrated)"
    verdict = "within" if ttft <= target else "over"
    return (
        f"at the p90 ISL ({isl90} tokens) AIConfigurator predicts TTFT {result.ttft_ms:.1f} ms"
        f"{scaled}: {verdict} the {target:g} ms target"
    )


def _no_proposal(r: _Run, calibration: list[CalibrationRow], why: str) -> ReplanReport:
    return ReplanReport(
        **r.common,
        calibration=calibration,
        proposal=None,
        summary=_summary(False, "no configuration meets the SLA at the observed traffic"),
        answer=f"No proposal: {why.rstrip('.')}. With this traffic the SLA needs more GPUs "
        "(--total-gpus N) or looser targets (--ttft, --tpot).",
        timings=r.timings(),
    )
