"""``replan`` end to end: evidence → steadiness → observed traffic → calibration → search →
proposal. AIConfigurator runs in child processes through the runners in ``ReplanArgs``."""

from __future__ import annotations

import time
from collections.abc import Callable

from ..aic import AicProgress, EstimateRequest, RenderOptions, SlaUnmeetable
from ..aic.cluster_fit import fit_to_cluster
from ..aic.manifests import render_pcs, to_yaml_all
from ..capabilities.common import header
from ..capabilities.workload import build_workload
from ..diagnosis import gather_evidence
from ..diagnosis.analyzers.blind_spots import metrics_blind_spots
from ..performance.drift import traffic_drift
from ..plans.diff import diff_rows
from ..reports.common import Severity, Summary
from ..reports.replan import Proposal, ReplanReport, ReplanTimings, Shape
from ..snapshot import Snapshot
from ..sources.metrics_collect import Collected
from .args import ReplanArgs
from .assumptions import resolve
from .calibrate import calibrate, point
from .observe import Observed, batch_per_worker, observe
from .propose import choose, expected_rows, search_request, size_replicas
from .shape import deployed_shape, plan_shape, same_configuration
from .steady import unsteady_reasons

STATISTIC = (
    "mean ISL and OSL: AIConfigurator models every request at one length, and the mean keeps the "
    "prefill and decode work per second what the deployment serves; the chosen configuration is "
    "then checked at the p90 ISL, where long prompts meet the TTFT target or not"
)


def _band(args: ReplanArgs, lo: float, hi: float, started: float) -> Callable[[AicProgress], None]:
    """Progress of one AIConfigurator run, mapped into [lo, hi] of the whole re-plan."""

    def forward(p: AicProgress) -> None:
        if args.on_aic_progress:
            args.on_aic_progress(p.model_copy(update={
                "fraction": round(lo + (hi - lo) * p.fraction, 3),
                "elapsed_s": round(time.monotonic() - started, 3),
            }))

    return forward


def _summary(ok: bool, severity: Severity, text: str) -> Summary:
    return Summary(ok=ok, severity=severity, text=text)


def build_replan(
    snapshot: Snapshot, name: str, args: ReplanArgs, collected: Collected | None
) -> ReplanReport:
    """The re-plan of ``name`` from the metrics window in ``collected``."""
    started = time.monotonic()
    workload = build_workload(snapshot, name)
    ev = gather_evidence(snapshot, name, args, collected)
    base = {**header(snapshot, workload), "name": name}
    reasons = unsteady_reasons(ev)
    m = ev.metrics
    blind = metrics_blind_spots(ev)
    if m is None or not any(p.read for p in m.pods):
        text = blind[0].title if blind else "no metrics were read"
        return ReplanReport(
            **base,
            summary=_summary(False, Severity.warning, f"nothing to re-plan from: {text}"),
            answer=f"No traffic could be observed, so there is nothing to re-plan from: {text}. "
            + (f"{blind[0].remediation}" if blind else ""),
            steady=not reasons, unsteady_reasons=reasons,
            window_seconds=m.window_seconds if m else None,
            assumptions=[], observed=[], statistic=STATISTIC, drift=None, deployed=None,
            calibration=[], proposal=None,
            not_observed=[e for f in blind for e in f.evidence] or [ev.metrics_why_not or ""],
            timings=None,
        )
    obs = observe(m)
    shape, why_no_shape = deployed_shape(workload, batch_per_worker(m))
    kept = resolve(ev.plan, ev.plan_origin, args.assumptions, args.total_gpus,
                   shape.total_gpus if shape else 0)
    drift = traffic_drift(ev.plan, m.traffic) if ev.plan is not None else None
    not_observed = list(obs.not_observed) + ([why_no_shape] if why_no_shape else [])
    common = dict(
        base, steady=not reasons, unsteady_reasons=reasons, window_seconds=m.window_seconds,
        assumptions=kept.cited, observed=obs.cited, statistic=STATISTIC, drift=drift,
        deployed=shape, not_observed=not_observed,
    )
    isl = obs.isl_mean or obs.isl_p50
    osl = obs.osl_mean or obs.osl_p50
    if isl is None or osl is None or shape is None:
        missing = "the deployed configuration" if shape is None else "ISL and OSL"
        return ReplanReport(
            **common, calibration=[], proposal=None, timings=None,
            summary=_summary(False, Severity.warning, f"cannot re-plan: {missing} not observed"),
            answer=f"Cannot re-plan {name}: {missing} could not be observed "
            f"({'; '.join(not_observed) or why_no_shape}).",
        )
    if reasons and not args.force:
        return ReplanReport(
            **common, calibration=[], proposal=None, timings=None,
            summary=_summary(False, Severity.warning,
                             f"not steady ({len(reasons)} reason(s)): no proposal"),
            answer=f"{name} is not steady ({reasons[0]}), so its measurements do not describe "
            "what the configuration does: no proposal until it is (fix it, or --force to see "
            "one anyway, marked as such).",
        )
    return _replan(snapshot, workload, args, ev.plan_origin, common, obs, shape, kept,
                   round(isl), round(osl), bool(drift and drift.drifted), started)


def _replan(snapshot, workload, args, origin, common, obs: Observed, shape: Shape, kept, isl,
            osl, drifted, started) -> ReplanReport:  # type: ignore[no-untyped-def]
    name = workload.name
    isl90 = round(obs.isl_p90 or isl)
    ask = dict(model=kept.model, system=kept.system, backend=kept.backend)
    measured = {("TTFT", "mean"): obs.ttft_mean, ("TTFT", "p99"): obs.ttft_p99,
                ("TPOT", "mean"): obs.tpot_mean, ("TPOT", "p99"): obs.tpot_p99}
    run_kw = dict(timeout_s=args.timeout_s, cancel=args.cancel)
    one = next(iter(shape.roles))
    deployed = shape.model_copy(update={"replicas": 1})
    est = args.estimate(
        EstimateRequest(**ask, points=[point("deployed", deployed, isl, osl)]),
        on_progress=_band(args, 0.0, 0.2, started), **run_kw,
    )
    result = est.points[0]
    calibration = calibrate(result, measured) if result.error is None else []
    notes = [] if result.error is None else [
        f"AIConfigurator could not estimate the deployed configuration ({result.error}): the "
        "proposal is not calibrated."]
    del one
    try:
        run = args.run(search_request(kept, isl, osl), on_progress=_band(args, 0.2, 0.9, started),
                       **run_kw)
    except SlaUnmeetable as err:
        return _no_proposal(common, calibration, err.message, started, est.wall_s or 0.0)
    chosen, because = choose(run, created_at=snapshot.now)
    aic_s = (est.wall_s or 0.0) + (run.wall_s or 0.0)
    if chosen is None:
        return _no_proposal(common, calibration, because, started, aic_s)
    plan, replicas_from = size_replicas(chosen.plan, obs.requests_per_second, obs.queued)
    proposed = plan_shape(plan)
    check = args.estimate(
        EstimateRequest(**ask, points=[point("proposal@p90", proposed.model_copy(
            update={"replicas": 1}), isl90, osl)]),
        on_progress=_band(args, 0.9, 1.0, started), **run_kw,
    )
    aic_s += check.wall_s or 0.0
    p90 = _p90_text(check.points[0], calibration, kept.ttft_ms, isl90)
    options = fit_to_cluster(RenderOptions(name=name, namespace=workload.pcs.metadata.namespace,
                                           image=_image(workload)).validated(), snapshot).options
    pcs = render_pcs(plan, chosen.engine, options)
    plan = plan.model_copy(update={"name": pcs.name})
    rows = expected_rows(plan, obs, calibration, kept, shape.total_gpus)
    sla_met_today = obs.ttft_p99 is not None and obs.ttft_p99 <= kept.ttft_ms and (
        kept.tpot_ms is None or (obs.tpot_p99 is not None and obs.tpot_p99 <= kept.tpot_ms))
    same = same_configuration(proposed, shape)
    change = not same and (drifted or not sla_met_today or bool(args.total_gpus))
    directory = args.save_dir
    proposal = Proposal(
        change_needed=change, shape=proposed, chosen_because=because,
        replicas_from=replicas_from, expected=rows, p90_check=p90,
        diff=diff_rows(workload, plan)[0], manifest=to_yaml_all(pcs.documents()), plan=plan,
        file=str(directory / f"{name}.replan.yaml") if directory else None,
        plan_file=str(directory / f"{name}.replan.plan.json") if directory else None,
        forced=bool(common["unsteady_reasons"]),
    )
    total = time.monotonic() - started
    timings = ReplanTimings(total_s=round(total, 3), aiconfigurator_s=round(aic_s, 3),
                            overhead_s=round(max(total - aic_s, 0.0), 3))
    effect = ", ".join(
        f"{r.metric} {r.today.value if r.today.value is not None else '?'} -> "
        f"{r.expected.value:g} {r.expected.unit}" for r in rows if r.expected.value is not None)
    if change:
        summary = _summary(False, Severity.warning, f"re-plan: move to {proposed.text}")
        answer = (f"Move {name} from {shape.text} to {proposed.text}. Expected, calibrated on what "
                  f"it does today: {effect}.")
    else:
        why = ("the deployed configuration is already the best AIConfigurator finds for the "
               "observed traffic" if same else
               "the traffic matches the plan and the SLA is met today; AIConfigurator would now "
               f"pick {proposed.text}, a change not worth a rollout on its own")
        summary = _summary(True, Severity.info, "no change needed")
        answer = f"No change needed for {name}: {why}. Today: {effect}."
    if proposal.forced:
        answer = "NOT STEADY, shown because of --force: " + answer
    return ReplanReport(**{**common, "not_observed": common["not_observed"] + notes},
                        summary=summary, answer=answer, calibration=calibration,
                        proposal=proposal, timings=timings)


def _p90_text(result, calibration, target: float, isl90: int) -> str:  # type: ignore[no-untyped-def]
    if result.error is not None or result.ttft_ms is None:
        return f"not checked at the p90 ISL ({isl90} tokens): {result.error or 'no TTFT'}"
    f = next((r.factor for r in calibration if r.metric == "TTFT" and r.statistic == "mean"), None)
    ttft = result.ttft_ms * (f or 1.0)
    scaled = f" x{f:.2f} calibrated = {ttft:.1f} ms" if f else " (uncalibrated)"
    verdict = "within" if ttft <= target else "over"
    return (f"at the p90 ISL ({isl90} tokens) AIConfigurator predicts TTFT "
            f"{result.ttft_ms:.1f} ms{scaled}: {verdict} the {target:g} ms target")


def _image(workload) -> str | None:  # type: ignore[no-untyped-def]
    images = {c.image for clique in workload.pcs.spec.template.cliques
              for c in clique.spec.pod_spec.containers if c.image}
    return images.pop() if len(images) == 1 else None


def _no_proposal(common, calibration, why: str, started: float, aic_s: float) -> ReplanReport:  # type: ignore[no-untyped-def]
    total = time.monotonic() - started
    return ReplanReport(
        **common, calibration=calibration, proposal=None,
        summary=Summary(ok=False, severity=Severity.warning, text="no configuration meets the SLA"),
        answer=f"No proposal: {why}.",
        timings=ReplanTimings(total_s=round(total, 3), aiconfigurator_s=round(aic_s, 3),
                              overhead_s=round(max(total - aic_s, 0.0), 3)),
    )
