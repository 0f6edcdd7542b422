"""Traffic drift: the traffic served is not the traffic the stored plan assumed (ISL, OSL, the
request rate it predicted), so the plan's configuration and SLA figures no longer describe the
deployment. A blind-spot note when ISL or OSL could not be observed."""

from __future__ import annotations

from ...performance.drift import traffic_drift
from ...reports.common import Severity
from ...reports.diagnose import DiagnosisFinding, Impact
from ...reports.drift import DriftRow
from ..base import Evidence, finding

NAME = "traffic_drift"


def _row_text(r: DriftRow) -> str:
    observed = "not observed" if r.observed is None else f"{r.observed:,.1f} {r.unit}"
    ratio = "" if r.ratio is None else f" (×{r.ratio:.2f})"
    mark = " — drifted" if r.drifted else ""
    return f"{r.figure} {r.statistic}: planned {r.planned:,.1f} {r.unit}, observed {observed}{ratio}{mark}"


def _blind_spot(ev: Evidence) -> list[DiagnosisFinding]:
    m = ev.metrics
    if m is None or not any(p.read for p in m.pods):
        return []  # nothing read at all: blind_spots says so
    missing = [n for n in m.traffic.not_observed if n.startswith(("ISL", "OSL"))]
    if not missing:
        return []
    return [
        finding(
            NAME,
            "TRAFFIC_NOT_OBSERVED",
            Severity.info,
            Impact.blind_spot,
            "The lengths of the requests served could not be observed",
            f"podcliqueset/{ev.name}",
            missing,
            "Without per-request ISL/OSL histograms, drift from the plan's traffic cannot be "
            "told, and a re-plan has no observed traffic to plan for.",
            "Scrape the Dynamo frontend, or run engines that serve per-request token histograms "
            "(vLLM by default; SGLang with --collect-tokens-histogram on older builds).",
            [ev.command("metrics")],
        )
    ]


def analyze(ev: Evidence) -> list[DiagnosisFinding]:
    out = _blind_spot(ev)
    if ev.metrics is None or ev.plan is None:
        return out
    drift = traffic_drift(ev.plan, ev.metrics.traffic)
    if not drift.drifted:
        return out
    out.append(
        finding(
            NAME,
            "TRAFFIC_DRIFT",
            Severity.warning,
            Impact.breaks_sla if ev.sla_missed else Impact.efficiency,
            f"The traffic is not what the plan assumed: {drift.summary}",
            f"podcliqueset/{ev.name}",
            [_row_text(r) for r in drift.rows] + drift.thresholds[:1],
            "The plan's configuration and its SLA predictions hold for the traffic it was "
            "planned for; longer prompts lengthen prefill (TTFT), longer outputs fill the KV "
            "cache, more requests than the predicted capacity queue.",
            f"re-plan for the traffic served: `kubectl grove replan {ev.name}`",
            [f"kubectl grove replan {ev.name} -n {ev.namespace}"],
        )
    )
    return out
