"""Where a pod may run: ``nodeSelector`` and required node affinity, matched as the scheduler does.

Only the hard rules: ``spec.nodeSelector`` (every pair must match) and
``affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`` (any one term must
match; within a term every expression must). Preferred affinity only ranks nodes, and pod
(anti-)affinity depends on other pods, so neither is evaluated here.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from .base import KubeModel


class NodeSelectorRequirement(KubeModel):
    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, values: Mapping[str, str]) -> bool:
        """Kubernetes' operators In, NotIn, Exists, DoesNotExist, Gt and Lt."""
        present = self.key in values
        value = values.get(self.key, "")
        if self.operator == "In":
            return present and value in self.values
        if self.operator == "NotIn":
            return not present or value not in self.values
        if self.operator == "Exists":
            return present
        if self.operator == "DoesNotExist":
            return not present
        if self.operator in ("Gt", "Lt") and present and len(self.values) == 1:
            try:
                have, bound = int(value), int(self.values[0])
            except ValueError:
                return False
            return have > bound if self.operator == "Gt" else have < bound
        return False


class NodeSelectorTerm(KubeModel):
    match_expressions: tuple[NodeSelectorRequirement, ...] = ()
    match_fields: tuple[NodeSelectorRequirement, ...] = ()

    def matches(self, labels: Mapping[str, str], node_name: str) -> bool:
        if not self.match_expressions and not self.match_fields:
            return False  # an empty term matches no node
        fields = {"metadata.name": node_name}
        return all(r.matches(labels) for r in self.match_expressions) and all(
            r.matches(fields) for r in self.match_fields
        )


class NodeSelector(KubeModel):
    node_selector_terms: tuple[NodeSelectorTerm, ...] = ()


class NodeAffinity(KubeModel):
    required_during_scheduling_ignored_during_execution: NodeSelector | None = None


class Affinity(KubeModel):
    node_affinity: NodeAffinity | None = None


class NodeRestrictions(KubeModel):
    """The part of a pod spec that restricts its nodes (mixed into ``PodSpec``)."""

    node_selector: dict[str, str] = Field(default_factory=dict)
    affinity: Affinity | None = None

    def allows(self, labels: Mapping[str, str], node_name: str) -> bool:
        """The node satisfies the nodeSelector and the required node affinity."""
        if any(labels.get(k) != v for k, v in self.node_selector.items()):
            return False
        required = (
            self.affinity.node_affinity.required_during_scheduling_ignored_during_execution
            if self.affinity and self.affinity.node_affinity
            else None
        )
        if required is None:
            return True
        return any(t.matches(labels, node_name) for t in required.node_selector_terms)
