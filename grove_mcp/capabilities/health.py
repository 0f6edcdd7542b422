"""``health``: are the gangs healthy, and when will Grove terminate a breached one?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ..grove import Condition, PodClique
from ..reports.common import Finding, GangState, Severity, worst
from ..reports.health import (
    BreachVerdict,
    CliqueHealth,
    ConditionReport,
    GangHealth,
    GroveVersionReport,
    HealthList,
    HealthReport,
    HealthSummary,
    TerminationAlternative,
    TerminationCountdown,
)
from ..snapshot import Snapshot
from ..timefmt import due_in
from .capacity import CapacityView, capacity_view, gang_capacity
from .common import gang_severity, header
from .gangs import BREACHED, GangEvaluation, breach_status, evaluate_gangs, placement_report
from .grove_version import GroveObjects, GroveVersion, Rules, grove_version
from .pod_issues import pod_findings
from .termination import Judged, Outcome, judge_gang, outcome
from .workload import PODCLIQUE_LABEL, Gang, Workload, build_workload

_SEVERITY_ORDER = {Severity.critical: 0, Severity.warning: 1, Severity.info: 2}
CAVEAT = (
    "Grove acts on its next reconcile after the deadline, and judges only the condition "
    "transitions it observed: when unsure, it does not terminate."
)
OVERDUE = (
    "The deadline has passed: Grove acts on its next reconcile. Overdue by more than a few "
    "minutes means the operator is not acting (down or stuck), this capture is stale, or Grove "
    "judges the breach differently: look for PodCliqueSetReplicaDeleteSuccessful events and in "
    "the operator's logs (kubectl logs -A -l app.kubernetes.io/name=grove-operator)."
)
ALL_VERSIONS = "all Grove versions (both rule sets agree)"
MIGRATING = "PodGangMigrationInProgress"  # alpha.12 final (#778)


def build_health(snapshot: Snapshot, name: str) -> HealthReport:
    """The health report of one PodCliqueSet (raises NotFound listing what exists)."""
    workload = build_workload(snapshot, name)
    version = grove_version(
        snapshot, GroveObjects(snapshot.podcliques, snapshot.scaling_groups, snapshot.podgangs)
    )
    view = capacity_view(snapshot, workload)
    gangs = [_gang_health(workload, e, version, view) for e in evaluate_gangs(workload)]
    issues = _workload_issues(workload)
    delay, _ = workload.pcs.termination_delay
    return HealthReport(
        **header(snapshot, workload),
        name=name,
        termination_delay_seconds=int(delay.total_seconds()),
        grove_version=GroveVersionReport(
            version=version.version,
            rules=version.rules.value if version.rules else None,
            evidence=version.evidence,
            hint=version.hint,
        ),
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


@dataclass(frozen=True)
class _Termination:
    """A gang's termination answer(s) and every breach judged."""

    countdown: TerminationCountdown | None
    alternative: TerminationAlternative | None
    breaches: list[BreachVerdict]


def _termination(workload: Workload, gang: Gang, version: GroveVersion) -> _Termination:
    judged = judge_gang(workload, gang)
    outcomes = {r: outcome(workload, gang, judged, r) for r in Rules}
    skipped = outcomes[Rules.gated].skipped
    breaches = [_verdict(workload, j, version, skipped) for j in judged]
    if version.rules is not None:
        known = f"{version.rules.applies_to} ({version.evidence})"
        return _Termination(_countdown(workload, outcomes[version.rules], known), None, breaches)
    gated, ungated = outcomes[Rules.gated], outcomes[Rules.ungated]
    if gated.deciding == ungated.deciding:
        return _Termination(_countdown(workload, gated, ALL_VERSIONS), None, breaches)
    first, other = (gated, ungated) if gated.deciding is not None else (ungated, gated)
    if other.deciding is not None and other.deciding.since < first.deciding.since:  # type: ignore[union-attr]
        first, other = other, first
    alternative = _countdown(workload, other, other.rules.applies_to)
    return _Termination(
        _countdown(workload, first, first.rules.applies_to),
        TerminationAlternative(
            applies_to=other.rules.applies_to,
            termination=alternative,
            text=_alternative_text(other, alternative),
        ),
        breaches,
    )


def _alternative_text(other: Outcome, countdown: TerminationCountdown | None) -> str:
    if countdown is not None:
        return (
            f"{other.rules.applies_to}: {countdown.action} in "
            f"{due_in(countdown.remaining_seconds)} ({countdown.subject})."
        )
    return f"{other.rules.applies_to}: no termination; Grove leaves these breaches alone."


def _verdict(
    workload: Workload, judged: Judged, version: GroveVersion, skipped: str | None
) -> BreachVerdict:
    delay, _ = workload.pcs.termination_delay
    if skipped is not None and judged.pcs_level:
        counts: bool | None = False
        reason = skipped
    elif version.rules is not None:
        counts, reason = judged.counts[version.rules], judged.why[version.rules]
    elif judged.counts[Rules.gated] == judged.counts[Rules.ungated]:
        counts, reason = judged.counts[Rules.gated], judged.why[Rules.gated]
    else:
        counts = None
        reason = (
            f"{Rules.gated.applies_to}: {judged.why[Rules.gated]}; "
            f"{Rules.ungated.applies_to}: counts"
        )
    return BreachVerdict(
        subject=judged.subject,
        breached_since=judged.since,
        deadline=judged.deadline(delay) if counts is not False else None,
        action=judged.action,
        counts=counts,
        reason=reason,
        recycling=judged.recycling,
    )


def _countdown(workload: Workload, result: Outcome, applies_to: str) -> TerminationCountdown | None:
    judged = result.deciding
    if judged is None:
        return None
    delay, configured = workload.pcs.termination_delay
    deadline = judged.deadline(delay)
    remaining = deadline - workload.now
    fraction = remaining / delay if delay > timedelta(0) else 0.0
    return TerminationCountdown(
        subject=judged.subject,
        action=judged.action,
        breached_since=judged.since,
        termination_delay_seconds=int(delay.total_seconds()),
        delay_configured=configured,
        deadline=deadline,
        remaining_seconds=int(remaining.total_seconds()),
        remaining_fraction=round(min(1.0, max(0.0, fraction)), 4),
        why=judged.why[result.rules],
        applies_to=applies_to,
        caveat=CAVEAT if remaining >= timedelta(0) else OVERDUE,
    )


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
    term: _Termination,
    cliques: list[CliqueHealth],
    view: CapacityView | None = None,
) -> list[Finding]:
    issues: list[Finding] = []
    verdicts = {v.subject: v for v in term.breaches}
    for clique in cliques:
        if clique.breached:
            issues.append(_breach_finding(clique, verdicts.get(f"podclique/{clique.name}"), term))
    issues += [_recycling_finding(v) for v in term.breaches if v.recycling]
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


def _breach_finding(
    clique: CliqueHealth, verdict: BreachVerdict | None, term: _Termination
) -> Finding:
    countdown = term.countdown
    if verdict is not None and verdict.counts is False:
        consequence = (
            f" Grove does not count this breach on its own ({verdict.reason.split(':', 1)[0]})."
        )
        if countdown is not None:
            consequence += (
                f" The termination {countdown.subject} decides is "
                f"{due_in(countdown.remaining_seconds)}."
            )
    elif countdown is not None:
        consequence = f" Termination {due_in(countdown.remaining_seconds)}"
        if term.alternative is not None:
            consequence += f" under {countdown.applies_to}; {term.alternative.text}"
        else:
            consequence += "."
    else:
        consequence = ""
    return Finding(
        code="MIN_AVAILABLE_BREACHED",
        severity=Severity.critical,
        subject=f"podclique/{clique.name}",
        message=f"{clique.clique}: {clique.ready}/{clique.replicas} ready, "
        f"{clique.scheduled} scheduled, below minAvailable {clique.min_available}.{consequence}",
        evidence=[
            f"MinAvailableBreached=True {clique.breach_reason or ''}: "
            f"{clique.breach_message or ''}".strip()
        ],
        remediation=(
            "Get the missing pods scheduled and ready before the deadline (see the pod "
            f"issues); otherwise {countdown.action[0].lower()}{countdown.action[1:]}."
        )
        if countdown is not None
        else "Get the missing pods scheduled and ready (see the pod issues).",
        since=clique.breached_since,
    )


def _recycling_finding(verdict: BreachVerdict) -> Finding:
    return Finding(
        code="GANG_RECYCLING",
        severity=Severity.warning,
        subject=verdict.subject,
        message="Grove already fired the termination for this replica and is recreating it; "
        "it starts no new countdown until the scaling group recovers.",
        evidence=[f"GangTerminationInProgress=True on {verdict.subject}: {verdict.reason}"],
        remediation="Wait for the recreated PodCliques to be scheduled and ready; if they stay "
        "pending, the cause of the first breach is still there (see the pod issues).",
        since=verdict.breached_since,
    )


def _gang_health(
    workload: Workload,
    evaluation: GangEvaluation,
    version: GroveVersion,
    view: CapacityView | None = None,
) -> GangHealth:
    gang = evaluation.gang
    cliques = [_clique_health(workload, gang, c) for c in gang.cliques]
    term = _termination(workload, gang, version)
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
        termination=term.countdown,
        termination_alternative=term.alternative,
        breaches=term.breaches,
        issues=_issues(workload, gang, term, cliques, view),
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
    migrating = pcs.status.condition(MIGRATING)
    if migrating is not None and migrating.is_true:
        issues.append(
            Finding(
                code="PODGANG_MIGRATION",
                severity=Severity.warning,
                subject=f"podcliqueset/{pcs.name}",
                message="Grove is migrating this PodCliqueSet's PodGangs to the alpha.12 final "
                "layout: it pauses PodClique and scaling-group reconciles meanwhile, so their "
                "counters and conditions may be stale.",
                evidence=[
                    f"{MIGRATING}=True {migrating.reason or ''}: {migrating.message or ''}".strip()
                ],
                remediation="Wait for the migration to finish; if it does not, read the "
                "operator's logs: kubectl logs -A -l app.kubernetes.io/name=grove-operator.",
                since=migrating.last_transition_time,
            )
        )
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
    at_risk = [g.termination for g in gangs if g.termination is not None]
    next_seconds = min((t.remaining_seconds for t in at_risk), default=None)
    text = f"{healthy}/{len(gangs)} gangs healthy"
    if any(i.code == "NO_PODCLIQUES" for i in issues):
        text += " | no PodCliques exist"
    if at_risk:
        text += (
            f" | {len(at_risk)} gang{'s' if len(at_risk) > 1 else ''} at risk of "
            f"termination (next {due_in(next_seconds or 0)})"
        )
        if any(g.termination_alternative for g in gangs):
            text += ", depending on the Grove version"
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
