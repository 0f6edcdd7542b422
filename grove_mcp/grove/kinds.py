"""The resource kinds grove-mcp reads: API group, version, plural, scope and input model."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from urllib.parse import quote

from pydantic import Field

from .base import KubeModel, KubeObject
from .crds import PodClique, PodCliqueScalingGroup, PodCliqueSet, PodGang, PodGangMap
from .k8s import Node, Pod
from .topology import ClusterTopologyBinding

# Labels of the ConfigMaps holding stored AIConfigurator plans (value: the PodCliqueSet name).
# ``plan store`` writes the first; the second (proposed for generate) is read as well.
PLAN_LABELS = ("grove.io/aic-plan", "grove-mcp.io/aic-plan")


class ConfigMap(KubeObject):
    data: dict[str, str] = Field(default_factory=dict)


class Namespace(KubeObject):
    pass


@dataclass(frozen=True)
class Kind:
    """One REST resource: enough to build its URL and parse its objects."""

    kind: str
    group: str
    version: str
    plural: str
    namespaced: bool
    # the input model, or "module:Class" (in this package) imported on first use: a command
    # that reads no such object imports no model for it
    model_or_where: type[KubeModel] | str
    has_status: bool = True

    @property
    def model(self) -> type[KubeModel]:
        if isinstance(self.model_or_where, str):
            module, name = self.model_or_where.split(":")
            model: type[KubeModel] = getattr(importlib.import_module(module, __package__), name)
            return model
        return self.model_or_where

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def resource(self) -> str:
        """``plural.group`` as RBAC and kubectl name it (``podcliquesets.grove.io``)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def path(self, namespace: str | None = None, name: str | None = None, sub: str = "") -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{quote(namespace)}"
        base += f"/{self.plural}"
        if name:
            base += f"/{quote(name)}"
        if sub:
            base += f"/{sub}"
        return base


GROVE = "grove.io"
GROVE_SCHEDULER = "scheduler.grove.io"

PODCLIQUESET = Kind("PodCliqueSet", GROVE, "v1alpha1", "podcliquesets", True, PodCliqueSet)
PODCLIQUE = Kind("PodClique", GROVE, "v1alpha1", "podcliques", True, PodClique)
SCALINGGROUP = Kind(
    "PodCliqueScalingGroup",
    GROVE,
    "v1alpha1",
    "podcliquescalinggroups",
    True,
    PodCliqueScalingGroup,
)
PODGANG = Kind("PodGang", GROVE_SCHEDULER, "v1alpha1", "podgangs", True, PodGang)
# alpha.12 final: one map per PCS replica, linking scaled gangs to the gang they wait for.
PODGANGMAP = Kind(
    "PodGangMap", GROVE, "v1alpha1", "podgangmaps", True, PodGangMap, has_status=False
)
TOPOLOGY_BINDING = Kind(
    "ClusterTopologyBinding",
    GROVE,
    "v1alpha1",
    "clustertopologybindings",
    False,
    ClusterTopologyBinding,
)
LEGACY_TOPOLOGY = Kind(
    "ClusterTopology",
    GROVE,
    "v1alpha1",
    "clustertopologies",
    False,
    ClusterTopologyBinding,
    has_status=False,
)
POD = Kind("Pod", "", "v1", "pods", True, Pod)
NODE = Kind("Node", "", "v1", "nodes", False, Node)
EVENT = Kind("Event", "", "v1", "events", True, ".k8s_other:Event", has_status=False)
CONFIGMAP = Kind("ConfigMap", "", "v1", "configmaps", True, ConfigMap, has_status=False)
NAMESPACE = Kind("Namespace", "", "v1", "namespaces", False, Namespace)
# Read only to learn the Grove operator's version from its image tag.
DEPLOYMENT = Kind("Deployment", "apps", "v1", "deployments", True, ".k8s_other:Deployment")
RESOURCECLAIM = Kind(
    "ResourceClaim", "resource.k8s.io", "v1", "resourceclaims", True, ".k8s_other:ResourceClaim"
)
RESOURCEQUOTA = Kind("ResourceQuota", "", "v1", "resourcequotas", True, ".quota:ResourceQuota")
KAI_QUEUE = Kind("Queue", "scheduling.run.ai", "v2", "queues", False, ".quota:KaiQueue")

KINDS: dict[str, Kind] = {
    k.kind: k
    for k in (
        PODCLIQUESET,
        PODCLIQUE,
        SCALINGGROUP,
        PODGANG,
        PODGANGMAP,
        TOPOLOGY_BINDING,
        LEGACY_TOPOLOGY,
        POD,
        NODE,
        EVENT,
        CONFIGMAP,
        NAMESPACE,
        RESOURCECLAIM,
        DEPLOYMENT,
        RESOURCEQUOTA,
        KAI_QUEUE,
    )
}
