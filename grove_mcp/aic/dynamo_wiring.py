"""What Dynamo's operator puts on the pods of a Grove deployment, for pods applied without it.

Facts (``../shared/reference/dynamo-pod-wiring.md``; Dynamo ``deploy/operator/internal/dynamo``:
``component_common.go``, ``component_frontend.go``, ``component_worker.go``, ``backend_*.go``,
``graph.go``, and ``internal/discovery/resource.go``). Pure: names in, Kubernetes fragments out.

- every main container: ``DYN_NAMESPACE``, ``DYN_COMPONENT``, ``DYN_DISCOVERY_BACKEND=kubernetes``,
  ``DYN_PARENT_DGD_K8S_NAME`` / ``_NAMESPACE`` (our deployment: the PodCliqueSet), and
  ``POD_NAME`` / ``POD_NAMESPACE`` / ``POD_UID`` from the Downward API;
- the frontend: port ``http`` 8000, liveness ``/live`` and readiness ``/health`` on it;
- workers: port ``system`` 9090 with ``DYN_SYSTEM_*``; liveness ``/live``, readiness
  ``/health``, startup ``/live`` (up to two hours to load a model). The non-leader pods of a
  worker spanning nodes run no Dynamo runtime: no probes (SGLang, vLLM), or readiness on the
  SSH port (TensorRT-LLM), as Dynamo's backends do;
- every pod: the discovery ServiceAccount, ``terminationGracePeriodSeconds: 60``, /dev/shm;
- labels ``nvidia.com/dynamo-*`` and ``nvidia.com/metrics-enabled``;
- beside the PodCliqueSet: the ServiceAccount ``<name>-k8s-service-discovery`` with its Role and
  RoleBinding, and the frontend Service ``<name>-frontend``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .launch import FRONTEND_PORT, SSH_PORT, SYSTEM_PORT
from .naming import fit_label

Obj = dict[str, Any]
ComponentType = Literal["frontend", "worker"]
NodeKind = Literal["single", "leader", "worker"]

DISCOVERY_BACKEND = "kubernetes"
TERMINATION_GRACE_SECONDS = 60
SHM_VOLUME = "shm"
SHM_SIZE = "64Gi"  # AIConfigurator's Dynamo manifests give workers 64Gi of shared memory
SYSTEM_HEALTH_ENDPOINTS = '["generate"]'

LABEL_DEPLOYMENT = "nvidia.com/dynamo-graph-deployment-name"
LABEL_NAMESPACE = "nvidia.com/dynamo-namespace"
LABEL_COMPONENT = "nvidia.com/dynamo-component"
LABEL_COMPONENT_TYPE = "nvidia.com/dynamo-component-type"
LABEL_SUB_COMPONENT_TYPE = "nvidia.com/dynamo-sub-component-type"
LABEL_DISCOVERY_BACKEND = "nvidia.com/dynamo-discovery-backend"
LABEL_DISCOVERY_ENABLED = "nvidia.com/dynamo-discovery-enabled"
LABEL_METRICS_ENABLED = "nvidia.com/metrics-enabled"
LABEL_SELECTOR = "nvidia.com/selector"

# The discovery Role: read pods, endpoints and EndpointSlices; keep the workers' own
# DynamoWorkerMetadata objects (a CRD of the Dynamo platform) up to date.
DISCOVERY_RULES: tuple[Obj, ...] = (
    {"apiGroups": [""], "resources": ["endpoints", "pods"], "verbs": ["get", "list", "watch"]},
    {
        "apiGroups": ["discovery.k8s.io"],
        "resources": ["endpointslices"],
        "verbs": ["get", "list", "watch"],
    },
    {
        "apiGroups": ["nvidia.com"],
        "resources": ["dynamoworkermetadatas"],
        "verbs": ["create", "get", "list", "watch", "update", "patch", "delete"],
    },
)


@dataclass(frozen=True)
class Deployment:
    """The deployment the pods belong to: what Dynamo calls the graph deployment."""

    name: str  # the PodCliqueSet's name
    namespace: str | None  # Kubernetes namespace, when known at render time

    @property
    def dynamo_namespace(self) -> str:
        """Dynamo's ``<namespace>-<name>`` (dots made '-'); the name alone when the Kubernetes
        namespace is not known. Frontend and workers must share it."""
        base = self.name.replace(".", "-")
        return fit_label(f"{self.namespace}-{base}" if self.namespace else base)

    @property
    def service_account(self) -> str:
        return f"{self.name}-k8s-service-discovery"

    @property
    def frontend_service(self) -> str:
        return f"{self.name}-frontend"

    def selector(self, component: str) -> str:
        return fit_label(f"{self.name}-{component}")


@dataclass(frozen=True)
class Component:
    """One component of the deployment: the frontend, or a worker role."""

    name: str  # frontend, prefill, decode, worker
    type: ComponentType
    sub_type: str | None = None  # prefill | decode for disaggregated workers


def _field(path: str) -> Obj:
    return {"valueFrom": {"fieldRef": {"fieldPath": path}}}


def env(deployment: Deployment, component: Component) -> list[Obj]:
    """Dynamo's environment of a main container, in Dynamo's order (``POD_NAMESPACE`` before
    anything that could refer to it)."""
    parent_ns: Obj = (
        {"value": deployment.namespace} if deployment.namespace else _field("metadata.namespace")
    )
    out: list[Obj] = [
        {"name": "DYN_NAMESPACE", "value": deployment.dynamo_namespace},
        {"name": "DYN_COMPONENT", "value": component.type},
        {"name": "DYN_PARENT_DGD_K8S_NAME", "value": deployment.name},
        {"name": "DYN_PARENT_DGD_K8S_NAMESPACE", **parent_ns},
        {"name": "POD_NAME", **_field("metadata.name")},
        {"name": "POD_NAMESPACE", **_field("metadata.namespace")},
        {"name": "POD_UID", **_field("metadata.uid")},
        {"name": "DYN_DISCOVERY_BACKEND", "value": DISCOVERY_BACKEND},
    ]
    if component.type == "frontend":
        out += [
            {"name": "DYNAMO_PORT", "value": str(FRONTEND_PORT)},
            {"name": "DYN_HTTP_PORT", "value": str(FRONTEND_PORT)},
        ]
    else:
        out += [
            {"name": "DYN_SYSTEM_ENABLED", "value": "true"},
            {"name": "DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "value": SYSTEM_HEALTH_ENDPOINTS},
            {"name": "DYN_SYSTEM_PORT", "value": str(SYSTEM_PORT)},
        ]
    return out


def labels(deployment: Deployment, component: Component) -> dict[str, str]:
    """Dynamo's pod labels (PodMonitors select on metrics-enabled and component-type)."""
    out = {
        LABEL_SELECTOR: deployment.selector(component.name),
        LABEL_DEPLOYMENT: deployment.name,
        LABEL_COMPONENT: component.name,
        LABEL_COMPONENT_TYPE: component.type,
    }
    if component.sub_type:
        out[LABEL_SUB_COMPONENT_TYPE] = component.sub_type
    out |= {
        LABEL_NAMESPACE: deployment.dynamo_namespace,
        LABEL_METRICS_ENABLED: "true",
        LABEL_DISCOVERY_BACKEND: DISCOVERY_BACKEND,
        LABEL_DISCOVERY_ENABLED: "true",
    }
    return out


def _http(path: str, port: str, **timing: int) -> Obj:
    return {"httpGet": {"path": path, "port": port}, **timing}


def ports(component: Component) -> list[Obj]:
    if component.type == "frontend":
        return [{"name": "http", "containerPort": FRONTEND_PORT, "protocol": "TCP"}]
    return [{"name": "system", "containerPort": SYSTEM_PORT, "protocol": "TCP"}]


def probes(component: Component, backend: str, node: NodeKind = "single") -> Obj:
    """The container's probes, keyed ``livenessProbe`` … (only those Dynamo sets)."""
    if component.type == "frontend":
        return {
            "livenessProbe": _http(
                "/live",
                "http",
                initialDelaySeconds=15,
                periodSeconds=10,
                timeoutSeconds=1,
                failureThreshold=3,
            ),
            "readinessProbe": _http(
                "/health",
                "http",
                initialDelaySeconds=10,
                periodSeconds=10,
                timeoutSeconds=3,
                failureThreshold=3,
            ),
        }
    if node == "worker":  # no Dynamo runtime on the other nodes of a multi-node worker
        if backend != "trtllm":
            return {}
        return {
            "readinessProbe": {
                "tcpSocket": {"port": SSH_PORT},
                "initialDelaySeconds": 20,
                "periodSeconds": 20,
                "timeoutSeconds": 5,
                "failureThreshold": 10,
            }
        }
    return {
        "livenessProbe": _http(
            "/live", "system", periodSeconds=5, timeoutSeconds=4, failureThreshold=1
        ),
        "readinessProbe": _http(
            "/health", "system", periodSeconds=10, timeoutSeconds=4, failureThreshold=3
        ),
        "startupProbe": _http(
            "/live", "system", periodSeconds=10, timeoutSeconds=5, failureThreshold=720
        ),
    }


def pod_settings(deployment: Deployment) -> Obj:
    """What every pod spec gets: the discovery ServiceAccount and Dynamo's grace period."""
    return {
        "serviceAccountName": deployment.service_account,
        "terminationGracePeriodSeconds": TERMINATION_GRACE_SECONDS,
    }


SHM_MOUNT: Obj = {"name": SHM_VOLUME, "mountPath": "/dev/shm"}
SHM_VOLUME_SPEC: Obj = {"name": SHM_VOLUME, "emptyDir": {"medium": "Memory", "sizeLimit": SHM_SIZE}}


def _meta(name: str, deployment: Deployment, labels: dict[str, str]) -> Obj:
    meta: Obj = {"name": name}
    if deployment.namespace:
        meta["namespace"] = deployment.namespace
    meta["labels"] = labels
    return meta


def companions(deployment: Deployment, common_labels: dict[str, str]) -> list[Obj]:
    """The objects applied with the PodCliqueSet: discovery ServiceAccount, Role, RoleBinding,
    and the frontend Service (port ``http`` 8000, selecting the frontend pods)."""
    sa = deployment.service_account
    rbac_labels = {**common_labels, LABEL_DEPLOYMENT: deployment.name}
    subject: Obj = {"kind": "ServiceAccount", "name": sa}
    if deployment.namespace:
        subject["namespace"] = deployment.namespace
    frontend = Component("frontend", "frontend")
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _meta(sa, deployment, rbac_labels),
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": _meta(f"{sa}-role", deployment, rbac_labels),
            "rules": [dict(rule) for rule in DISCOVERY_RULES],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": _meta(f"{sa}-binding", deployment, rbac_labels),
            "subjects": [subject],
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": f"{sa}-role",
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(deployment.frontend_service, deployment, rbac_labels),
            "spec": {
                "selector": {LABEL_SELECTOR: deployment.selector(frontend.name)},
                "ports": [
                    {"name": "http", "port": FRONTEND_PORT, "targetPort": "http", "protocol": "TCP"}
                ],
            },
        },
    ]
