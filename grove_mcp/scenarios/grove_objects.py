"""The Grove objects of one PodCliqueSet, as the operator and scheduler would have written them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .specs import (
    CliqueSpec,
    PodState,
    ScalingGroupSpec,
    WorkloadSpec,
    controller_reference,
    suffix,
    ts,
    uid,
)

if TYPE_CHECKING:
    from .builder import ScenarioBuilder

Obj = dict[str, Any]
GATE = "grove.io/podgang-pending-creation"
TEMPLATE_HASH = "6d5f8b9c7"
OLD_TEMPLATE_HASH = "58c7f4d2b"
GENERATION_HASH = "7b9f6c5d48"
EPOCH = "1795180000000000000"
TAIL_EPOCH = "1795180000000000001"  # alpha.12 final: the Tail entry has an epoch of its own


@dataclass(frozen=True)
class GroveShape:
    """Which Grove version's shapes to write (DESIGN.md rule 7)."""

    legacy_topology: bool = False  # ClusterTopology (≤ alpha.8) instead of ClusterTopologyBinding
    legacy_progress: bool = False  # status.rollingUpdateProgress (≤ alpha.8)
    legacy_pack_domain: bool = False  # topologyConstraint.packDomain
    podgang_phase: bool = True  # PodGang.status.phase present (PR #763 proposes removing it)
    # Scheduled/Ready conditions and lastScheduled (PR #792, after the CRDs the tests install,
    # which prune lastScheduled): off by default, like Grove at the pinned commit.
    podgang_ready_conditions: bool = False
    epoch_names: bool = False  # alpha.12 final: <pcs>-<i>-<epoch>[-<sg>-<j>] gang names
    # alpha.12 final: a PodGangMap per replica says what each scaled gang waits for; the
    # grove.io/base-podgang label is gone.
    podgang_map: bool = False
    # Up to alpha.11 a PodClique with no pod scheduled is MinAvailableBreached=False
    # (InsufficientScheduledPods: "gang termination suppressed"), not True.
    unscheduled_not_breached: bool = False
    operator_tag: str | None = "v0.1.0-alpha.12-rc1"  # the operator Deployment's image tag


ALPHA_8 = GroveShape(  # (alpha.8 suppressed any scheduling shortfall; alpha.9–11 only at 0)
    legacy_topology=True,
    legacy_progress=True,
    legacy_pack_domain=True,
    unscheduled_not_breached=True,
    operator_tag="v0.1.0-alpha.8",
)
ALPHA_11 = GroveShape(unscheduled_not_breached=True, operator_tag="v0.1.0-alpha.11")
ALPHA_12 = GroveShape(epoch_names=True, podgang_map=True, operator_tag="v0.1.0-alpha.12")
WITH_PR_792 = GroveShape(podgang_ready_conditions=True, operator_tag="v0.1.0-alpha.13")


def _meta(
    b: ScenarioBuilder, name: str, labels: dict[str, str], owner: Obj | None, created_ago: timedelta
) -> Obj:

    meta: Obj = {
        "name": name,
        "namespace": b.namespace,
        "uid": uid(b.namespace, name),
        "labels": labels,
        "generation": 1,
        "creationTimestamp": ts(b.now - created_ago),
    }
    if owner is not None:
        meta["ownerReferences"] = [controller_reference(owner)]
    return meta


def _container(clique: CliqueSpec) -> Obj:
    requests: Obj = {"cpu": clique.cpu, "memory": clique.memory}
    container: Obj = {
        "name": clique.name,
        "image": clique.image,
        "args": list(clique.args),
        "resources": {"requests": requests},
    }
    if clique.gpus:
        requests["nvidia.com/gpu"] = str(clique.gpus)
        container["resources"]["limits"] = {"nvidia.com/gpu": str(clique.gpus)}
    if clique.port:
        container["ports"] = [{"name": "http", "containerPort": clique.port}]
    return container


def _constraint(spec: WorkloadSpec, shape: GroveShape) -> Obj | None:
    if not (spec.pack_required or spec.pack_preferred):
        return None
    if shape.legacy_pack_domain and spec.pack_required:
        return {"packDomain": spec.pack_required}
    pack = {
        k: v for k, v in (("required", spec.pack_required), ("preferred", spec.pack_preferred)) if v
    }
    constraint: Obj = {"pack": pack}
    if spec.topology_name:
        constraint["topologyName"] = spec.topology_name
    return constraint


def _condition(type_: str, status: str, reason: str, message: str, since: str) -> Obj:
    return {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": since,
    }


def podcliqueset_objects(
    b: ScenarioBuilder,
    spec: WorkloadSpec,
    pods: dict[str, PodState],
    breaches: dict[str, timedelta],
    updating_replica: int | None,
    never_scheduled: set[int],
) -> dict[str, Obj]:
    """Write the PCS, its PCSGs, PCLQs, PodGangs and Pods into the builder; return them by name."""

    pcs = _pcs_object(b, spec)
    out: dict[str, Obj] = {spec.name: pcs}
    objects: list[Obj] = [pcs]
    update_started = ts(b.now - timedelta(minutes=10))
    available_replicas = 0
    for i in range(spec.replicas):
        ctx = _Replica(
            b,
            spec,
            pcs,
            i,
            pods,
            breaches,
            out,
            objects,
            updating=updating_replica == i,
            update_started=update_started,
            was_scheduled=i not in never_scheduled,
        )
        available_replicas += _replica_objects(ctx, was_scheduled=i not in never_scheduled)
    pcs["status"] = _pcs_status(b, spec, available_replicas, updating_replica, b.shape, out)
    b.objects.extend(objects)
    return out


def _base_labels(spec: WorkloadSpec) -> dict[str, str]:
    return {
        "app.kubernetes.io/managed-by": "grove-operator",
        "app.kubernetes.io/part-of": spec.name,
    }


# --- the PodCliqueSet ----------------------------------------------------------------------


def _pcs_object(b: ScenarioBuilder, spec: WorkloadSpec) -> Obj:
    return {
        "apiVersion": "grove.io/v1alpha1",
        "kind": "PodCliqueSet",
        "metadata": _meta(b, spec.name, dict(spec.labels), None, spec.age),
        "spec": {
            "replicas": spec.replicas,
            "updateStrategy": {"type": "RollingRecreate"},
            "template": _pcs_template(spec, b.shape),
        },
    }


def _pcs_template(spec: WorkloadSpec, shape: GroveShape) -> Obj:
    constraint = _constraint(spec, shape)
    template: Obj = {
        "cliques": [_template_clique(c) for c in spec.cliques],
        "cliqueStartupType": "CliqueStartupTypeAnyOrder",
        "headlessServiceConfig": {"publishNotReadyAddresses": True},
    }
    if spec.scaling_groups:
        template["podCliqueScalingGroups"] = [
            {
                "name": g.name,
                "cliqueNames": list(g.cliques),
                "replicas": g.replicas,
                "minAvailable": g.min_available,
            }
            for g in spec.scaling_groups
        ]
    if spec.termination_delay:
        template["terminationDelay"] = spec.termination_delay
    if constraint:
        template["topologyConstraint"] = constraint
    return template


def _template_clique(c: CliqueSpec) -> Obj:
    return {
        "name": c.name,
        "spec": {
            "roleName": c.role or c.name,
            "replicas": c.replicas,
            **({"minAvailable": c.min_available} if c.min_available is not None else {}),
            **({"startsAfter": list(c.starts_after)} if c.starts_after else {}),
            "podSpec": {"containers": [_container(c)]},
        },
    }


# --- one PCS replica -----------------------------------------------------------------------

_Member = tuple[Obj, list[Obj], int]  # a PodClique of a gang, its pods, its minAvailable


@dataclass
class _Replica:
    """One PCS replica while it is built: what its objects share, and its gangs' members."""

    b: ScenarioBuilder
    spec: WorkloadSpec
    pcs: Obj
    index: int
    pods: dict[str, PodState]
    breaches: dict[str, timedelta]
    out: dict[str, Obj]
    objects: list[Obj]
    updating: bool
    update_started: str
    was_scheduled: bool = True  # False: never scheduled since creation (initial startup)
    gang_members: dict[str, list[_Member]] = field(init=False)

    def __post_init__(self) -> None:
        self.gang_members = {self.base_gang: []}

    @property
    def created_ago(self) -> timedelta:
        return self.spec.age

    @property
    def labels(self) -> dict[str, str]:
        return {**_base_labels(self.spec), "grove.io/podcliqueset-replica-index": str(self.index)}

    @property
    def base_gang(self) -> str:
        if self.b.shape.epoch_names:
            return f"{self.spec.name}-{self.index}-{EPOCH}"
        return f"{self.spec.name}-{self.index}"

    def add(self, name: str, obj: Obj) -> None:
        self.objects.append(obj)
        self.out[name] = obj

    def breached_since(self, key: str) -> str:
        """When MinAvailableBreached of ``key`` turned True (2 minutes ago unless listed)."""
        return ts(self.b.now - self.breaches.get(key, timedelta(minutes=2)))

    @property
    def first_status(self) -> str:
        """The operator's first status write, one second after creation (within Grove's 5 s
        InitialScheduleGrace: a condition False since then never was True)."""
        return ts(self.b.now - self.created_ago + timedelta(seconds=1))


def _replica_objects(ctx: _Replica, was_scheduled: bool) -> bool:
    """The replica's standalone PodCliques, its scaling groups, then its PodGangs; whether the
    replica is available (every clique and scaling group at minAvailable)."""
    available = _standalone_cliques(ctx)
    for group in ctx.spec.scaling_groups:
        available &= _scaling_group(ctx, group)
    gang_labels = _base_labels(ctx.spec)
    if ctx.b.shape.epoch_names:  # alpha.12 final labels PodGangs with their replica too
        gang_labels["grove.io/podcliqueset-replica-index"] = str(ctx.index)
    for gang_name, members in ctx.gang_members.items():
        gang = _podgang(
            ctx.b,
            ctx.spec,
            ctx.pcs,
            gang_name,
            members,
            gang_labels,
            ctx.b.shape,
            ctx.created_ago,
            was_scheduled,
        )
        ctx.add(gang_name, gang)
    if ctx.b.shape.podgang_map:
        pgm = _podgang_map(ctx)
        ctx.add(pgm["metadata"]["name"], pgm)
    return available


def _podgang_map(ctx: _Replica) -> Obj:
    """The replica's PodGangMap (alpha.12 final): the anchor entry, and a Tail entry for the
    scaling-group replicas above minAvailable, which waits for the anchor."""
    grouped = {name for g in ctx.spec.scaling_groups for name in g.cliques}
    anchor: Obj = {
        "epoch": EPOCH,
        "podCliqueSetGenerationHash": GENERATION_HASH,
        "role": "Anchor",
        "podCliques": {
            f"{ctx.spec.name}-{ctx.index}-{c.name}": c.replicas
            for c in ctx.spec.cliques
            if c.name not in grouped
        },
        "pcsgReplicaIndices": {
            g.name: list(range(g.min_available)) for g in ctx.spec.scaling_groups
        },
    }
    tail = {
        g.name: list(range(g.min_available, g.replicas))
        for g in ctx.spec.scaling_groups
        if g.replicas > g.min_available
    }
    entries = [anchor]
    if tail:
        entries.append(
            {
                "epoch": TAIL_EPOCH,
                "podCliqueSetGenerationHash": GENERATION_HASH,
                "role": "Tail",
                "pcsgReplicaIndices": tail,
                "dependsOn": [EPOCH],
            }
        )
    name = f"{ctx.spec.name}-{ctx.index}"
    labels = {
        **ctx.labels,
        "app.kubernetes.io/component": "pcs-podgangmap",
        "app.kubernetes.io/name": name,
    }
    return {
        "apiVersion": "grove.io/v1alpha1",
        "kind": "PodGangMap",
        "metadata": _meta(ctx.b, name, labels, ctx.pcs, ctx.created_ago),
        "spec": {"podCliqueSetReplicaIndex": ctx.index, "entries": entries},
    }


def _standalone_cliques(ctx: _Replica) -> bool:
    """The PodCliques outside scaling groups, all in the base gang; whether all are ready."""
    grouped = {name for g in ctx.spec.scaling_groups for name in g.cliques}
    ready = True
    for clique in ctx.spec.cliques:
        if clique.name in grouped:
            continue
        pclq, clique_pods = _make_clique(
            ctx,
            f"{ctx.spec.name}-{ctx.index}-{clique.name}",
            f"{ctx.index}/{clique.name}",
            clique,
            ctx.pcs,
            ctx.base_gang,
            {"app.kubernetes.io/component": "pcs-podclique"},
            None,
        )
        minimum = pclq["spec"]["minAvailable"]
        ctx.gang_members[ctx.base_gang].append((pclq, clique_pods, minimum))
        ready &= pclq["status"]["readyReplicas"] >= minimum
    return ready


# --- scaling groups ------------------------------------------------------------------------


def _scaling_group(ctx: _Replica, group: ScalingGroupSpec) -> bool:
    """A PodCliqueScalingGroup with the PodCliques of each of its replicas; whether it has
    minAvailable replicas available."""
    pcsg = _pcsg_object(ctx, group)
    ctx.add(pcsg["metadata"]["name"], pcsg)
    scheduled_reps = available_reps = 0
    for j in range(group.replicas):
        rep_scheduled, rep_available = _group_replica(ctx, group, pcsg, j)
        scheduled_reps += rep_scheduled
        available_reps += rep_scheduled and rep_available
    pcsg["status"] = _pcsg_status(ctx, group, scheduled_reps, available_reps)
    return available_reps >= group.min_available


def _pcsg_object(ctx: _Replica, group: ScalingGroupSpec) -> Obj:
    name = f"{ctx.spec.name}-{ctx.index}-{group.name}"
    labels = {
        **ctx.labels,
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/component": "pcs-podcliquescalinggroup",
    }
    return {
        "apiVersion": "grove.io/v1alpha1",
        "kind": "PodCliqueScalingGroup",
        "metadata": _meta(ctx.b, name, labels, ctx.pcs, ctx.created_ago),
        "spec": {
            "replicas": group.replicas,
            "minAvailable": group.min_available,
            "cliqueNames": list(group.cliques),
        },
    }


def _group_replica_gang(
    ctx: _Replica, group: ScalingGroupSpec, pcsg_name: str, j: int
) -> tuple[str, str | None]:
    """The PodGang of scaling-group replica ``j`` and its base gang: replicas below
    minAvailable are in the base gang, each further one has a scaled gang of its own."""
    if j < group.min_available:
        return ctx.base_gang, None
    if ctx.b.shape.epoch_names:
        epoch = TAIL_EPOCH if ctx.b.shape.podgang_map else EPOCH
        return f"{ctx.spec.name}-{ctx.index}-{epoch}-{group.name}-{j}", ctx.base_gang
    return f"{pcsg_name}-{j - group.min_available}", ctx.base_gang


def _group_replica(ctx: _Replica, group: ScalingGroupSpec, pcsg: Obj, j: int) -> tuple[bool, bool]:
    """The PodCliques of scaling-group replica ``j``; whether all are scheduled, and whether
    all are ready."""
    cliques = {c.name: c for c in ctx.spec.cliques}
    pcsg_name = pcsg["metadata"]["name"]
    gang, base = _group_replica_gang(ctx, group, pcsg_name, j)
    ctx.gang_members.setdefault(gang, [])
    scheduled = ready = True
    for clique_name in group.cliques:
        extra = {
            "app.kubernetes.io/component": "pcsg-podclique",
            "grove.io/podcliquescalinggroup": pcsg_name,
            "grove.io/podcliquescalinggroup-replica-index": str(j),
        }
        pclq, clique_pods = _make_clique(
            ctx,
            f"{pcsg_name}-{j}-{clique_name}",
            f"{ctx.index}/{group.name}/{j}/{clique_name}",
            cliques[clique_name],
            pcsg,
            gang,
            extra,
            base,
        )
        minimum = pclq["spec"]["minAvailable"]
        ctx.gang_members[gang].append((pclq, clique_pods, minimum))
        scheduled &= pclq["status"]["scheduledReplicas"] >= minimum
        ready &= pclq["status"]["readyReplicas"] >= minimum
    return scheduled, ready


def _pcsg_status(
    ctx: _Replica, group: ScalingGroupSpec, scheduled_reps: int, available_reps: int
) -> Obj:
    return {
        "observedGeneration": 1,
        "replicas": group.replicas,
        "scheduledReplicas": scheduled_reps,
        "availableReplicas": available_reps,
        "updatedReplicas": 0 if ctx.updating else available_reps,
        "selector": f"app.kubernetes.io/part-of={ctx.spec.name}",
        "conditions": [_pcsg_breach_condition(ctx, group, available_reps)],
        "currentPodCliqueSetGenerationHash": GENERATION_HASH,
    }


def _pcsg_breach_condition(ctx: _Replica, group: ScalingGroupSpec, available_reps: int) -> Obj:

    if available_reps < group.min_available:
        return _condition(
            "MinAvailableBreached",
            "True",
            "InsufficientAvailablePodCliqueScalingGroupReplicas",
            f"available replicas {available_reps} < minAvailable {group.min_available}",
            ctx.breached_since(f"{ctx.index}/{group.name}")
            if ctx.was_scheduled
            else ctx.first_status,
        )
    return _condition(
        "MinAvailableBreached",
        "False",
        "SufficientAvailablePodCliqueScalingGroupReplicas",
        f"available replicas {available_reps} >= minAvailable {group.min_available}",
        ts(ctx.b.now - ctx.created_ago + timedelta(minutes=5)),
    )


# --- PodCliques and their pods -------------------------------------------------------------


def _make_clique(
    ctx: _Replica,
    fqn: str,
    key: str,
    clique: CliqueSpec,
    owner: Obj,
    gang: str,
    extra_labels: dict[str, str],
    base: str | None,
) -> tuple[Obj, list[Obj]]:
    """One PodClique and its pods, with status counters derived from the pods."""
    labels = _clique_labels(ctx, fqn, gang, extra_labels, base)
    pclq = _podclique(ctx, fqn, clique, owner, labels)
    clique_pods = [
        _clique_pod(ctx, fqn, key, k, clique, labels, pclq) for k in range(clique.replicas)
    ]
    pclq["status"] = _clique_status(ctx, key, clique, pclq["spec"]["minAvailable"], clique_pods)
    ctx.add(fqn, pclq)
    ctx.objects.extend(clique_pods)
    for pod in clique_pods:
        ctx.out[pod["metadata"]["name"]] = pod
    return pclq, clique_pods


def _clique_labels(
    ctx: _Replica, fqn: str, gang: str, extra_labels: dict[str, str], base: str | None
) -> dict[str, str]:
    labels = {
        **ctx.labels,
        **extra_labels,
        "app.kubernetes.io/name": fqn,
        "grove.io/podgang": gang,
        "grove.io/pod-template-hash": TEMPLATE_HASH,
    }
    if base and not ctx.b.shape.podgang_map:  # alpha.12 final dropped the label
        labels["grove.io/base-podgang"] = base
    return labels


def _podclique(
    ctx: _Replica, fqn: str, clique: CliqueSpec, owner: Obj, labels: dict[str, str]
) -> Obj:
    """The PodClique without status."""
    minimum = clique.min_available if clique.min_available is not None else clique.replicas
    pclq: Obj = {
        "apiVersion": "grove.io/v1alpha1",
        "kind": "PodClique",
        "metadata": _meta(ctx.b, fqn, labels, owner, ctx.created_ago),
        "spec": {
            "roleName": clique.role or clique.name,
            "replicas": clique.replicas,
            "minAvailable": minimum,
            "podSpec": {"containers": [_container(clique)]},
        },
    }
    if clique.starts_after:
        pclq["spec"]["startsAfter"] = [f"{fqn.rsplit('-', 1)[0]}-{s}" for s in clique.starts_after]
    return pclq


def _clique_pod(
    ctx: _Replica,
    fqn: str,
    key: str,
    k: int,
    clique: CliqueSpec,
    labels: dict[str, str],
    pclq: Obj,
) -> Obj:
    """Pod ``k`` of a PodClique, in the state the scenario gives it (else placed and ready)."""

    b = ctx.b
    state = _placed(ctx, ctx.pods.get(f"{key}/{k}"), clique.gpus)
    pod_labels = {
        **labels,
        "grove.io/podclique": fqn,
        "grove.io/podclique-pod-index": str(k),
        "grove.io/pod-template-hash": TEMPLATE_HASH if state.updated else OLD_TEMPLATE_HASH,
    }
    pod_labels.pop("app.kubernetes.io/name", None)
    created = b.now - (state.age or ctx.created_ago - timedelta(minutes=1))
    return b.pod_object(
        b.namespace,
        f"{fqn}-{suffix(fqn, str(k))}",
        {"app.kubernetes.io/name": fqn, **pod_labels},
        _container(clique),
        state,
        pclq,
        created,
        GATE,
    )


def _placed(ctx: _Replica, state: PodState | None, gpus: int) -> PodState:
    """The pod's state with a node: first-fit unless given, gated or unschedulable; a pod on a
    node that is not gated claims its GPUs there."""

    state = state or PodState()
    if state.node is None and not state.gated and state.unschedulable is None:
        state = PodState(**{**state.__dict__, "node": ctx.b.place(gpus)})
    if state.node and not state.gated:
        ctx.b.claim(state.node, gpus)
    return state


@dataclass(frozen=True)
class _PodCounts:
    """A PodClique's status counters, counted from its pods."""

    scheduled: int
    ready: int
    gated: int
    updated: int

    @classmethod
    def of(cls, pods: list[Obj]) -> _PodCounts:
        return cls(
            scheduled=sum(1 for p in pods if p["spec"].get("nodeName")),
            ready=sum(
                1
                for p in pods
                if any(
                    c["type"] == "Ready" and c["status"] == "True"
                    for c in p["status"]["conditions"]
                )
            ),
            gated=sum(1 for p in pods if p["spec"].get("schedulingGates")),
            updated=sum(
                1
                for p in pods
                if p["metadata"]["labels"]["grove.io/pod-template-hash"] == TEMPLATE_HASH
            ),
        )


def _clique_status(
    ctx: _Replica, key: str, clique: CliqueSpec, minimum: int, clique_pods: list[Obj]
) -> Obj:

    counts = _PodCounts.of(clique_pods)
    healthy_since = ts(ctx.b.now - ctx.created_ago + timedelta(minutes=5))
    status: Obj = {
        "observedGeneration": 1,
        "replicas": len(clique_pods),
        "readyReplicas": counts.ready,
        "scheduledReplicas": counts.scheduled,
        "scheduleGatedReplicas": counts.gated,
        "updatedReplicas": counts.updated,
        "conditions": [
            _clique_breach_condition(ctx, key, clique, minimum, counts, healthy_since),
            _clique_scheduled_condition(ctx, key, minimum, counts.scheduled, healthy_since),
        ],
        "currentPodTemplateHash": TEMPLATE_HASH if not ctx.updating else OLD_TEMPLATE_HASH,
        "currentPodCliqueSetGenerationHash": GENERATION_HASH,
    }
    if ctx.updating:
        legacy = ctx.b.shape.legacy_progress
        status["rollingUpdateProgress" if legacy else "updateProgress"] = {
            "updateStartedAt": ctx.update_started,
            "podCliqueSetGenerationHash": GENERATION_HASH,
            "podTemplateHash": TEMPLATE_HASH,
        }
    return status


def _clique_breach_condition(
    ctx: _Replica,
    key: str,
    clique: CliqueSpec,
    minimum: int,
    counts: _PodCounts,
    healthy_since: str,
) -> Obj:
    """MinAvailableBreached: Unknown while the clique updates, True below minAvailable
    scheduled or ready pods, else False (a scenario listing the clique as breached is wrong)."""
    if ctx.updating and counts.updated < clique.replicas:
        return _condition(
            "MinAvailableBreached",
            "Unknown",
            "UpdateInProgress",
            "Update is in progress",
            ctx.update_started,
        )
    if counts.scheduled == 0 < minimum and ctx.b.shape.unscheduled_not_breached:
        return _condition(
            "MinAvailableBreached",
            "False",
            "InsufficientScheduledPods",
            f"Scheduled replicas {counts.scheduled} (MinAvailable {minimum}); gang termination "
            "suppressed to avoid recreating Pending pods against the same cluster state",
            ctx.breached_since(key),
        )
    if counts.scheduled < minimum or counts.ready < minimum:
        reason = (
            "ScheduledReplicasBelowMinAvailable"
            if counts.scheduled < minimum
            else "InsufficientReadyPods"
        )
        return _condition(
            "MinAvailableBreached",
            "True",
            reason,
            f"Insufficient scheduled/ready pods. expected at least: "
            f"{minimum}, found: {min(counts.scheduled, counts.ready)}",
            ctx.breached_since(key),
        )
    if key in ctx.breaches:
        raise ValueError(
            f"scenario error: {key} is listed as breached but has {counts.ready}/{minimum} "
            "ready pods"
        )
    return _condition(
        "MinAvailableBreached",
        "False",
        "SufficientReadyPods",
        f"Sufficient ready pods found. expected at least: {minimum}, found: {counts.ready}",
        healthy_since,
    )


def _clique_scheduled_condition(
    ctx: _Replica, key: str, minimum: int, scheduled: int, healthy_since: str
) -> Obj:
    ok = scheduled >= minimum
    return _condition(
        "PodCliqueScheduled",
        "True" if ok else "False",
        "SufficientScheduledPods" if ok else "InsufficientScheduledPods",
        f"scheduled: {scheduled}, minAvailable: {minimum}",
        healthy_since
        if ok
        else (ctx.breached_since(key) if ctx.was_scheduled else ctx.first_status),
    )


def _podgang(
    b: ScenarioBuilder,
    spec: WorkloadSpec,
    pcs: Obj,
    name: str,
    members: list[tuple[Obj, list[Obj], int]],
    base_labels: dict[str, str],
    shape: GroveShape,
    created_ago: timedelta,
    was_scheduled: bool,
) -> Obj:

    labels = {**base_labels, "app.kubernetes.io/component": "podgang"}
    if shape.epoch_names:
        anchor = name.endswith(EPOCH)
        labels["grove.io/epoch"] = EPOCH if anchor or not shape.podgang_map else TAIL_EPOCH
        labels["grove.io/podgang-role"] = "Anchor" if anchor else "Tail"
    meta = _meta(b, name, labels, pcs, created_ago)
    groups = [
        {
            "name": pclq["metadata"]["name"],
            "podReferences": sorted(
                ({"namespace": b.namespace, "name": p["metadata"]["name"]} for p in pods),
                key=lambda r: r["name"],
            ),
            "minReplicas": minimum,
        }
        for pclq, pods, minimum in members
    ]
    gang: Obj = {
        "apiVersion": "scheduler.grove.io/v1alpha1",
        "kind": "PodGang",
        "metadata": meta,
        "spec": {"podgroups": groups},
    }
    if spec.pack_required or spec.pack_preferred:
        keys = _level_keys(b)
        pack = {
            k: keys.get(v, v)
            for k, v in (("required", spec.pack_required), ("preferred", spec.pack_preferred))
            if v
        }
        gang["spec"]["topologyConstraint"] = {"packConstraint": pack}
        if spec.topology_name:
            meta["annotations"] = {"grove.io/topology-name": spec.topology_name}
    since = ts(b.now - created_ago + timedelta(minutes=1))
    scheduled = all(
        sum(1 for p in pods if p["spec"].get("nodeName")) >= minimum for _, pods, minimum in members
    )
    ready = all(pclq["status"]["readyReplicas"] >= minimum for pclq, _, minimum in members)
    lost = min(
        (
            c["lastTransitionTime"]
            for pclq, _, _ in members
            for c in pclq["status"]["conditions"]
            if c["type"] == "MinAvailableBreached" and c["status"] == "True"
        ),
        default=since,
    )
    conditions = [
        _condition(
            "Initialized", "True", "PodGangPodsCreated", "PodGang is fully initialized", since
        )
    ]
    if shape.podgang_ready_conditions:
        conditions.append(
            _condition(
                "Scheduled",
                "True" if scheduled else "False",
                "PodsScheduled" if scheduled else "InsufficientScheduledPods",
                "",
                since if scheduled else lost,
            )
        )
        conditions.append(
            _condition(
                "Ready",
                "True" if ready else "False",
                "PodsReady" if ready else "InsufficientReadyPods",
                "",
                since if ready else lost,
            )
        )
    status: Obj = {"conditions": conditions}
    if shape.podgang_phase:
        status["phase"] = "Pending"
    if shape.podgang_ready_conditions and was_scheduled:
        status["lastScheduled"] = since
        if ready or was_scheduled:
            status["lastReady"] = ts(b.now - created_ago + timedelta(minutes=4))
    gang["status"] = status
    return gang


def _level_keys(b: ScenarioBuilder) -> dict[str, str]:
    for obj in b.objects:
        if obj["kind"] in ("ClusterTopologyBinding", "ClusterTopology"):
            return {lv["domain"]: lv["key"] for lv in obj["spec"]["levels"]}
    return {}


def _pcs_status(
    b: ScenarioBuilder,
    spec: WorkloadSpec,
    available: int,
    updating_replica: int | None,
    shape: GroveShape,
    out: dict[str, Obj],
) -> Obj:

    standalone = sum(
        1
        for o in out.values()
        if o["kind"] == "PodClique"
        and o["metadata"]["labels"].get("app.kubernetes.io/component") == "pcs-podclique"
    )
    groups = sum(1 for o in out.values() if o["kind"] == "PodCliqueScalingGroup")
    created = b.now - spec.age
    status: Obj = {
        "observedGeneration": 1,
        "replicas": spec.replicas,
        "availableReplicas": available,
        "updatedReplicas": available - (1 if updating_replica is not None else 0),
        "currentGenerationHash": GENERATION_HASH,
        "hpaPodSelector": f"app.kubernetes.io/managed-by=grove-operator,"
        f"app.kubernetes.io/part-of={spec.name}",
    }
    if updating_replica is not None:
        started = ts(b.now - timedelta(minutes=10))
        per_replica_cliques = standalone // max(spec.replicas, 1)
        if shape.legacy_progress:
            status["rollingUpdateProgress"] = {
                "updateStartedAt": started,
                "updatedPodCliques": [
                    o["metadata"]["name"]
                    for o in out.values()
                    if o["kind"] == "PodClique"
                    and o["metadata"]["labels"]["grove.io/podcliqueset-replica-index"]
                    != str(updating_replica)
                    and "grove.io/podcliquescalinggroup" not in o["metadata"]["labels"]
                ],
                "updatedPodCliqueScalingGroups": [],
                "currentlyUpdating": {"replicaIndex": updating_replica, "updateStartedAt": started},
            }
        else:
            status["updateProgress"] = {
                "updateStartedAt": started,
                "updatedPodCliquesCount": standalone - per_replica_cliques,
                "totalPodCliquesCount": standalone,
                "updatedPodCliqueScalingGroupsCount": 0,
                "totalPodCliqueScalingGroupsCount": groups,
                "currentlyUpdating": [
                    {"replicaIndex": updating_replica, "updateStartedAt": started}
                ],
            }
    elif not shape.legacy_progress:
        status["updateProgress"] = {
            "updateStartedAt": ts(created),
            "updateEndedAt": ts(created + timedelta(minutes=6)),
            "updatedPodCliquesCount": standalone,
            "totalPodCliquesCount": standalone,
            "updatedPodCliqueScalingGroupsCount": groups,
            "totalPodCliqueScalingGroupsCount": groups,
        }
    return status
