"""Build consistent Grove worlds as bundles: nodes, topology, PodCliqueSets and everything below.

A scenario states the intent (which pod runs where, which is pending, since when a clique is
breached); the builder writes the objects Grove and Kubernetes would show, deriving every
status counter from the pods so the world is self-consistent. The result is a ``Bundle``: the
one scenario format read by ``BundleSource`` and applied to a cluster by the seeder.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .. import __version__
from ..sources.bundle import Bundle, Manifest
from .grove_objects import GroveShape, podcliqueset_objects
from .specs import (
    GPU,
    PodState,
    WorkloadSpec,
    controller_reference,
    suffix,
    ts,
    uid,
)

Obj = dict[str, Any]


def _gpu_container(gpus: int) -> Obj:
    """The one container of another workload's pod (a training job), holding ``gpus``."""
    return {
        "name": "main",
        "image": "nvcr.io/nvidia/pytorch:25.08-py3",
        "resources": {"requests": {GPU: str(gpus), "cpu": "16"}, "limits": {GPU: str(gpus)}},
    }


class ScenarioBuilder:
    """Accumulates objects for one bundle; every time is relative to ``captured_at``."""

    def __init__(
        self,
        namespace: str,
        captured_at: datetime,
        description: str,
        shape: GroveShape | None = None,
    ) -> None:
        self.namespace = namespace
        self.now = captured_at
        self.description = description
        self.shape = shape or GroveShape()
        self.objects: list[Obj] = []
        self._gpu_used: dict[str, int] = {}
        self._node_gpus: dict[str, int] = {}
        self._node_order: list[str] = []

    # --- cluster ---------------------------------------------------------------------------

    def node(
        self,
        name: str,
        labels: dict[str, str],
        gpus: int = 8,
        *,
        ready: bool = True,
        unschedulable: bool = False,
        cpu: str = "128",
        memory: str = "2048Gi",
    ) -> None:
        allocatable = {"cpu": cpu, "memory": memory, "pods": "110", GPU: str(gpus)}
        self._node_gpus[name] = gpus
        self._node_order.append(name)
        created = ts(self.now - timedelta(days=30))
        self.objects.append(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": name,
                    "uid": uid("node", name),
                    "creationTimestamp": created,
                    "labels": {
                        "kubernetes.io/hostname": name,
                        "kubernetes.io/os": "linux",
                        "nvidia.com/gpu.product": "NVIDIA-H200",
                        "nvidia.com/gpu.count": str(gpus),
                        **labels,
                    },
                },
                "spec": {"unschedulable": True} if unschedulable else {},
                "status": {
                    "capacity": dict(allocatable),
                    "allocatable": allocatable,
                    "conditions": [
                        {
                            "type": "Ready",
                            "status": "True" if ready else "Unknown",
                            "reason": "KubeletReady" if ready else "NodeStatusUnknown",
                            "message": "kubelet is posting ready status"
                            if ready
                            else "Kubelet stopped posting node status.",
                            "lastHeartbeatTime": ts(self.now),
                            "lastTransitionTime": ts(
                                self.now - timedelta(days=30 if ready else 0, minutes=5)
                            ),
                        }
                    ],
                    "nodeInfo": {
                        "kubeletVersion": "v1.34.4",
                        "architecture": "amd64",
                        "operatingSystem": "linux",
                    },
                },
            }
        )

    def topology(self, name: str, levels: list[tuple[str, str]]) -> None:
        legacy = self.shape.legacy_topology
        obj: Obj = {
            "apiVersion": "grove.io/v1alpha1",
            "kind": "ClusterTopology" if legacy else "ClusterTopologyBinding",
            "metadata": {
                "name": name,
                "uid": uid("ct", name),
                "creationTimestamp": ts(self.now - timedelta(days=30)),
            },
            "spec": {"levels": [{"domain": d, "key": k} for d, k in levels]},
        }
        if not legacy:
            obj["status"] = {
                "observedGeneration": 1,
                "conditions": [
                    {
                        "type": "SchedulerTopologyDrift",
                        "status": "False",
                        "reason": "InSync",
                        "message": "Scheduler topology is in sync",
                        "lastTransitionTime": ts(self.now - timedelta(days=30)),
                    }
                ],
            }
        self.objects.append(obj)

    def other_pod(
        self,
        namespace: str,
        name: str,
        node: str,
        gpus: int,
        labels: dict[str, str] | None = None,
        age: timedelta = timedelta(hours=6),
    ) -> None:
        """A pod of some other workload, holding GPUs on a node."""
        self._gpu_used[node] = self._gpu_used.get(node, 0) + gpus
        self.objects.append(
            self.pod_object(
                namespace,
                name,
                labels or {"app": name.rsplit("-", 1)[0]},
                container=_gpu_container(gpus),
                state=PodState(node=node),
                owner=None,
                created=self.now - age,
            )
        )

    def operator(self, tag: str, namespace: str = "grove-system") -> None:
        """The Grove operator's Deployment as its Helm chart labels it; the tag is the version."""
        labels = {
            "app.kubernetes.io/component": "operator-deployment",
            "app.kubernetes.io/name": "grove-operator",
            "app.kubernetes.io/part-of": "grove",
        }
        self.objects.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {
                    "name": "grove-operator",
                    "namespace": namespace,
                    "labels": labels,
                    "creationTimestamp": ts(self.now - timedelta(days=12)),
                },
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": labels},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "serviceAccountName": "grove-operator",
                            "containers": [
                                {
                                    "name": "grove-operator",
                                    "image": f"ghcr.io/ai-dynamo/grove/grove-operator:{tag}",
                                    "args": ["--config=/etc/grove-operator/config.yaml"],
                                }
                            ],
                        },
                    },
                },
            }
        )

    def nominated_pod(
        self, namespace: str, name: str, node: str, gpus: int, labels: dict[str, str]
    ) -> None:
        """A pending pod of another workload for which preemption made room on ``node``: the
        scheduler holds that room for it (``status.nominatedNodeName``)."""
        pod = self.pod_object(
            namespace,
            name,
            labels,
            container=_gpu_container(gpus),
            state=PodState(
                unschedulable=f"0/6 nodes are available: 6 Insufficient {GPU}. preemption: "
                f"1 node is a preemption candidate: {node}."
            ),
            owner=None,
            created=self.now - timedelta(minutes=2),
        )
        pod["status"]["nominatedNodeName"] = node
        self.objects.append(pod)

    def resource_quota(self, name: str, hard_gpus: int, used_gpus: int) -> None:
        """A ResourceQuota capping the namespace's GPUs, as the quota controller has counted."""
        key = f"requests.{GPU}"
        self.objects.append(
            {
                "apiVersion": "v1",
                "kind": "ResourceQuota",
                "metadata": {
                    "name": name,
                    "namespace": self.namespace,
                    "uid": uid("quota", name),
                    "creationTimestamp": ts(self.now - timedelta(days=3)),
                },
                "spec": {"hard": {key: str(hard_gpus)}},
                "status": {"hard": {key: str(hard_gpus)}, "used": {key: str(used_gpus)}},
            }
        )

    def kai_queue(
        self,
        name: str,
        *,
        quota: float,
        limit: float,
        allocated: int,
        parent: str | None = None,
    ) -> None:
        """A KAI-Scheduler Queue (scheduling.run.ai/v2) with the GPUs KAI has allocated in it."""
        spec: Obj = {
            "displayName": name,
            "resources": {
                "gpu": {"quota": quota, "limit": limit, "overQuotaWeight": 1},
                "cpu": {"quota": -1, "limit": -1, "overQuotaWeight": 1},
                "memory": {"quota": -1, "limit": -1, "overQuotaWeight": 1},
            },
        }
        if parent:
            spec["parentQueue"] = parent
        self.objects.append(
            {
                "apiVersion": "scheduling.run.ai/v2",
                "kind": "Queue",
                "metadata": {
                    "name": name,
                    "uid": uid("queue", name),
                    "creationTimestamp": ts(self.now - timedelta(days=30)),
                },
                "spec": spec,
                "status": {
                    "allocated": {GPU: str(allocated)},
                    "allocatedNonPreemptible": {GPU: str(allocated)},
                },
            }
        )

    def event(
        self,
        involved: Obj,
        reason: str,
        message: str,
        *,
        type_: str = "Warning",
        count: int = 1,
        first_ago: timedelta,
        last_ago: timedelta,
        component: str = "default-scheduler",
    ) -> None:
        meta = involved["metadata"]
        name = f"{meta['name']}.{suffix(reason, meta['name'])}"
        self.objects.append(
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {
                    "name": name,
                    "namespace": meta.get("namespace", self.namespace),
                    "creationTimestamp": ts(self.now - first_ago),
                },
                "involvedObject": {
                    "apiVersion": involved["apiVersion"],
                    "kind": involved["kind"],
                    "name": meta["name"],
                    "namespace": meta.get("namespace", self.namespace),
                    "uid": meta.get("uid"),
                },
                "reason": reason,
                "message": message,
                "type": type_,
                "count": count,
                "firstTimestamp": ts(self.now - first_ago),
                "lastTimestamp": ts(self.now - last_ago),
                "source": {"component": component},
            }
        )

    def config_map(self, name: str, data: dict[str, str], labels: dict[str, str]) -> None:
        self.objects.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {
                    "name": name,
                    "namespace": self.namespace,
                    "labels": labels,
                    "uid": uid("cm", name),
                    "creationTimestamp": ts(self.now - timedelta(days=1)),
                },
                "data": data,
            }
        )

    # --- workloads -------------------------------------------------------------------------

    def workload(
        self,
        spec: WorkloadSpec,
        pods: dict[str, PodState] | None = None,
        breaches: dict[str, timedelta] | None = None,
        updating_replica: int | None = None,
        never_scheduled: set[int] | None = None,
    ) -> dict[str, Obj]:
        """Add a PodCliqueSet and all its children; returns the objects by name.

        Pod keys: ``<replica>/<clique>/<index>`` or ``<replica>/<group>/<j>/<clique>/<index>``.
        ``breaches`` gives, per PodClique key (``<replica>/<clique>`` or
        ``<replica>/<group>/<j>/<clique>``), how long ago MinAvailableBreached turned True.
        ``never_scheduled`` lists replicas whose gangs were never fully scheduled (startup).
        """
        return podcliqueset_objects(
            self, spec, pods or {}, breaches or {}, updating_replica, never_scheduled or set()
        )

    def place(self, gpus: int) -> str:
        """First-fit node for a pod, like a scheduler without topology awareness."""
        for node in self._node_order:
            if self._node_gpus[node] - self._gpu_used.get(node, 0) >= gpus:
                return node
        raise ValueError(f"scenario error: no node has {gpus} free GPUs for an unplaced pod")

    def claim(self, node: str, gpus: int) -> None:
        self._gpu_used[node] = self._gpu_used.get(node, 0) + gpus

    def pod_object(
        self,
        namespace: str,
        name: str,
        labels: dict[str, str],
        container: Obj,
        state: PodState,
        owner: Obj | None,
        created: datetime,
        gate: str | None = None,
    ) -> Obj:
        """A Pod with the status a kubelet and scheduler would have written."""
        meta: Obj = {
            "name": name,
            "namespace": namespace,
            "uid": uid("pod", namespace, name),
            "labels": labels,
            "creationTimestamp": ts(created),
        }
        if owner is not None:
            meta["ownerReferences"] = [controller_reference(owner)]
        spec: Obj = {
            "containers": [container],
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "terminationGracePeriodSeconds": 30,
        }
        started = created + timedelta(seconds=20)
        conditions: list[Obj]
        if state.gated or state.node is None:
            if state.gated and gate:
                spec["schedulingGates"] = [{"name": gate}]
                conditions = [
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "reason": "SchedulingGated",
                        "message": "Scheduling is blocked due to non-empty scheduling gates",
                        "lastTransitionTime": ts(created),
                    }
                ]
            else:
                conditions = [
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "reason": "Unschedulable",
                        "message": state.unschedulable or "0/1 nodes are available.",
                        "lastTransitionTime": ts(created + timedelta(seconds=1)),
                    }
                ]
            status: Obj = {"phase": "Pending", "conditions": conditions, "qosClass": "Burstable"}
            return {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": meta,
                "spec": spec,
                "status": status,
            }
        spec["nodeName"] = state.node
        ready = state.ready and state.waiting_reason is None
        ready_since = ts(started + timedelta(minutes=3))
        container_state: Obj = (
            {
                "waiting": {
                    "reason": state.waiting_reason,
                    "message": f"back-off restarting failed container {container['name']}",
                }
            }
            if state.waiting_reason
            else {"running": {"startedAt": ts(started)}}
        )
        cstatus: Obj = {
            "name": container["name"],
            "image": container["image"],
            "imageID": "",
            "ready": ready,
            "restartCount": state.restarts,
            "started": state.waiting_reason is None,
            "state": container_state,
            "lastState": {},
        }
        if state.last_exit:
            reason, code = state.last_exit
            cstatus["lastState"] = {
                "terminated": {
                    "reason": reason,
                    "exitCode": code,
                    "startedAt": ts(started),
                    "finishedAt": ts(self.now - timedelta(minutes=2)),
                }
            }
        flag = "True" if ready else "False"
        conditions = [
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": ts(created)},
            {"type": "Initialized", "status": "True", "lastTransitionTime": ts(started)},
            {
                "type": "ContainersReady",
                "status": flag,
                "lastTransitionTime": ready_since if ready else ts(self.now - timedelta(minutes=5)),
                **(
                    {}
                    if ready
                    else {
                        "reason": "ContainersNotReady",
                        "message": f"containers with unready status: [{container['name']}]",
                    }
                ),
            },
            {
                "type": "Ready",
                "status": flag,
                "lastTransitionTime": ready_since if ready else ts(self.now - timedelta(minutes=5)),
                **(
                    {}
                    if ready
                    else {
                        "reason": "ContainersNotReady",
                        "message": f"containers with unready status: [{container['name']}]",
                    }
                ),
            },
        ]
        status = {
            "phase": state.phase or "Running",
            "conditions": conditions,
            "containerStatuses": [cstatus],
            "startTime": ts(started),
            "hostIP": "10.0.0.1",
            "podIP": "10.244.0.10",
            "qosClass": "Burstable",
        }
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}

    def bundle(self) -> Bundle:
        """The scenario; with the operator's Deployment of the shape's version unless given."""
        if self.shape.operator_tag and not any(o["kind"] == "Deployment" for o in self.objects):
            self.operator(self.shape.operator_tag)
        manifest = Manifest(
            captured_at=self.now,
            namespace=self.namespace,
            tool_version=__version__,
            description=self.description,
        )
        return Bundle(manifest, tuple(self.objects), origin=f"scenario: {self.description}")
