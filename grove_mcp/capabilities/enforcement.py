"""Whether Grove enforces a PodCliqueSet's topology constraint, from the condition it reports.

Grove's PodCliqueSet controller writes ``TopologyLevelsUnavailable`` (reconcilestatus.go,
``computeTopologyLevelsUnavailableCondition``): False when every level the constraints name is
in the ClusterTopologyBinding; True when some are not; Unknown when the binding is not found,
a constraint lacks ``topologyName``, or topology-aware scheduling is disabled in the operator.
Only False means the scheduler packs by the constraint. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..grove import PodCliqueSet

CONDITION = "TopologyLevelsUnavailable"
_WHY = {
    "ClusterTopologyNotFound": (
        "the ClusterTopologyBinding its topologyName names does not exist",
        "Create the ClusterTopologyBinding, or set topologyName to one that exists "
        "(kubectl get clustertopologybindings).",
    ),
    "TopologyNameMissing": (
        "a constraint has no topologyName",
        "Add topologyName to every topologyConstraint of the PodCliqueSet.",
    ),
    "TopologyAwareSchedulingDisabled": (
        "topology-aware scheduling is disabled in the Grove operator's configuration",
        "Enable topology-aware scheduling in the Grove operator's configuration "
        "(kubectl get deploy -n grove-system), or drop the constraint.",
    ),
}
_LEVELS_GONE = (
    "levels it names are not in the ClusterTopologyBinding",
    "Add the levels to the ClusterTopologyBinding, or change the constraint to levels it has "
    "(kubectl get clustertopologybindings -o yaml).",
)


@dataclass(frozen=True)
class Enforcement:
    """``enforced`` is None when Grove reports nothing (no constraint, or an older Grove)."""

    enforced: bool | None
    why: str | None = None
    remediation: str | None = None
    evidence: str | None = None


def constraint_enforcement(pcs: PodCliqueSet) -> Enforcement:
    condition = pcs.status.condition(CONDITION)
    if condition is None:
        return Enforcement(None)
    evidence = f"{CONDITION}={condition.status} {condition.reason or ''}: {condition.message or ''}"
    if condition.status == "False":
        return Enforcement(True, evidence=evidence.rstrip(": "))
    why, remediation = (
        _LEVELS_GONE
        if condition.status == "True"
        else _WHY.get(condition.reason or "", (None, None))
    )
    why = why or f"Grove reports {condition.reason or 'an unknown state'}"
    if (
        condition.message
    ):  # Grove names what is missing, e.g. "Unavailable topology domains: [rack]"
        why = f"{why} ({condition.message})"
    remediation = remediation or "See the condition's message; kubectl describe pcs shows it."
    return Enforcement(False, why, remediation, evidence.rstrip(": "))
