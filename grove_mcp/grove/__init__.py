"""Input models of Grove and Kubernetes objects: tolerant of versions, unknown fields ignored."""

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
from .k8s import GPU_RESOURCE, Deployment, Event, Node, NodeIndex, Pod, ResourceClaim
from .kinds import KINDS, Kind
from .topology import HOSTNAME_KEY, ClusterTopologyBinding, TopologyLevel

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
