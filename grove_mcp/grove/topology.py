"""ClusterTopologyBinding and the legacy ClusterTopology (≤ alpha.8), read as one ordered level list."""

from __future__ import annotations

from pydantic import Field

from .base import KubeModel, KubeObject

# Up to alpha.8 the domain was an enum whose order was fixed, whatever the list order.
LEGACY_DOMAIN_ORDER = ("region", "zone", "datacenter", "block", "rack", "host", "numa")
HOSTNAME_KEY = "kubernetes.io/hostname"


class TopologyLevel(KubeModel):
    domain: str
    key: str


class TopologySpec(KubeModel):
    levels: tuple[TopologyLevel, ...] = ()


class ClusterTopologyBinding(KubeObject):
    """``grove.io/v1alpha1`` ClusterTopologyBinding (alpha.9+) or ClusterTopology (≤ alpha.8)."""

    spec: TopologySpec = Field(default_factory=TopologySpec)

    @property
    def is_legacy(self) -> bool:
        return self.kind == "ClusterTopology"

    @property
    def levels(self) -> tuple[TopologyLevel, ...]:
        """Levels from broadest to narrowest."""
        if not self.is_legacy:
            return self.spec.levels

        def rank(level: TopologyLevel) -> int:
            d = level.domain
            return (
                LEGACY_DOMAIN_ORDER.index(d)
                if d in LEGACY_DOMAIN_ORDER
                else len(LEGACY_DOMAIN_ORDER)
            )

        return tuple(sorted(self.spec.levels, key=rank))
