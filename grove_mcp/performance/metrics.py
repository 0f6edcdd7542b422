"""``metrics``: how fast a PodCliqueSet serves over a window. Pure: the collecting is done
before (``grove_mcp.sources.metrics_collect``); this turns the answers into the report.

Where each deployment figure comes from (inference-metrics.md §0.5, A.4, B.4):

- With a Dynamo frontend, throughput and latency come from it alone: it sees every request
  once, and its latency is what users feel. The engines' figures are shown per role.
- Without one, output tokens and ITL/TPOT come from the decode (or aggregated) roles, input
  tokens and TTFT from the prefill (or aggregated) roles: in disaggregated serving TTFT belongs
  to the prefill pool and ITL to the decode pool.
- Per GPU divides by the GPUs of every role (:func:`grove_mcp.metrics.discovery.gpus_by_role`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..capabilities.common import header
from ..capabilities.workload import build_workload
from ..errors import MetricsError, NotFound
from ..metrics.catalog import Engine, Quantity, wanted
from ..metrics.discovery import Override, Target, discover
from ..metrics.exposition import Scrape, parse_exposition
from ..metrics.figures import PodFigures, figures_from_scrapes
from ..planfile import Plan
from ..plans.show import find_stored
from ..reports.common import Severity, Summary
from ..reports.metrics import (
    Latency,
    MetricsReport,
    PlanRow,
    PodMetrics,
    RoleMetrics,
    Throughput,
)
from ..snapshot import Snapshot
from ..sources.metrics_collect import Collected, PodSamples, Progress
from ..sources.scrape import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, ScrapeVia
from .roles import (
    THRESHOLDS,
    RoleData,
    gauge,
    latency,
    layer,
    merged,
    per_second,
    role_kind,
    verdict,
)
from .traffic import build_traffic

#: Throughput per GPU counts as met at this share of the plan's (less traffic is not a fault).
THROUGHPUT_MET_SHARE = 0.8


@dataclass(frozen=True)
class MetricsArgs:
    """How to read the metrics (CLI flags, MCP arguments)."""

    window: float = 30.0
    since_start: bool = False
    scrapes: int = 4
    scrape_via: ScrapeVia = ScrapeVia.auto
    port: int | None = None
    path: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    concurrency: int = DEFAULT_CONCURRENCY
    prometheus_url: str | None = None
    plan: Plan | None = None  # a plan.json given instead of the stored plan
    no_metrics: bool = False  # diagnose --no-metrics: read no window at all
    on_progress: Progress | None = None
    cancel: threading.Event | None = None

    @property
    def override(self) -> Override | None:
        return Override(self.port, self.path) if self.port or self.path else None


def metrics_targets(snapshot: Snapshot, name: str, args: MetricsArgs) -> tuple[Target, ...]:
    """Every pod of the PodCliqueSet with its role and endpoint (raises NotFound)."""
    return discover(build_workload(snapshot, name).pods, args.override)


def is_engine(target: Target) -> bool:
    """Whether a pod may serve engine metrics: not one whose image or args say it is no engine."""
    hint = target.hint
    return not (hint is not None and hint.engine is Engine.unknown)


def scraped(target: Target) -> bool:
    """Whether a pod is read: an engine pod that runs (has an IP) and has an endpoint."""
    return is_engine(target) and target.pod_ip is not None and target.endpoint is not None


# --- answers → figures ------------------------------------------------------------------------


def parse_one(text: str, at: float, pod: str) -> Scrape:
    """One exposition of ``pod``, keeping only the families the report reads."""
    return parse_exposition(text, at, f"pod {pod}", wanted)


def pod_figures(
    target: Target, answer: PodSamples | PodFigures | None, collected: Collected
) -> PodFigures:
    """One pod's figures from what the collector answered."""
    if answer is None:
        return PodFigures(target.pod, 0.0, error=_not_read(target))
    if isinstance(answer, PodFigures):
        return answer
    scrapes: list[Scrape] = list(answer.parsed or ())
    errors = list(answer.errors)
    for at, text in answer.samples if answer.parsed is None else ():
        try:
            scrapes.append(parse_one(text, at, target.pod))
        except MetricsError as err:
            errors.append(err.message)
    figures = figures_from_scrapes(
        target.pod, scrapes, target.hint, collected.since_start, wall=answer.wall
    )
    if figures.error and errors:
        return PodFigures(target.pod, 0.0, error="; ".join(errors))
    if errors:
        notes = (*figures.notes, f"{len(errors)} scrape(s) failed: {errors[0]}")
        return PodFigures(
            figures.pod, figures.seconds, figures.detection, figures.figures, None, notes
        )
    return figures


# --- the report ---------------------------------------------------------------------------


def _roles(targets: Sequence[Target], figures: Mapping[str, PodFigures]) -> list[RoleData]:
    by_role: dict[str, list[Target]] = {}
    for t in targets:
        by_role.setdefault(t.role.name, []).append(t)
    out = []
    for name, members in sorted(by_role.items()):
        read = tuple(figures[t.pod] for t in members if not figures[t.pod].error)
        kinds = {role_kind(t, figures[t.pod]) for t in members}
        kind = next(
            (k for k in ("frontend", "prefill", "decode", "aggregated") if k in kinds), "other"
        )
        out.append(RoleData(name, kind, tuple(members), read))
    return out


def _role_report(role: RoleData) -> RoleMetrics:
    figs = role.figures
    kv = gauge(figs, Quantity.kv_usage, average=True)
    waiting = gauge(figs, Quantity.queue, average=False)
    v, why = verdict(kv, waiting, len(figs))
    source = f"the {role.name} engines"
    return RoleMetrics(
        role=role.name,
        kind=role.kind,
        engine=role.engine.value,
        pods=len(role.targets),
        pods_read=len(figs),
        gpus=role.gpus,
        input_tokens_per_second=per_second(figs, Quantity.input_tokens),
        output_tokens_per_second=per_second(figs, Quantity.output_tokens),
        ttft=latency(*merged(figs, Quantity.ttft), source),
        itl=latency(*merged(figs, Quantity.itl), source),
        tpot=latency(*merged(figs, Quantity.tpot), source),
        kv_cache_usage=kv,
        running=gauge(figs, Quantity.running, average=False),
        waiting=waiting,
        verdict=v if figs else v.unknown,
        verdict_reason=why if figs else "no pod of the role could be read",
    )


@dataclass(frozen=True)
class _Layers:
    """Which roles each deployment figure is read from."""

    out: tuple[list[PodFigures], str]
    inp: tuple[list[PodFigures], str]
    ttft: tuple[list[PodFigures], str]
    itl: tuple[list[PodFigures], str]


def _layers(roles: Sequence[RoleData]) -> _Layers:
    served = [r for r in roles if r.kind != "other"]
    engines = [r for r in served if r.kind != "frontend"]
    if any(r.kind == "frontend" and r.figures for r in served):
        front = layer(served, ["frontend"])
        return _Layers(front, front, front, front)
    # never another pool's figures in their place: prefill tokens are not the deployment's output
    out = layer(engines, ["decode", "aggregated"])
    out = out if out[0] else ([], "no decode or aggregated pod read")
    inp = layer(engines, ["prefill", "aggregated"])
    inp = inp if inp[0] else ([], "no prefill or aggregated pod read")
    return _Layers(out, inp, inp, out)


def _deployment_latency(chosen: tuple[list[PodFigures], str], quantity: Quantity) -> Latency | None:
    hist, metric = merged(chosen[0], quantity)
    return latency(hist, metric, chosen[1])


@dataclass(frozen=True)
class _Deployment:
    """The deployment-level figures."""

    throughput: Throughput
    ttft: Latency | None
    itl: Latency | None
    tpot: Latency | None


def _plan_rows(plan: Plan, report: _Deployment, gpus: int) -> list[PlanRow]:
    rows: list[PlanRow] = []

    def latency_row(metric: str, target: float | None, lat: Latency | None, note: str) -> None:
        if target is None:
            return
        p99 = lat.p99 if lat else None
        actual = p99.ms if p99 else None
        met: bool | None = None if p99 is None else p99.ms <= target
        if p99 is not None and p99.at_least:  # only a lower bound: over, or cannot tell
            met = False if p99.ms >= target else None
        rows.append(
            PlanRow(
                metric=metric,
                planned=target,
                actual=actual,
                unit="ms",
                delta_percent=_delta(actual, target),
                met=met,
                note=(note + (" (≥: in the +Inf bucket)" if p99 and p99.at_least else ""))
                if lat
                else "no data in the window",
            )
        )

    latency_row(
        "TTFT p99 vs SLA",
        plan.sla.ttft_ms,
        report.ttft,
        report.ttft.metric if report.ttft else "",
    )
    tpot = report.tpot or report.itl
    tpot_note = ""
    if tpot is not None:
        tpot_note = tpot.metric + (
            ""
            if report.tpot
            else ": no per-request TPOT served, ITL p99 stands in (token-weighted)"
        )
    latency_row("TPOT p99 vs SLA", plan.sla.tpot_ms, tpot, tpot_note)
    planned = plan.expected.tokens_per_second_per_gpu
    actual = report.throughput.output_tokens_per_second_per_gpu
    rows.append(
        PlanRow(
            metric="Output tok/s per GPU vs plan",
            planned=planned,
            actual=actual,
            unit="tok/s/GPU",
            delta_percent=_delta(actual, planned),
            met=None if actual is None or not planned else actual >= THROUGHPUT_MET_SHARE * planned,
            note=f"met at ≥ {THROUGHPUT_MET_SHARE:.0%} of the plan; over {gpus} GPUs. Lower with "
            "idle roles means less traffic than planned, not a fault",
        )
    )
    return rows


def _delta(actual: float | None, planned: float | None) -> float | None:
    if actual is None or not planned:
        return None
    return round((actual - planned) / planned * 100, 1)


def find_plan(snapshot: Snapshot, name: str, given: Plan | None) -> tuple[Plan | None, str]:
    """The plan to judge against: the one given, else the stored one; and where it came from."""
    if given is not None:
        return given, "the plan file given"
    try:
        stored, _ = find_stored(snapshot, name)
    except NotFound as err:
        return None, err.message
    return stored.current.plan, f"the plan stored in ConfigMap {stored.config_map}"


def build_metrics(
    snapshot: Snapshot, name: str, args: MetricsArgs, collected: Collected
) -> MetricsReport:
    """The metrics report of ``name`` from the collector's answers."""
    workload = build_workload(snapshot, name)
    targets = discover(workload.pods, args.override)
    figures = {t.pod: pod_figures(t, collected.answers.get(t.pod), collected) for t in targets}
    roles = _roles(targets, figures)
    layers = _layers(roles)
    gpus = sum(r.gpus for r in roles)
    out_rate = per_second(layers.out[0], Quantity.output_tokens)
    throughput = Throughput(
        input_tokens_per_second=per_second(layers.inp[0], Quantity.input_tokens),
        output_tokens_per_second=out_rate,
        requests_per_second=per_second(layers.out[0], Quantity.requests),
        gpus=gpus,
        output_tokens_per_second_per_gpu=out_rate / gpus if out_rate is not None and gpus else None,
        source=layers.out[1]
        if layers.out[1] == layers.inp[1]
        else f"output: {layers.out[1]}; input: {layers.inp[1]}",
    )
    parts = _Deployment(
        throughput,
        _deployment_latency(layers.ttft, Quantity.ttft),
        _deployment_latency(layers.itl, Quantity.itl),
        _deployment_latency(layers.itl, Quantity.tpot),
    )
    queue_layer = (
        layers.ttft[0]
        if layers.ttft[1] == "the Dynamo frontend"
        else [f for r in roles for f in r.figures]
    )
    plan, plan_origin = find_plan(snapshot, name, args.plan)
    plan_rows = _plan_rows(plan, parts, gpus) if plan else []
    notes = list(header(snapshot, workload)["notes"]) + list(collected.notes)
    notes += _blind_spots(targets, figures)
    if plan is None:
        notes.append(f"No SLA to compare with: {plan_origin}")
    pods = [_pod_report(t, figures[t.pod]) for t in targets]
    return MetricsReport(
        **header(snapshot, workload) | {"notes": notes},
        name=name,
        read_via=collected.via,
        window_seconds=round(collected.window, 3),
        since_start=collected.since_start,
        summary=_summary(plan_rows, pods, targets),
        throughput=parts.throughput,
        ttft=parts.ttft,
        itl=parts.itl,
        tpot=parts.tpot,
        waiting=gauge(queue_layer, Quantity.queue, average=False),
        running=gauge(queue_layer, Quantity.running, average=False),
        traffic=build_traffic(roles, layers.inp, layers.out),
        roles=[_role_report(r) for r in roles],
        pods=pods,
        plan=plan_rows,
        thresholds=list(THRESHOLDS),
    )


def _not_read(target: Target) -> str:
    if not is_engine(target):
        return f"not an inference engine ({target.hint.why if target.hint else 'no hint'})"
    if target.pod_ip is None:
        return "not running (no pod IP): nothing to read"
    return target.no_endpoint or "not collected"


def _blind_spots(targets: Sequence[Target], figures: Mapping[str, PodFigures]) -> list[str]:
    notes = []
    unread = [t for t in targets if figures[t.pod].error and scraped(t)]
    if unread:
        notes.append(
            f"{len(unread)} of {sum(1 for t in targets if scraped(t))} running engine pods could "
            f"not be read; the figures cover the others (first: {unread[0].pod}: "
            f"{figures[unread[0].pod].error})"
        )
    idle = sorted(t.pod for t in targets if is_engine(t) and t.pod_ip is None)
    if idle:
        notes.append(f"{len(idle)} engine pod(s) not running, so not read: {', '.join(idle)}")
    no_port = sorted(t.pod for t in targets if is_engine(t) and t.pod_ip and t.endpoint is None)
    if no_port:
        notes.append(
            f"No metrics endpoint found for {', '.join(no_port)}: "
            f"{figures[no_port[0]].error} (give --metrics-port)"
        )
    caveats = sorted({t.endpoint.caveat for t in targets if t.endpoint and t.endpoint.caveat})
    notes += [f"Endpoint caveat: {c}" for c in caveats]
    return notes


def _pod_report(t: Target, f: PodFigures) -> PodMetrics:
    ttft = f.get(Quantity.ttft)
    q = ttft.histogram.quantile(0.99) if ttft and ttft.histogram else None

    def gauge_avg(quantity: Quantity) -> float | None:
        fig = f.get(quantity)
        return fig.gauge.average if fig and fig.gauge else None

    out = f.get(Quantity.output_tokens)
    endpoint = None
    if t.endpoint:
        endpoint = f":{t.endpoint.port}{t.endpoint.path} ({t.endpoint.why})"
    detection = f.detection
    return PodMetrics(
        pod=t.pod,
        role=t.role.name,
        engine=(
            detection.engine if detection else (t.hint.engine if t.hint else Engine.unknown)
        ).value,
        engine_why=detection.why if detection else (t.hint.why if t.hint else "not read"),
        endpoint=endpoint,
        read=f.error is None,
        error=f.error,
        gpus=t.gpus,
        output_tokens_per_second=out.per_second if out else None,
        ttft_p99_ms=q.value * 1000 if q else None,
        kv_cache_usage_avg=gauge_avg(Quantity.kv_usage),
        running_avg=gauge_avg(Quantity.running),
        waiting_avg=gauge_avg(Quantity.queue),
        notes=list(f.notes),
    )


def _summary(
    rows: Sequence[PlanRow], pods: Sequence[PodMetrics], targets: Sequence[Target]
) -> Summary:
    engines = [p for p, t in zip(pods, targets, strict=True) if scraped(t)]
    read = sum(1 for p in engines if p.read)
    if not engines:
        return Summary(
            ok=False,
            severity=Severity.warning,
            text="no running engine pod with a metrics endpoint",
        )
    missed = [r.metric.split(" vs")[0] for r in rows if r.met is False and r.unit == "ms"]
    if not read:
        return Summary(
            ok=False,
            severity=Severity.warning,
            text=f"no metrics could be read from {len(engines)} engine pods",
        )
    partial = f" ({read} of {len(engines)} pods read)" if read < len(engines) else ""
    if missed:
        return Summary(
            ok=False,
            severity=Severity.warning,
            text=f"{' and '.join(missed)} over the SLA{partial}",
        )
    if rows:
        return Summary(ok=True, severity=Severity.info, text=f"within the SLA{partial}")
    return Summary(
        ok=True,
        severity=Severity.info,
        text=f"{read} of {len(engines)} engine pods read; no SLA stored to judge against",
    )
