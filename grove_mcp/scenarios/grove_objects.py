"""The Grove objects of one PodCliqueSet, as the operator and scheduler would have written them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .builder import CliqueSpec, PodState, ScenarioBuilder, WorkloadSpec

Obj = dict[str, Any]
GATE = "grove.io/podgang-pending-creation"
TEMPLATE_HASH = "6d5f8b9c7"
OLD_TEMPLATE_HASH = "58c7f4d2b"
GENERATION_HASH = "7b9f6c5d48"
EPOCH = "1795180000000000000"


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


ALPHA_8 = GroveShape(legacy_topology=True, legacy_progress=True, legacy_pack_domain=True)
WITH_PR_792 = GroveShape(podgang_ready_conditions=True)


def _meta(
    b: ScenarioBuilder, name: str, labels: dict[str, str], owner: Obj | None, created_ago: timedelta
) -> Obj:
    from .builder import controller_reference, ts, uid

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
    from .builder import ts

    shape = b.shape
    created_ago = spec.age
    base_labels = {
        "app.kubernetes.io/managed-by": "grove-operator",
        "app.kubernetes.io/part-of": spec.name,
    }
    cliques = {c.name: c for c in spec.cliques}
    grouped = {name for g in spec.scaling_groups for name in g.cliques}
    constraint = _constraint(spec, shape)
    template: Obj = {
        "cliques": [
            {
                "name": c.name,
                "spec": {
                    "roleName": c.role or c.name,
                    "replicas": c.replicas,
                    **({"minAvailable": c.min_available} if c.min_available is not None else {}),
                    **({"startsAfter": list(c.starts_after)} if c.starts_after else {}),
                    "podSpec": {"containers": [_container(c)]},
                },
            }
            for c in spec.cliques
        ],
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
    pcs: Obj = {
        "apiVersion": "grove.io/v1alpha1",
        "kind": "PodCliqueSet",
        "metadata": _meta(b, spec.name, dict(spec.labels), None, created_ago),
        "spec": {
            "replicas": spec.replicas,
            "updateStrategy": {"type": "RollingRecreate"},
            "template": template,
        },
    }
    out: dict[str, Obj] = {spec.name: pcs}
    objects: list[Obj] = [pcs]
    available_replicas = 0
    update_started = ts(b.now - timedelta(minutes=10))

    for i in range(spec.replicas):
        base_gang = f"{spec.name}-{i}-{EPOCH}" if shape.epoch_names else f"{spec.name}-{i}"
        replica_labels = {**base_labels, "grove.io/podcliqueset-replica-index": str(i)}
        gang_members: dict[str, list[tuple[Obj, list[Obj], int]]] = {base_gang: []}
        replica_ok = True
        updating = updating_replica == i

        ctx = _Replica(
            b, pods, breaches, out, objects, replica_labels, updating, created_ago, update_started
        )
        for clique in spec.cliques:
            if clique.name in grouped:
                continue
            fqn = f"{spec.name}-{i}-{clique.name}"
            pclq, clique_pods = _make_clique(
                ctx,
                fqn,
                f"{i}/{clique.name}",
                clique,
                pcs,
                base_gang,
                {"app.kubernetes.io/component": "pcs-podclique"},
                None,
            )
            gang_members[base_gang].append((pclq, clique_pods, pclq["spec"]["minAvailable"]))
            replica_ok &= pclq["status"]["readyReplicas"] >= pclq["spec"]["minAvailable"]

        for group in spec.scaling_groups:
            pcsg_name = f"{spec.name}-{i}-{group.name}"
            pcsg_labels = {
                **replica_labels,
                "app.kubernetes.io/name": pcsg_name,
                "app.kubernetes.io/component": "pcs-podcliquescalinggroup",
            }
            pcsg: Obj = {
                "apiVersion": "grove.io/v1alpha1",
                "kind": "PodCliqueScalingGroup",
                "metadata": _meta(b, pcsg_name, pcsg_labels, pcs, created_ago),
                "spec": {
                    "replicas": group.replicas,
                    "minAvailable": group.min_available,
                    "cliqueNames": list(group.cliques),
                },
            }
            objects.append(pcsg)
            out[pcsg_name] = pcsg
            scheduled_reps = available_reps = 0
            for j in range(group.replicas):
                if j < group.min_available:
                    gang, base = base_gang, None
                elif shape.epoch_names:
                    gang, base = f"{spec.name}-{i}-{EPOCH}-{group.name}-{j}", base_gang
                else:
                    gang, base = f"{pcsg_name}-{j - group.min_available}", base_gang
                gang_members.setdefault(gang, [])
                rep_scheduled = rep_available = True
                for clique_name in group.cliques:
                    clique = cliques[clique_name]
                    fqn = f"{pcsg_name}-{j}-{clique_name}"
                    extra = {
                        "app.kubernetes.io/component": "pcsg-podclique",
                        "grove.io/podcliquescalinggroup": pcsg_name,
                        "grove.io/podcliquescalinggroup-replica-index": str(j),
                    }
                    pclq, clique_pods = _make_clique(
                        ctx,
                        fqn,
                        f"{i}/{group.name}/{j}/{clique_name}",
                        clique,
                        pcsg,
                        gang,
                        extra,
                        base,
                    )
                    minimum = pclq["spec"]["minAvailable"]
                    gang_members[gang].append((pclq, clique_pods, minimum))
                    rep_scheduled &= pclq["status"]["scheduledReplicas"] >= minimum
                    rep_available &= pclq["status"]["readyReplicas"] >= minimum
                scheduled_reps += rep_scheduled
                available_reps += rep_scheduled and rep_available
            group_key = f"{i}/{group.name}"
            group_breached = available_reps < group.min_available
            if group_breached:
                group_cond = _condition(
                    "MinAvailableBreached",
                    "True",
                    "InsufficientAvailablePodCliqueScalingGroupReplicas",
                    f"available replicas {available_reps} < minAvailable {group.min_available}",
                    ts(b.now - breaches.get(group_key, timedelta(minutes=2))),
                )
            else:
                group_cond = _condition(
                    "MinAvailableBreached",
                    "False",
                    "SufficientAvailablePodCliqueScalingGroupReplicas",
                    f"available replicas {available_reps} >= minAvailable {group.min_available}",
                    ts(b.now - created_ago + timedelta(minutes=5)),
                )
            pcsg["status"] = {
                "observedGeneration": 1,
                "replicas": group.replicas,
                "scheduledReplicas": scheduled_reps,
                "availableReplicas": available_reps,
                "updatedReplicas": 0 if updating else available_reps,
                "selector": f"app.kubernetes.io/part-of={spec.name}",
                "conditions": [group_cond],
                "currentPodCliqueSetGenerationHash": GENERATION_HASH,
            }
            replica_ok &= not group_breached

        available_replicas += replica_ok
        for gang_name, members in gang_members.items():
            gang_obj = _podgang(
                b,
                spec,
                pcs,
                gang_name,
                members,
                base_labels,
                shape,
                created_ago,
                i not in never_scheduled,
            )
            objects.append(gang_obj)
            out[gang_name] = gang_obj

    pcs["status"] = _pcs_status(b, spec, available_replicas, updating_replica, shape, out)
    b.objects.extend(objects)
    return out


@dataclass
class _Replica:
    """What the PodCliques of one PCS replica share while being built."""

    b: ScenarioBuilder
    pods: dict[str, PodState]
    breaches: dict[str, timedelta]
    out: dict[str, Obj]
    objects: list[Obj]
    labels: dict[str, str]
    updating: bool
    created_ago: timedelta
    update_started: str


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
    from .builder import PodState, suffix, ts

    b, pods, breaches, out, objects = ctx.b, ctx.pods, ctx.breaches, ctx.out, ctx.objects
    replica_labels, updating, created_ago = ctx.labels, ctx.updating, ctx.created_ago
    update_started = ctx.update_started
    labels = {
        **replica_labels,
        **extra_labels,
        "app.kubernetes.io/name": fqn,
        "grove.io/podgang": gang,
        "grove.io/pod-template-hash": TEMPLATE_HASH,
    }
    if base:
        labels["grove.io/base-podgang"] = base
    minimum = clique.min_available if clique.min_available is not None else clique.replicas
    pclq: Obj = {
        "apiVersion": "grove.io/v1alpha1",
        "kind": "PodClique",
        "metadata": _meta(b, fqn, labels, owner, created_ago),
        "spec": {
            "roleName": clique.role or clique.name,
            "replicas": clique.replicas,
            "minAvailable": minimum,
            "podSpec": {"containers": [_container(clique)]},
        },
    }
    if clique.starts_after:
        pclq["spec"]["startsAfter"] = [f"{fqn.rsplit('-', 1)[0]}-{s}" for s in clique.starts_after]
    clique_pods = []
    for k in range(clique.replicas):
        state = pods.get(f"{key}/{k}") or PodState()
        if state.node is None and not state.gated and state.unschedulable is None:
            state = PodState(**{**state.__dict__, "node": b.place(clique.gpus)})
        if state.node and not state.gated:
            b.claim(state.node, clique.gpus)
        pod_labels = {
            **labels,
            "grove.io/podclique": fqn,
            "grove.io/podclique-pod-index": str(k),
            "grove.io/pod-template-hash": TEMPLATE_HASH if state.updated else OLD_TEMPLATE_HASH,
        }
        pod_labels.pop("app.kubernetes.io/name", None)
        created = b.now - (state.age or created_ago - timedelta(minutes=1))
        clique_pods.append(
            b.pod_object(
                b.namespace,
                f"{fqn}-{suffix(fqn, str(k))}",
                {"app.kubernetes.io/name": fqn, **pod_labels},
                _container(clique),
                state,
                pclq,
                created,
                GATE,
            )
        )
    scheduled = sum(1 for p in clique_pods if p["spec"].get("nodeName"))
    ready = sum(
        1
        for p in clique_pods
        if any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"]["conditions"])
    )
    gated = sum(1 for p in clique_pods if p["spec"].get("schedulingGates"))
    updated = sum(
        1
        for p in clique_pods
        if p["metadata"]["labels"]["grove.io/pod-template-hash"] == TEMPLATE_HASH
    )
    breach_computed = scheduled < minimum or ready < minimum
    healthy_since = ts(b.now - created_ago + timedelta(minutes=5))
    if updating and updated < clique.replicas:
        breach = _condition(
            "MinAvailableBreached",
            "Unknown",
            "UpdateInProgress",
            "Update is in progress",
            update_started,
        )
    elif breach_computed:
        since = ts(b.now - breaches.get(key, timedelta(minutes=2)))
        reason = (
            "ScheduledReplicasBelowMinAvailable" if scheduled < minimum else "InsufficientReadyPods"
        )
        breach = _condition(
            "MinAvailableBreached",
            "True",
            reason,
            f"Insufficient scheduled/ready pods. expected at least: "
            f"{minimum}, found: {min(scheduled, ready)}",
            since,
        )
    else:
        if key in breaches:
            raise ValueError(
                f"scenario error: {key} is listed as breached but has {ready}/{minimum} ready pods"
            )
        breach = _condition(
            "MinAvailableBreached",
            "False",
            "SufficientReadyPods",
            f"Sufficient ready pods found. expected at least: {minimum}, found: {ready}",
            healthy_since,
        )
    scheduled_cond = _condition(
        "PodCliqueScheduled",
        "True" if scheduled >= minimum else "False",
        "SufficientScheduledPods" if scheduled >= minimum else "InsufficientScheduledPods",
        f"scheduled: {scheduled}, minAvailable: {minimum}",
        healthy_since
        if scheduled >= minimum
        else ts(b.now - breaches.get(key, timedelta(minutes=2))),
    )
    status: Obj = {
        "observedGeneration": 1,
        "replicas": len(clique_pods),
        "readyReplicas": ready,
        "scheduledReplicas": scheduled,
        "scheduleGatedReplicas": gated,
        "updatedReplicas": updated,
        "conditions": [breach, scheduled_cond],
        "currentPodTemplateHash": TEMPLATE_HASH if not updating else OLD_TEMPLATE_HASH,
        "currentPodCliqueSetGenerationHash": GENERATION_HASH,
    }
    if updating:
        progress = {
            "updateStartedAt": update_started,
            "podCliqueSetGenerationHash": GENERATION_HASH,
            "podTemplateHash": TEMPLATE_HASH,
        }
        status["rollingUpdateProgress" if b.shape.legacy_progress else "updateProgress"] = progress
    pclq["status"] = status
    out[fqn] = pclq
    objects.append(pclq)
    objects.extend(clique_pods)
    for pod in clique_pods:
        out[pod["metadata"]["name"]] = pod
    return pclq, clique_pods


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
    from .builder import ts

    labels = {**base_labels, "app.kubernetes.io/component": "podgang"}
    if shape.epoch_names:
        labels["grove.io/epoch"] = EPOCH
        labels["grove.io/podgang-role"] = "Anchor" if name.endswith(EPOCH) else "ScaleOut"
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
    from .builder import ts

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
