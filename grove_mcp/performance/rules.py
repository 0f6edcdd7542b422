"""The rules of ``compare``'s diagnosis. Pure; each rule reads the facts and, when it fires,
returns a diagnosis citing the numbers and a recommendation with its expected effect.

| code | fires when | recommends |
|---|---|---|
| TTFT_PREFILL_QUEUEING | TTFT p99 over the SLA and a prefill (or aggregated) role saturated | k more prefill workers, k from the queue |
| TTFT_PREFILL_COMPUTE | TTFT p99 over the SLA, prefill not saturated | re-plan with the measured ISL |
| TPOT_DECODE_SATURATED | TPOT (or ITL) p99 over the SLA and a decode (or aggregated) role saturated | k more decode workers, k from KV use |
| TPOT_OVER_SLA | TPOT (or ITL) p99 over the SLA, no decode role saturated | (diagnosis only) |
| LOAD_IMBALANCE | one pod of a role queues ≥ 3x its role's average | bring the role's missing pods back, spread the load |
| ROLE_RATIO_OFF | one role saturated while another is underutilized | move workers from the idle role |
| SPLIT_PLACEMENT | the derived placement score is below 1.0 | the topology report's consolidation |
| FEWER_THAN_PLANNED | replicas or GPUs deployed below the plan, or engine pods not running | scale to the plan / fix scheduling |
| THROUGHPUT_BELOW_PLAN | tok/s per GPU under 80% of the plan with no role saturated | nothing to fix: less traffic than planned |

The estimate of k assumes requests spread evenly over a role's workers: adding k workers to n
divides each one's queue by (n+k)/n (for KV use, its load the same way).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..planfile import Plan
from ..reports.common import Severity
from ..reports.compare import Action, Diagnosis
from ..reports.metrics import Latency, MetricsReport, RoleMetrics, Verdict
from ..reports.plan_reports import DiffRow
from ..reports.plan_reports import Verdict as DiffVerdict
from ..reports.topology import TopologyReport
from .metrics import THROUGHPUT_MET_SHARE
from .roles import SATURATED_KV, SATURATED_WAITING_PER_POD

IMBALANCE_FACTOR = 3.0
TARGET_KV = 0.8  # the KV use the decode estimate aims for


@dataclass(frozen=True)
class Facts:
    """What the rules read."""

    name: str
    namespace: str
    plan: Plan
    metrics: MetricsReport
    topology: TopologyReport | None
    diff: Sequence[DiffRow]

    def roles(self, *kinds: str) -> list[RoleMetrics]:
        return [r for r in self.metrics.roles if r.kind in kinds and r.pods_read]

    @property
    def tpot(self) -> tuple[Latency | None, str]:
        m = self.metrics
        return (m.tpot, "TPOT") if m.tpot else (m.itl, "ITL")


Finding = tuple[Diagnosis, Action | None]
Rule = Callable[[Facts], list[Finding]]


def _p99_over(lat: Latency | None, target: float | None) -> float | None:
    """The p99 in ms when it is over ``target``; None otherwise or without data (a p99 in the
    +Inf bucket is only a lower bound: over when that bound already is)."""
    if lat is None or lat.p99 is None or target is None:
        return None
    return lat.p99.ms if lat.p99.ms > target else None


def _queue_per_pod(role: RoleMetrics) -> float:
    return role.waiting.avg / role.pods_read if role.waiting and role.pods_read else 0.0


def _role_line(role: RoleMetrics) -> str:
    kv = f"KV {role.kv_cache_usage.avg:.0%}" if role.kv_cache_usage else "no KV gauge"
    return (
        f"{role.role}: {role.pods_read} pods read, {_queue_per_pod(role):.1f} queued per pod, "
        f"{kv} ({role.verdict.value}: {role.verdict_reason})"
    )


def _workers_for_queue(n: int, queued_per_pod: float) -> int:
    """Fewest added workers that bring the queue per pod under the saturation threshold."""
    return max(1, math.floor(n * (queued_per_pod / SATURATED_WAITING_PER_POD - 1)) + 1)


def ttft(f: Facts) -> list[Finding]:
    p99 = _p99_over(f.metrics.ttft, f.plan.sla.ttft_ms)
    if p99 is None:
        return []
    sla = f.plan.sla.ttft_ms
    evidence = [f"TTFT p99 {p99:.0f} ms vs SLA {sla:.0f} ms ({p99 / sla:.1f}x)"]
    saturated = [r for r in f.roles("prefill", "aggregated") if r.verdict is Verdict.saturated]
    if saturated:
        role = max(saturated, key=_queue_per_pod)
        kind = "prefill" if role.kind == "prefill" else "aggregated"
        diagnosis = Diagnosis(
            code="TTFT_PREFILL_QUEUEING",
            severity=Severity.warning,
            text=f"TTFT misses the SLA because requests queue for {kind} workers.",
            evidence=[*evidence, _role_line(role)],
        )
        return [(diagnosis, _more_workers(f, role, kind))]
    rps, isl = (
        f.metrics.throughput.requests_per_second,
        f.metrics.throughput.input_tokens_per_second,
    )
    measured = f"{isl / rps:.0f}" if rps and isl else "unknown"
    evidence.append(f"measured ISL {measured} tokens vs planned {f.plan.inputs.isl}")
    evidence += [_role_line(r) for r in f.roles("prefill", "aggregated")]
    return [
        (
            Diagnosis(
                code="TTFT_PREFILL_COMPUTE",
                severity=Severity.warning,
                text="TTFT misses the SLA with no prefill queueing: the prefill itself is "
                "slower than planned (longer prompts, or a smaller TP than modelled).",
                evidence=evidence,
            ),
            Action(
                priority=2,
                code="TTFT_PREFILL_COMPUTE",
                action="Re-plan with AIConfigurator for the measured ISL and check the prefill "
                "TP against the plan (kubectl grove plan diff).",
                expected_effect="A configuration sized for the prompts actually served.",
                commands=[f"kubectl grove plan diff {f.name} -n {f.namespace}"],
            ),
        )
    ]


def _more_workers(f: Facts, role: RoleMetrics, kind: str) -> Action:
    """Restore the role's missing pods when its other pods keep up with their share; else k
    more workers, k from the queue per pod (the linear estimate)."""
    waits = sorted(p.waiting_avg or 0.0 for p in f.metrics.pods if p.role == role.role and p.read)
    missing = role.pods - role.pods_read
    rest = waits[:-1]
    if missing and rest and sum(rest) / len(rest) < SATURATED_WAITING_PER_POD:
        return Action(
            priority=1,
            code="TTFT_PREFILL_QUEUEING",
            action=f"Bring back the {missing} {role.role} pod(s) not serving before adding "
            "workers: the role's other pods keep up with their share.",
            expected_effect=f"The role's other pods queue {sum(rest) / len(rest):.1f} per pod at "
            f"their load; the overloaded pod (queue {waits[-1]:.1f}) gets the same share back.",
            commands=[f"kubectl grove health {f.name} -n {f.namespace}"],
        )
    q = _queue_per_pod(role)
    k = _workers_for_queue(role.pods_read, q) if q else 1
    n = role.pods_read
    return Action(
        priority=1,
        code="TTFT_PREFILL_QUEUEING",
        action=f"Add {k} {kind} worker(s) to role {role.role} ({n} → {n + k}).",
        expected_effect=f"Queue per worker {q:.1f} → about {q * n / (n + k):.1f} (load spread "
        f"over {n + k} workers, a linear and so conservative estimate), under the saturation "
        f"threshold of {SATURATED_WAITING_PER_POD:g}; TTFT p99 falls with the queueing time.",
        commands=[_scale_hint(f, role.role)],
    )


def tpot(f: Facts) -> list[Finding]:
    lat, label = f.tpot
    p99 = _p99_over(lat, f.plan.sla.tpot_ms)
    if p99 is None or f.plan.sla.tpot_ms is None:
        return []
    sla = f.plan.sla.tpot_ms
    saturated = [r for r in f.roles("decode", "aggregated") if r.verdict is Verdict.saturated]
    evidence = [f"{label} p99 {p99:.1f} ms vs TPOT SLA {sla:g} ms ({p99 / sla:.1f}x)"]
    if not saturated:
        return [
            (
                Diagnosis(
                    code="TPOT_OVER_SLA",
                    severity=Severity.warning,
                    text=f"{label} misses the TPOT SLA without a saturated decode role.",
                    evidence=[*evidence, *(_role_line(r) for r in f.roles("decode", "aggregated"))],
                ),
                None,
            )
        ]
    role = saturated[0]
    kv = role.kv_cache_usage.avg if role.kv_cache_usage else SATURATED_KV
    n = role.pods_read
    k = max(1, math.ceil(n * (kv / TARGET_KV - 1)))
    return [
        (
            Diagnosis(
                code="TPOT_DECODE_SATURATED",
                severity=Severity.warning,
                text="TPOT misses the SLA while decode workers are saturated.",
                evidence=[*evidence, _role_line(role)],
            ),
            Action(
                priority=1,
                code="TPOT_DECODE_SATURATED",
                action=f"Add {k} decode worker(s) to role {role.role} ({n} → {n + k}).",
                expected_effect=f"KV-cache use {kv:.0%} → about {kv * n / (n + k):.0%} per worker, "
                f"at or under the {TARGET_KV:.0%} aimed for; smaller decode batches, lower TPOT.",
                commands=[_scale_hint(f, role.role)],
            ),
        )
    ]


def imbalance(f: Facts) -> list[Finding]:
    out: list[Finding] = []
    for role in f.roles("prefill", "decode", "aggregated"):
        pods = [p for p in f.metrics.pods if p.role == role.role and p.read]
        waits = [(p.waiting_avg or 0.0, p.pod) for p in pods]
        if len(waits) < 2:
            continue
        top, pod = max(waits)
        mean = sum(w for w, _ in waits) / len(waits)
        if top < SATURATED_WAITING_PER_POD or top < IMBALANCE_FACTOR * mean * (
            len(waits) - 1
        ) / len(waits):
            continue
        missing = [p.pod for p in f.metrics.pods if p.role == role.role and not p.read]
        evidence = [f"{pod}: {top:.1f} queued on average; role average {mean:.1f}"]
        action = None  # with pods missing, FEWER_THAN_PLANNED and the latency rules say it
        if missing:
            evidence.append(f"not serving: {', '.join(missing)}")
        else:
            action = Action(
                priority=3,
                code="LOAD_IMBALANCE",
                action="Spread the load: check the router's balancing across the role's pods.",
                expected_effect=f"{pod}'s queue falls toward the role average ({mean:.1f}).",
            )
        diagnosis = Diagnosis(
            code="LOAD_IMBALANCE",
            severity=Severity.warning,
            text=f"One {role.role} pod queues far more than the others.",
            evidence=evidence,
        )
        out.append((diagnosis, action))
    return out


def ratio(f: Facts) -> list[Finding]:
    busy = [r for r in f.roles("prefill", "decode") if r.verdict is Verdict.saturated]
    idle = [r for r in f.roles("prefill", "decode") if r.verdict is Verdict.underutilized]
    if not busy or not idle:
        return []
    b, i = busy[0], idle[0]
    planned = f.plan.config.roles()
    plan_ratio = ""
    if "prefill" in planned and "decode" in planned:
        plan_ratio = f" (plan: {planned['prefill'].workers}P:{planned['decode'].workers}D)"
    return [
        (
            Diagnosis(
                code="ROLE_RATIO_OFF",
                severity=Severity.warning,
                text=f"{b.role} is saturated while {i.role} is underutilized: the "
                f"prefill:decode split does not fit the traffic{plan_ratio}.",
                evidence=[_role_line(b), _role_line(i)],
            ),
            Action(
                priority=2,
                code="ROLE_RATIO_OFF",
                action=f"Move one worker's GPUs from {i.role} to {b.role}, or re-plan with the "
                "measured ISL/OSL.",
                expected_effect=f"{b.role}'s load spread over one more worker; {i.role} stays "
                "under its saturation thresholds.",
            ),
        )
    ]


def placement(f: Facts) -> list[Finding]:
    t = f.topology
    if t is None or t.placement_score is None or t.placement_score >= 0.999:
        return []
    evidence = [f"derived placement score {t.placement_score:.2f} vs 1.0 assumed by the plan"]
    evidence += [
        f"gang {g.name}: {g.verdict}, derived score {g.derived_placement.score:.2f}"
        for g in t.gangs
        if g.derived_placement and g.verdict == "fragmented"
    ]
    feasible = [r for r in t.recommendations if r.feasible]
    rec = feasible[0] if feasible else (t.recommendations[0] if t.recommendations else None)
    action = None
    if rec is not None:
        after = f"{rec.score_after:.2f}" if rec.score_after is not None else "?"
        moves = f"{len(rec.moves)} pod move(s)" if rec.moves else "no move possible today"
        action = Action(
            priority=2,
            code="SPLIT_PLACEMENT",
            action=f"Consolidate gang {rec.gang} into {rec.level} {rec.target_domain} "
            f"({moves}; the caveats are in kubectl grove topology {f.name}).",
            expected_effect=f"placement score {rec.score_before:.2f} → {after}: KV transfer and "
            "TP traffic stay inside the domain the plan assumed.",
            commands=[f"kubectl grove topology {f.name} -n {f.namespace}", *rec.commands],
        )
    return [
        (
            Diagnosis(
                code="SPLIT_PLACEMENT",
                severity=Severity.warning,
                text="Gangs are split over more topology domains than needed.",
                evidence=evidence,
            ),
            action,
        )
    ]


def fewer(f: Facts) -> list[Finding]:
    evidence = [
        f"{r.label}: planned {r.planned}, deployed {r.deployed}"
        for r in f.diff
        if r.parameter in ("replicas", "total_gpus") and r.verdict is DiffVerdict.drift
    ]
    idle = [p.pod for p in f.metrics.pods if not p.read and p.error and "not running" in p.error]
    if idle:
        evidence.append(f"engine pods not running: {', '.join(idle)}")
    if not evidence:
        return []
    return [
        (
            Diagnosis(
                code="FEWER_THAN_PLANNED",
                severity=Severity.warning,
                text="The deployment runs less than the plan sized for.",
                evidence=evidence,
            ),
            Action(
                priority=1,
                code="FEWER_THAN_PLANNED",
                action="Get every planned pod running: see why pods are pending, then scale "
                "replicas to the plan.",
                expected_effect="The capacity the plan's SLA figures assume.",
                commands=[
                    f"kubectl grove health {f.name} -n {f.namespace}",
                    f"kubectl grove plan diff {f.name} -n {f.namespace}",
                ],
            ),
        )
    ]


def throughput(f: Facts) -> list[Finding]:
    actual = f.metrics.throughput.output_tokens_per_second_per_gpu
    planned = f.plan.expected.tokens_per_second_per_gpu
    saturated = any(r.verdict is Verdict.saturated for r in f.metrics.roles)
    if actual is None or not planned or actual >= THROUGHPUT_MET_SHARE * planned or saturated:
        return []
    return [
        (
            Diagnosis(
                code="THROUGHPUT_BELOW_PLAN",
                severity=Severity.info,
                text="Less traffic than planned: GPUs idle, no role saturated.",
                evidence=[f"{actual:.0f} tok/s per GPU vs {planned:.0f} planned"],
            ),
            None,
        )
    ]


RULES: tuple[Rule, ...] = (fewer, ttft, tpot, imbalance, ratio, placement, throughput)
#: The rules about the metrics window alone (diagnose takes placement and missing pods from the
#: topology and health reports themselves).
LATENCY_RULES: tuple[Rule, ...] = (ttft, tpot, imbalance, ratio, throughput)


def _scale_hint(f: Facts, role: str) -> str:
    return (
        f"kubectl get podcliques -n {f.namespace} -l app.kubernetes.io/part-of={f.name} "
        f"# then raise the {role} clique's replicas in the PodCliqueSet spec"
    )


def diagnose(facts: Facts) -> tuple[list[Diagnosis], list[Action]]:
    """Every rule's findings; recommendations numbered by priority (then rule order)."""
    found = [item for rule in RULES for item in rule(facts)]
    order = {Severity.critical: 0, Severity.warning: 1, Severity.info: 2}
    diagnosis = sorted((d for d, _ in found), key=lambda d: order[d.severity])
    actions = sorted((a for _, a in found if a is not None), key=lambda a: a.priority)
    numbered = [a.model_copy(update={"priority": i}) for i, a in enumerate(actions, 1)]
    return diagnosis, numbered
