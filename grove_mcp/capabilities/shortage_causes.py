"""Why a scheduler may report a GPU shortage the snapshot's numbers contradict.

Each likely cause is checked against what the snapshot can see and gets a verdict — ``cause``
(the snapshot shows it holds the pod back), ``possible``, ``ruled out`` or ``unknown`` (not
readable) — with the command that checks it on the cluster:

- a ResourceQuota of the namespace capping ``requests.nvidia.com/gpu``. Kubernetes charges a
  pod to the quota when it is created, and the scheduler does not consult quotas: a quota can
  refuse the next GPU pod (a replacement included) but never holds back a pod that exists.
- the KAI queue (label or annotation ``kai.scheduler/queue``) when the pod asks for
  ``kai-scheduler``: KAI refuses a job when a queue's (or a parent queue's) allocated GPUs plus
  the job's request exceed its limit; a non-preemptible job also when allocatedNonPreemptible
  plus the request exceed the quota.
- room reserved for other pods: pods nominated to a node (``status.nominatedNodeName``) after
  preemption. Reservations the API does not show — pods being bound, a gang scheduler holding
  room for another gang, pods waiting at Permit — are invisible in a snapshot.
- DRA claims on the pod (``spec.resourceClaims``), which are allocated separately.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ..grove import Pod
from ..grove.quota import QUEUE_LABEL, QUOTA_GPU_KEY, UNLIMITED, KaiQueue
from .capacity import GangCapacity, NodeFit

KAI_SCHEDULER = "kai-scheduler"
Verdict = Literal["cause", "possible", "ruled out", "unknown"]


@dataclass(frozen=True)
class Cause:
    what: str
    verdict: Verdict
    finding: str
    check: str

    def line(self) -> str:
        return f"{self.what} — {self.verdict}: {self.finding} Check: {self.check}"


def likely_causes(pod: Pod, fits: list[NodeFit], gang: GangCapacity) -> list[Cause]:
    """The causes worth checking, those the snapshot confirms first."""
    causes = [_quota(pod, gang)]
    if pod.spec.scheduler_name == KAI_SCHEDULER:
        causes.append(_kai_queue(pod, gang))
    causes += [_reservations(pod, fits, gang), _dra(pod, gang)]
    rank = {"cause": 0, "possible": 1, "unknown": 2, "ruled out": 3}
    return sorted(causes, key=lambda c: rank[c.verdict])


def _n(value: float) -> str:
    return f"{value:g}"


def _why(cause: GangCapacity, kind: str) -> str:
    """Why a kind could not be read: the first sentence of its note (the whole note, with how
    to grant access, is in the report's notes)."""
    return cause.view.unreadable.get(kind, "not read").split(". ", 1)[0].rstrip(".")


def _quota(pod: Pod, gang: GangCapacity) -> Cause:
    ns = gang.view.namespace
    what = f"ResourceQuota in {ns}"
    check = f"kubectl describe resourcequota -n {ns}"
    quotas = gang.view.quotas
    if quotas is None:
        why = _why(gang, "ResourceQuota")
        return Cause(what, "unknown", f"ResourceQuotas could not be read ({why}).", check)
    capped = sorted((q for q in quotas if q.gpu_hard is not None), key=lambda q: q.name)
    if not capped:
        return Cause(what, "ruled out", f"No ResourceQuota in {ns} caps {QUOTA_GPU_KEY}.", check)
    figures = "; ".join(
        f"{q.name}: {QUOTA_GPU_KEY} used "
        f"{'not yet counted' if q.gpu_used is None else _n(q.gpu_used)} of hard "
        f"{_n(q.gpu_hard or 0)}"
        for q in capped
    )
    full = [q.name for q in capped if q.gpu_used is not None and q.gpu_used >= (q.gpu_hard or 0)]
    effect = (
        f" {', '.join(full)} is full: it refuses the next GPU pod created in {ns}, a "
        "replacement Grove creates included."
        if full
        else ""
    )
    return Cause(
        what,
        "ruled out",
        f"{figures}.{effect} It does not hold back this pod: a pod is charged to the quota when "
        "it is created and counts in 'used' while pending, and the scheduler does not consult "
        "quotas.",
        check,
    )


def _chain(queues: Iterable[KaiQueue], name: str) -> list[KaiQueue]:
    """The queue and its parents, nearest first (a loop or a missing parent ends the walk)."""
    by_name = {q.name: q for q in queues}
    chain: list[KaiQueue] = []
    current = by_name.get(name)
    while current is not None and current not in chain:
        chain.append(current)
        current = by_name.get(current.spec.parent_queue or "")
    return chain


def _kai_queue(pod: Pod, gang: GangCapacity) -> Cause:
    name = pod.labels.get(QUEUE_LABEL) or pod.metadata.annotations.get(QUEUE_LABEL)
    what = f"KAI queue {name}" if name else "KAI queue"
    check = (
        f"kubectl get queues.scheduling.run.ai {name} -o yaml"
        if name
        else "kubectl get queues.scheduling.run.ai"
    )
    if not name:
        return Cause(
            what,
            "possible",
            f"The pod names no queue (label or annotation {QUEUE_LABEL}); KAI then uses its "
            "default queue, whose limits apply.",
            check,
        )
    queues = gang.view.queues
    if queues is None:
        why = _why(gang, "Queue")
        served = "not served" not in why
        return Cause(
            what,
            "unknown",
            f"KAI's Queues could not be read ({why})."
            + ("" if served else " The pod asks for kai-scheduler: is KAI installed?"),
            check,
        )
    chain = _chain(queues, name)
    if not chain:
        return Cause(what, "cause", f"Queue {name} does not exist: KAI places no pod of it.", check)
    request = gang.pending_gpus
    over, near, figures = [], [], []
    for queue in chain:
        gpu = queue.spec.resources.gpu
        allocated = queue.gpus_allocated
        figures.append(
            f"{queue.name}: {_n(allocated)} GPUs allocated, quota "
            f"{_n(gpu.quota) if gpu.quota is not None else 'unset'}, limit "
            f"{_n(gpu.limit) if gpu.limit is not None else 'unset'}"
        )
        if gpu.limit is not None and gpu.limit != UNLIMITED and allocated + request > gpu.limit:
            over.append(
                f"queue {queue.name} has {_n(allocated)} GPUs allocated; with the {request} the "
                f"gang's pending pods request that is {_n(allocated + request)}, over its limit "
                f"of {_n(gpu.limit)}"
            )
        held = queue.gpus_allocated_non_preemptible
        if gpu.quota is not None and gpu.quota != UNLIMITED and held + request > gpu.quota:
            near.append(
                f"queue {queue.name}: {_n(held)} non-preemptible GPUs allocated + {request} "
                f"requested > quota {_n(gpu.quota)}, which KAI enforces on non-preemptible "
                "workloads"
            )
    if over:
        return Cause(what, "cause", "; ".join(over) + ": KAI refuses the gang.", check)
    if near:
        return Cause(
            what, "possible", "; ".join(near) + " (if this workload is non-preemptible).", check
        )
    return Cause(
        what,
        "ruled out",
        f"{'; '.join(figures)}: the {request} GPUs requested fit within every limit.",
        check,
    )


def _reservations(pod: Pod, fits: list[NodeFit], gang: GangCapacity) -> Cause:
    view = gang.view
    fit_names = {f.name for f in fits}
    nominated = sorted(
        (
            p
            for p in view.cluster_pods
            if p.status.nominated_node_name in fit_names
            and not p.spec.node_name
            and not p.is_terminated
            and (p.metadata.namespace, p.name) != (pod.metadata.namespace, pod.name)
        ),
        key=lambda p: (p.metadata.namespace or "", p.name),
    )
    check = (
        "kubectl get pods -A --field-selector=spec.nodeName= -o custom-columns="
        "NAMESPACE:.metadata.namespace,NAME:.metadata.name,NOMINATED:.status.nominatedNodeName"
    )
    what = "Room reserved for other pods"
    invisible = (
        "Reservations the API does not show (pods being bound, a gang scheduler holding room "
        "for another gang, pods waiting at Permit) cannot be seen in a snapshot."
    )
    if not nominated:
        return Cause(
            what,
            "possible",
            f"No pod is nominated to {', '.join(sorted(fit_names))}. {invisible}",
            check,
        )
    held: dict[str, int] = {}
    for p in nominated:
        node = p.status.nominated_node_name or ""
        held[node] = held.get(node, 0) + view.gpus_of(p)
    need = view.gpus_of(pod)
    blocked = all(f.free - held.get(f.name, 0) < need for f in fits)
    listed = ", ".join(
        f"{p.metadata.namespace}/{p.name} ({view.gpus_of(p)} GPUs) on "
        f"{p.status.nominated_node_name}"
        for p in nominated
    )
    if blocked:
        return Cause(
            what,
            "cause",
            f"Pods nominated after preemption hold the free GPUs: {listed}. The scheduler keeps "
            "that room for them (unless this pod's priority is higher).",
            check,
        )
    return Cause(what, "possible", f"Pods nominated after preemption: {listed}. {invisible}", check)


def _dra(pod: Pod, gang: GangCapacity) -> Cause:
    ns = gang.view.namespace
    what = "DRA claims"
    claims = [
        c.resource_claim_name or c.resource_claim_template_name or c.name
        for c in pod.spec.resource_claims
    ]
    if not claims:
        return Cause(
            what,
            "ruled out",
            "The pod has no resourceClaims.",
            f"kubectl get pod -n {ns} {pod.name} -o jsonpath='{{.spec.resourceClaims}}'",
        )
    return Cause(
        what,
        "possible",
        f"The pod also needs DRA claims ({', '.join(claims)}), which the scheduler allocates "
        "separately from nvidia.com/gpu.",
        f"kubectl get resourceclaims -n {ns} -o wide",
    )
