"""Findings about individual pods: unschedulable, gated, crash-looping, failing, not ready."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from ..grove import Condition, Event, Node, Pod, find_condition
from ..grove.k8s import ContainerStatus
from ..reports.common import Finding, Severity
from .capacity import GangCapacity, NodeFit, fit_evidence, nodes_that_fit
from .shortage_causes import likely_causes

CRASH_RESTARTS = 3
RECENT_EXIT = timedelta(minutes=10)
_IMAGE_REASONS = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"}
_CONFIG_REASONS = {"CreateContainerConfigError", "CreateContainerError", "RunContainerError"}
# kube-scheduler's NodeResourcesFit, and KAI-Scheduler's fit error
_GPU_SHORTAGE = re.compile(r"Insufficient nvidia\.com/gpu|didn't have enough resources?: GPUs")


def latest_event(events: Sequence[Event], name: str, reason: str) -> Event | None:
    matching = [e for e in events if e.involved_object.name == name and e.reason == reason]
    return max(matching, key=lambda e: e.last_seen.isoformat() if e.last_seen else "", default=None)


def _event_evidence(event: Event | None) -> list[str]:
    if event is None:
        return []
    seen = f" (×{event.occurrences})" if event.occurrences > 1 else ""
    return [f"event {event.reason}{seen}: {event.message}"]


def pod_findings(
    pod: Pod,
    *,
    clique: str,
    events: Sequence[Event],
    nodes: Mapping[str, Node],
    base_gang: str | None,
    pcs: str,
    now: datetime,
    capacity: GangCapacity | None = None,
) -> list[Finding]:
    """Every problem visible on one pod, with evidence and a remediation. ``capacity`` lets a
    GPU shortage the scheduler reports be checked against the snapshot's numbers."""
    subject = f"pod/{pod.name}"
    ns = f"-n {pod.metadata.namespace} " if pod.metadata.namespace else ""
    since = pod.metadata.creation_timestamp
    if pod.metadata.deletion_timestamp:
        return [
            Finding(
                code="POD_TERMINATING",
                severity=Severity.info,
                subject=subject,
                message=f"{clique} pod {pod.name} is being deleted.",
                since=pod.metadata.deletion_timestamp,
                remediation="Wait; Grove recreates it. If it hangs, check finalizers and the node.",
            )
        ]
    if pod.status.phase == "Failed":
        return [
            Finding(
                code="POD_FAILED",
                severity=Severity.critical,
                subject=subject,
                message=f"{clique} pod failed: {pod.status.reason or 'unknown reason'}.",
                evidence=[m for m in [pod.status.message] if m],
                remediation=f"kubectl describe pod {ns}{pod.name}; Grove replaces failed pods "
                "of its cliques.",
                since=since,
            )
        ]
    if pod.foreign_gates:
        return [_foreign_gate(pod, clique, subject, ns, since)]
    if pod.is_gated:
        gates = ", ".join(g.name for g in pod.spec.scheduling_gates)
        waiting = (
            f"base gang {base_gang} to be scheduled"
            if base_gang
            else "Grove to initialise the PodGang"
        )
        return [
            Finding(
                code="POD_GATED",
                severity=Severity.warning,
                subject=subject,
                message=f"{clique} pod {pod.name} is held by scheduling gate {gates}, waiting for {waiting}.",
                evidence=[f"spec.schedulingGates: {gates}"],
                remediation=(
                    "Fix the base gang first: its pods must be scheduled before "
                    "Grove lifts this gate."
                    if base_gang
                    else "If this lasts minutes, check the Grove operator logs "
                    "(kubectl logs -n grove-system deploy/grove-operator)."
                ),
                since=since,
            )
        ]
    if not pod.spec.node_name:
        return [_unschedulable(pod, clique, events, subject, pcs, ns, capacity)]
    findings: list[Finding] = []
    node = nodes.get(pod.spec.node_name)
    if node is not None and not node.is_ready:
        ready = find_condition(node.status.conditions, "Ready")
        said = (
            f"node/{node.name} Ready={ready.status}"
            + (f" {ready.reason}" if ready.reason else "")
            + (f": {ready.message}" if ready.message else "")
            if ready is not None
            else f"node/{node.name} reports no Ready condition"
        )
        findings.append(
            Finding(
                code="NODE_NOT_READY",
                severity=Severity.critical,
                subject=subject,
                message=f"{clique} pod runs on node {node.name}, which is not Ready.",
                evidence=[said],
                remediation=f"kubectl describe node {node.name}; the pod will be evicted if the node "
                "does not recover.",
                since=ready.last_transition_time if ready is not None else since,
            )
        )
    findings.extend(_container_findings(pod, clique, subject, ns, now))
    if pod.status.phase == "Running" and not pod.is_ready and not findings:
        cond = find_condition(pod.status.conditions, "Ready")
        findings.append(
            Finding(
                code="POD_NOT_READY",
                severity=Severity.warning,
                subject=subject,
                message=f"{clique} pod {pod.name} is running but not ready.",
                evidence=[f"Ready={cond.status} {cond.reason or ''} {cond.message or ''}".strip()]
                if cond
                else [],
                remediation=f"Check its readiness probe and logs: kubectl logs {ns}{pod.name}.",
                since=cond.last_transition_time if cond else since,
            )
        )
    return findings


def _unschedulable(
    pod: Pod,
    clique: str,
    events: Sequence[Event],
    subject: str,
    pcs: str,
    ns: str,
    capacity: GangCapacity | None,
) -> Finding:
    cond = find_condition(pod.status.conditions, "PodScheduled")
    event = latest_event(events, pod.name, "FailedScheduling")
    message = (
        (cond.message if cond and cond.message else None)
        or (event.message if event else None)
        or "no scheduler message yet"
    )
    evidence = (
        [f"PodScheduled={cond.status} {cond.reason or ''}: {cond.message or ''}".strip()]
        if cond
        else []
    )
    if event is not None and (cond is None or event.message != cond.message):
        evidence += _event_evidence(event)
    elif event is not None:
        seen = f", last at {event.last_seen:%Y-%m-%d %H:%M:%SZ}" if event.last_seen else ""
        evidence.append(f"event FailedScheduling ×{event.occurrences}{seen} (same message)")
    fits = nodes_that_fit(pod, capacity) if capacity and _GPU_SHORTAGE.search(message) else None
    if capacity is not None and fits:
        return _disagreement(pod, clique, subject, message, evidence, capacity, fits, cond)
    if _GPU_SHORTAGE.search(message):
        checked = (
            "By this snapshot's numbers no node"
            if fits is not None
            else "The scheduler found no node that"
        )
        remediation = (
            f"{checked} has {pod.gpus} free GPU(s) for it. Free GPUs on one node, add "
            f"GPU nodes, or lower the clique's GPU request; 'kubectl grove topology "
            f"{ns}{pcs}' shows free GPUs per node."
        )
    else:
        remediation = (
            f"Read the scheduler's reason above; kubectl describe pod {ns}{pod.name} shows all of "
            "it."
        )
    return Finding(
        code="POD_UNSCHEDULABLE",
        severity=Severity.critical,
        subject=subject,
        message=f"{clique} pod {pod.name} is pending: {_short_reason(message)}",
        evidence=evidence,
        remediation=remediation,
        since=cond.last_transition_time
        if cond and cond.last_transition_time
        else pod.metadata.creation_timestamp,
    )


def _disagreement(
    pod: Pod,
    clique: str,
    subject: str,
    message: str,
    evidence: list[str],
    capacity: GangCapacity,
    fits: list[NodeFit],
    cond: Condition | None,
) -> Finding:
    """The scheduler reports a GPU shortage, yet nodes would fit the pod by the numbers."""
    causes = likely_causes(pod, fits, capacity)
    nodes = ", ".join(f"{f.name} ({f.free} free)" for f in fits)
    confirmed = [c for c in causes if c.verdict == "cause"]
    others = [c for c in causes if c.verdict != "cause"]
    lead = "".join(f"Cause: {c.what}: {c.finding} Check: {c.check}. " for c in confirmed)
    label = "Other likely causes" if confirmed else "Likely causes"
    checks = " ".join(f"({i}) {c.line()}" for i, c in enumerate(others, 1))
    return Finding(
        code="SCHEDULER_DISAGREES",
        severity=Severity.critical,
        subject=subject,
        message=f"{clique} pod {pod.name} is pending: {_short_reason(message)} Yet by this snapshot's "
        f"numbers {len(fits)} node(s) would fit its {capacity.view.gpus_of(pod)} GPU(s): "
        f"{nodes}. The scheduler's view and the cluster's arithmetic disagree.",
        evidence=[*evidence, *fit_evidence(pod, fits, capacity.pack)],
        remediation=f"{lead}{label}, checked against this snapshot: {checks}",
        since=cond.last_transition_time
        if cond and cond.last_transition_time
        else pod.metadata.creation_timestamp,
    )


def _short_reason(message: str) -> str:
    """The scheduler's verdict without its preemption appendix."""
    return message.split(" preemption:", 1)[0].strip()


def _restarting(status: ContainerStatus, now: datetime) -> bool:
    """Crash-looping: in CrashLoopBackOff, or restarted often, lately, and not ready."""
    if status.state.waiting and status.state.waiting.reason == "CrashLoopBackOff":
        return True
    last = status.last_state.terminated
    recent = (
        last is not None
        and last.finished_at is not None
        and (now - last.finished_at <= RECENT_EXIT)
    )
    return status.restart_count >= CRASH_RESTARTS and recent and not status.ready


def _container_findings(
    pod: Pod, clique: str, subject: str, ns: str, now: datetime
) -> list[Finding]:
    findings = []
    for status in (*pod.status.init_container_statuses, *pod.status.container_statuses):
        waiting = status.state.waiting
        reason = waiting.reason if waiting else None
        last = status.last_state.terminated
        last_text = (
            f"last exit: {last.reason or 'terminated'} (code {last.exit_code})" if last else ""
        )
        if _restarting(status, now):
            findings.append(
                Finding(
                    code="CRASH_LOOP",
                    severity=Severity.critical,
                    subject=subject,
                    message=f"{clique} container {status.name} keeps restarting "
                    f"({status.restart_count} restarts).",
                    evidence=[e for e in [f"state: {reason}" if reason else "", last_text] if e],
                    remediation=f"kubectl logs {ns}{pod.name} -c {status.name} --previous",
                    since=last.finished_at if last else None,
                )
            )
        elif reason in _IMAGE_REASONS:
            findings.append(
                Finding(
                    code="IMAGE_PULL",
                    severity=Severity.critical,
                    subject=subject,
                    message=f"{clique} container {status.name} cannot pull its image: {reason}.",
                    evidence=[waiting.message or reason] if waiting else [],
                    remediation="Check the image name and tag and the pull secret.",
                )
            )
        elif reason in _CONFIG_REASONS:
            findings.append(
                Finding(
                    code="CONTAINER_CONFIG",
                    severity=Severity.critical,
                    subject=subject,
                    message=f"{clique} container {status.name} cannot start: {reason}.",
                    evidence=[waiting.message or reason] if waiting else [],
                    remediation=f"kubectl describe pod {ns}{pod.name}",
                )
            )
    return findings


def _foreign_gate(pod: Pod, clique: str, subject: str, ns: str, since: datetime | None) -> Finding:
    """A gate Grove does not manage: Grove will not lift it, whoever added it must."""
    foreign = ", ".join(pod.foreign_gates)
    grove = (
        " (Grove's own gate is still there too)"
        if len(pod.foreign_gates) < len(pod.spec.scheduling_gates)
        else ""
    )
    return Finding(
        code="POD_GATED_FOREIGN",
        severity=Severity.warning,
        subject=subject,
        message=f"{clique} pod {pod.name} is held by scheduling gate {foreign}, which Grove does not "
        f"manage{grove}: the scheduler will not place it until whoever added the gate removes it.",
        evidence=[f"spec.schedulingGates: {', '.join(g.name for g in pod.spec.scheduling_gates)}"],
        remediation=f"Find what adds {foreign} (an admission webhook or a queueing system such "
        f"as Kueue: kubectl get mutatingwebhookconfigurations) and why it holds the pod; "
        f"kubectl get pod {ns}{pod.name} -o jsonpath='{{.spec.schedulingGates}}'.",
        since=since,
    )
