"""``health``: are the gangs healthy, and when will Grove terminate a breached one?"""

from __future__ import annotations

from datetime import timedelta

from ..grove import Condition, PodClique
from ..reports.common import Finding, GangState, Severity, worst
from ..reports.health import (
    CliqueHealth,
    ConditionReport,
    GangHealth,
    HealthList,
    HealthReport,
    HealthSummary,
    TerminationCountdown,
)
from ..snapshot import Snapshot
from ..timefmt import format_seconds
from .capacity import CapacityView, capacity_view, gang_capacity
from .common import gang_severity, header
from .gangs import BREACHED, GangEvaluation, breach_status, evaluate_gangs, placement_report
from .pod_issues import pod_findings
from .workload import PODCLIQUE_LABEL, Gang, Workload, build_workload

_SEVERITY_ORDER = {Severity.critical: 0, Severity.warning: 1, Severity.info: 2}
STARTUP_ACTION = (
    "None expected: this gang never became Ready, and Grove ignores breaches from initial startup."
)
UNLESS_STARTUP = (
    " (unless the gang never became Ready: Grove ignores breaches from initial startup, "
    "and this Grove version does not report whether it did)"
)
CAVEAT = (
    "Grove ignores breaches during initial startup (a scaling group that was never "
    "healthy is skipped) and acts on its next reconcile after the deadline."
)


def build_health(snapshot: Snapshot, name: str) -> HealthReport:
    """The health report of one PodCliqueSet (raises NotFound listing what exists)."""
    workload = build_workload(snapshot, name)
    view = capacity_view(snapshot, workload)
    gangs = [_gang_health(workload, e, view) for e in evaluate_gangs(workload)]
    issues = _workload_issues(workload)
    delay, _ = workload.pcs.termination_delay
    return HealthReport(
        **header(snapshot, workload),
        name=name,
        termination_delay_seconds=int(delay.total_seconds()),
        issues=issues,
        gangs=gangs,
        summary=_summary(gangs, issues),
    )


def build_health_all(snapshot: Snapshot) -> HealthList:
    """Health of every PodCliqueSet in the namespace, with totals."""
    items = [build_health(snapshot, n) for n in snapshot.workload_names()]
    gangs = [g for item in items for g in item.gangs]
    issues = [i for item in items for i in item.issues]
    return HealthList(**header(snapshot), items=items, summary=_summary(gangs, issues))


def _threshold(ready: int, minimum: int) -> str:
    return "above" if ready > minimum else ("at" if ready == minimum else "below")


def _clique_health(workload: Workload, gang: Gang, clique: PodClique) -> CliqueHealth:
    cond = clique.status.condition(BREACHED)
    minimum = gang.min_replicas(clique)
    return CliqueHealth(
        name=clique.name,
        clique=workload.clique_short_name(clique),
        ready=clique.status.ready_replicas,
        replicas=clique.spec.replicas,
        scheduled=clique.status.scheduled_replicas,
        min_available=minimum,
        threshold=_threshold(clique.status.ready_replicas, minimum),  # type: ignore[arg-type]
        breached=breach_status(clique),
        breach_reason=cond.reason if cond else None,
        breach_message=cond.message if cond else None,
        breached_since=cond.last_transition_time if cond and cond.is_true else None,
    )


def _breaches(workload: Workload, gang: Gang) -> list[tuple[str, str, Condition]]:
    """(subject, action, condition) for every running breach that Grove will act on."""
    found = []
    index = gang.replica_index
    replica = f"replica {index}" if index is not None else "the replica"
    groups_seen = set()
    for clique in gang.cliques:
        group = workload.scaling_group_of(clique)
        cond = clique.status.condition(BREACHED)
        if group is None:
            if cond is not None and cond.is_true and cond.last_transition_time:
                found.append(
                    (
                        f"podclique/{clique.name}",
                        f"Grove deletes and recreates every PodClique of PCS {replica}",
                        cond,
                    )
                )
            continue
        group_cond = group.status.condition(BREACHED)
        if group_cond is not None and group_cond.is_true and group_cond.last_transition_time:
            if group.name not in groups_seen:
                groups_seen.add(group.name)
                found.append(
                    (
                        f"podcliquescalinggroup/{group.name}",
                        f"Grove deletes and recreates every PodClique of PCS {replica}",
                        group_cond,
                    )
                )
        elif cond is not None and cond.is_true and cond.last_transition_time:
            found.append(
                (
                    f"podclique/{clique.name}",
                    f"Grove recreates this scaling-group replica of {group.name} (if the "
                    "group still meets its minAvailable and no update runs)",
                    cond,
                )
            )
    return found


def _initial_startup(gang: Gang) -> bool | None:
    """Whether the gang never became Ready, as Grove reports it since PR #792 (a Ready
    condition, and lastReady once it was); None when this Grove version does not say."""
    status = gang.podgang.status if gang.podgang else None
    if status is None or status.condition("Ready") is None:
        return None
    return status.last_ready is None


def _countdown(workload: Workload, gang: Gang) -> TerminationCountdown | None:
    delay, configured = workload.pcs.termination_delay
    startup = _initial_startup(gang)
    best: TerminationCountdown | None = None
    for subject, action, cond in _breaches(workload, gang):
        assert cond.last_transition_time is not None
        deadline = cond.last_transition_time + delay
        remaining = deadline - workload.now
        seconds = int(remaining.total_seconds())
        fraction = remaining / delay if delay > timedelta(0) else 0.0
        countdown = TerminationCountdown(
            subject=subject,
            action=STARTUP_ACTION
            if startup
            else action + (UNLESS_STARTUP if startup is None else ""),
            breached_since=cond.last_transition_time,
            termination_delay_seconds=int(delay.total_seconds()),
            delay_configured=configured,
            deadline=deadline,
            remaining_seconds=seconds,
            remaining_fraction=round(min(1.0, max(0.0, fraction)), 4),
            initial_startup=startup,
            caveat=CAVEAT,
        )
        if best is None or countdown.deadline < best.deadline:
            best = countdown
    return best


def _condition_reports(subject: str, conditions: tuple[Condition, ...]) -> list[ConditionReport]:
    return [
        ConditionReport(
            object=subject,
            type=c.type,
            status=c.status,
            reason=c.reason,
            message=c.message,
            since=c.last_transition_time,
        )
        for c in conditions
    ]


def _conditions(workload: Workload, gang: Gang) -> list[ConditionReport]:
    """The gang's PodGang conditions, then those of its scaling groups, by name."""
    reports = []
    if gang.podgang is not None:
        reports += _condition_reports(f"podgang/{gang.name}", gang.podgang.status.conditions)
    groups = {g.name: g for c in gang.cliques if (g := workload.scaling_group_of(c))}
    for name in sorted(groups):
        reports += _condition_reports(
            f"podcliquescalinggroup/{name}", groups[name].status.conditions
        )
    return reports


def _issues(
    workload: Workload,
    gang: Gang,
    countdown: TerminationCountdown | None,
    cliques: list[CliqueHealth],
    view: CapacityView | None = None,
) -> list[Finding]:
    issues: list[Finding] = []
    for clique in cliques:
        if clique.breached:
            remaining = ""
            if countdown is not None:
                remaining = f" Termination in {format_seconds(countdown.remaining_seconds)}."
            issues.append(
                Finding(
                    code="MIN_AVAILABLE_BREACHED",
                    severity=Severity.critical,
                    subject=f"podclique/{clique.name}",
                    message=f"{clique.clique}: {clique.ready}/{clique.replicas} ready, "
                    f"{clique.scheduled} scheduled, below minAvailable {clique.min_available}."
                    f"{remaining}",
                    evidence=[
                        f"MinAvailableBreached=True {clique.breach_reason or ''}: "
                        f"{clique.breach_message or ''}".strip()
                    ],
                    remediation="Get the missing pods scheduled and ready before the delay ends "
                    "(see the pod issues), or Grove recreates the whole replica.",
                    since=clique.breached_since,
                )
            )
    short_names = {c.name: workload.clique_short_name(c) for c in gang.cliques}
    for pod in gang.pods:
        short = short_names.get(pod.labels.get(PODCLIQUE_LABEL, ""), "?")
        issues += pod_findings(
            pod,
            clique=short,
            events=workload.events,
            nodes=workload.nodes,
            base_gang=gang.base_gang,
            pcs=workload.name,
            now=workload.now,
            capacity=gang_capacity(view, workload, gang) if view else None,
        )
    return sorted(
        issues,
        key=lambda f: (
            _SEVERITY_ORDER[f.severity],
            not f.subject.startswith("podclique/"),
            f.subject,
            f.code,
        ),
    )


def _gang_health(
    workload: Workload, evaluation: GangEvaluation, view: CapacityView | None = None
) -> GangHealth:
    gang = evaluation.gang
    cliques = [_clique_health(workload, gang, c) for c in gang.cliques]
    countdown = _countdown(workload, gang)
    return GangHealth(
        name=gang.name,
        replica_index=gang.replica_index,
        base_gang=gang.base_gang,
        state=evaluation.state,
        reason=evaluation.reason,
        healthy=evaluation.state == GangState.healthy,
        phase=gang.podgang.status.phase if gang.podgang else None,
        reported_placement_score=gang.podgang.status.placement_score if gang.podgang else None,
        derived_placement=placement_report(evaluation.placement),
        cliques=cliques,
        conditions=_conditions(workload, gang),
        termination=countdown,
        issues=_issues(workload, gang, countdown, cliques, view),
    )


def _workload_issues(workload: Workload) -> list[Finding]:
    """Problems of the PodCliqueSet itself, before any gang exists to carry them."""
    pcs = workload.pcs
    namespace = pcs.metadata.namespace
    issues = [
        Finding(
            code="OPERATOR_ERROR",
            severity=Severity.warning,
            subject=f"podcliqueset/{pcs.name}",
            message=f"The Grove operator recorded an error: {e.description or e.code}",
            evidence=[f"status.lastErrors: {e.code}"],
            remediation="Read the operator's logs around that time: kubectl logs -n "
            "grove-system deploy/grove-operator.",
            since=e.observed_at,
        )
        for e in pcs.status.last_errors
    ]
    if pcs.spec.replicas > 0 and not workload.cliques:
        issues.append(
            Finding(
                code="NO_PODCLIQUES",
                severity=Severity.critical,
                subject=f"podcliqueset/{pcs.name}",
                message=f"{pcs.name} asks for {pcs.spec.replicas} replica(s) but has no "
                "PodCliques: nothing is running for it.",
                evidence=[
                    f"spec.replicas={pcs.spec.replicas}; PodCliques labelled "
                    f"app.kubernetes.io/part-of={pcs.name}: none"
                ],
                remediation="Check that the Grove operator runs and reconciles this namespace "
                "(kubectl get pods -n grove-system; kubectl describe pcs "
                f"{pcs.name} -n {namespace}).",
            )
        )
    return issues


def _summary(gangs: list[GangHealth], issues: list[Finding]) -> HealthSummary:
    healthy = sum(1 for g in gangs if g.healthy)
    at_risk = [
        g.termination
        for g in gangs
        if g.termination is not None and g.termination.initial_startup is not True
    ]
    next_seconds = min((t.remaining_seconds for t in at_risk), default=None)
    text = f"{healthy}/{len(gangs)} gangs healthy"
    if any(i.code == "NO_PODCLIQUES" for i in issues):
        text += " | no PodCliques exist"
    if at_risk:
        text += (
            f" | {len(at_risk)} gang{'s' if len(at_risk) > 1 else ''} at risk of "
            f"termination (next in {format_seconds(next_seconds or 0)})"
        )
    ok = healthy == len(gangs) and not any(i.severity == Severity.critical for i in issues)
    return HealthSummary(
        gangs_healthy=healthy,
        gangs_total=len(gangs),
        gangs_at_risk=len(at_risk),
        next_termination_seconds=next_seconds,
        ok=ok,
        severity=Severity.info
        if ok
        else worst(
            [*(gang_severity(g.state) for g in gangs), *(i.severity for i in issues)],
            floor=Severity.warning,
        ),
        text=text,
    )
