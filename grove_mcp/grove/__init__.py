"""Input models of Grove and Kubernetes objects: tolerant of versions, unknown fields ignored."""

from typing import TYPE_CHECKING

from ..lazy import exports
from .base import Condition, KubeObject, ObjectMeta, find_condition, parse_duration, parse_quantity
from .crds import (
    DEFAULT_TERMINATION_DELAY,
    PodClique,
    PodCliqueScalingGroup,
    PodCliqueSet,
    PodGang,
    PodGangMap,
    TopologyConstraint,
    UpdateProgress,
)
from .k8s import GPU_RESOURCE, Node, NodeIndex, Pod
from .kinds import KINDS, Kind
from .topology import HOSTNAME_KEY, ClusterTopologyBinding, TopologyLevel

if TYPE_CHECKING:
    from .k8s_other import Deployment, Event, ResourceClaim

# Models of objects only some reports read: imported on first use (grove_mcp.lazy)
__getattr__ = exports(
    __name__, dict.fromkeys(("Deployment", "Event", "ResourceClaim"), ".k8s_other")
)

__all__ = [
    "DEFAULT_TERMINATION_DELAY",
    "GPU_RESOURCE",
    "HOSTNAME_KEY",
    "KINDS",
    "ClusterTopologyBinding",
    "Condition",
    "Deployment",
    "Event",
    "Kind",
    "KubeObject",
    "Node",
    "NodeIndex",
    "ObjectMeta",
    "Pod",
    "PodClique",
    "PodCliqueScalingGroup",
    "PodCliqueSet",
    "PodGang",
    "PodGangMap",
    "ResourceClaim",
    "TopologyConstraint",
    "TopologyLevel",
    "UpdateProgress",
    "find_condition",
    "parse_duration",
    "parse_quantity",
]
