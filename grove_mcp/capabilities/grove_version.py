"""Which Grove version wrote the objects, as far as the snapshot tells, and so which of Grove's
gang-termination rule sets applies (grove-facts §2.7, §11).

The rules changed in v0.1.0-alpha.12-rc1 (Grove PR #614): from then on a breached PodClique arms
termination only if it was ever scheduled, and a scaling group only if it was ever healthy. The
evidence, strongest first: the operator's image tag; the CRDs the API serves (PodGangMap exists
since alpha.12 final; only ClusterTopology, no ClusterTopologyBinding, means alpha.8 or older);
conditions only one rule set's operator writes. Without any, both answers are shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ..grove import Deployment, PodClique, PodCliqueScalingGroup, PodGang
from ..grove import kinds as k
from ..snapshot import Snapshot

BREACHED = "MinAvailableBreached"
TERMINATING = "GangTerminationInProgress"
HEALTHY_OBSERVED = "HealthyStateObserved"
FIRST_GATED = (0, 1, 0, 0, 0, 12, 1)  # v0.1.0-alpha.12-rc1
EPOCH_LABEL = "grove.io/epoch"  # alpha.12 final (#778)
ROLE_LABEL = "grove.io/podgang-role"
OLD_GROUP_REASON = "InsufficientScheduledPodCliqueScalingGroupReplicas"  # removed in rc1
_TAG = re.compile(
    r"^v?(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)"
    r"(?:-(?P<stage>alpha|beta)\.(?P<n>\d+))?(?:-rc\.?(?P<rc>\d+))?$"
)


class Rules(StrEnum):
    """Grove's rule sets for gang termination."""

    durable = "durable"  # PR #790: only HealthyStateObserved=True counts
    gated = "gated"  # alpha.12-rc1 and later: ever-scheduled / ever-healthy by the 5 s test
    ungated = "ungated"  # up to alpha.11: every breached child counts

    @property
    def applies_to(self) -> str:
        if self is Rules.durable:
            return "Grove with HealthyStateObserved (PR #790)"
        if self is Rules.gated:
            return "Grove v0.1.0-alpha.12-rc1 and later"
        return "Grove up to v0.1.0-alpha.11"


@dataclass(frozen=True)
class GroveVersion:
    """What is known of the operator's version: ``rules`` is None when the evidence does not
    decide it, and then ``hint`` says how to find out."""

    version: str | None
    rules: Rules | None
    evidence: str
    hint: str | None = None


def grove_version(snapshot: Snapshot, namespace_objects: GroveObjects) -> GroveVersion:
    """The rule set that applies, from the strongest evidence the snapshot holds. An operator
    that writes HealthyStateObserved (Grove PR #790, release not pinned down) judges by it alone,
    so its presence on any object refines every rc1-or-later answer."""
    found = _decide(snapshot, namespace_objects)
    durable = _durable(namespace_objects)
    if durable is not None and found.rules in (Rules.gated, None):
        return GroveVersion(found.version, Rules.durable, f"{durable}; {found.evidence}")
    return found


def _decide(snapshot: Snapshot, namespace_objects: GroveObjects) -> GroveVersion:
    image = _from_image(snapshot.operator_deployments)
    if image is not None and image.rules is not None:
        return image
    for found in (_from_crds(snapshot), _from_objects(namespace_objects)):
        if found is not None:
            if image is not None:  # say why the image did not decide
                return GroveVersion(None, found.rules, f"{found.evidence} ({image.evidence})")
            if snapshot.operator_deployments is None and snapshot.operator_note:
                why = snapshot.operator_note.split(". ")[0]  # the denial, without the advice
                unread = f"the operator's Deployment could not be read: {why}"
                return GroveVersion(found.version, found.rules, f"{found.evidence} ({unread})")
            return found
    if image is not None:
        return image
    return GroveVersion(None, None, _unread(snapshot), _hint(snapshot))


def _durable(objects: GroveObjects) -> str | None:
    for kind, items in (
        ("podclique", objects.cliques),
        ("podcliquescalinggroup", objects.scaling_groups),
    ):
        for obj in items:
            if obj.status.condition(HEALTHY_OBSERVED) is not None:
                return (
                    f"{kind}/{obj.name} carries {HEALTHY_OBSERVED}: the operator writes it "
                    "(Grove PR #790) and judges by it alone"
                )
    return None


@dataclass(frozen=True)
class GroveObjects:
    """The Grove objects whose labels and conditions can betray the operator's version."""

    cliques: tuple[PodClique, ...]
    scaling_groups: tuple[PodCliqueScalingGroup, ...]
    podgangs: tuple[PodGang, ...] = ()


def version_key(tag: str) -> tuple[int, ...] | None:
    """An orderable key of a Grove release tag (v0.1.0-alpha.12-rc1, v0.1.0-beta.1); None if it
    is not one. A release sorts after its pre-releases (alpha, then beta), and a pre-release
    after its release candidates."""
    match = _TAG.match(tag)
    if match is None:
        return None
    parts = match.groupdict()
    release = 1 if parts["stage"] is None else 0
    stage = 1 if parts["stage"] == "beta" else 0
    number = int(parts["n"] or 0)
    rc = int(parts["rc"]) if parts["rc"] is not None else 1 << 20
    major, minor, patch = int(parts["major"]), int(parts["minor"]), int(parts["patch"])
    return (major, minor, patch, release, stage, number, rc)


def rules_of(tag: str) -> Rules | None:
    key = version_key(tag)
    if key is None:
        return None
    return Rules.gated if key >= FIRST_GATED else Rules.ungated


def _operator_images(deployment: Deployment) -> tuple[str, ...]:
    """The operator's own images: its container named grove-operator (the chart's name), else
    images of a grove-operator repository; sidecars (kube-rbac-proxy …) never count."""
    containers = deployment.spec.template.spec.containers
    named = [c.image for c in containers if c.name == "grove-operator" and c.image]
    if named:
        return tuple(named)
    return tuple(
        c.image
        for c in containers
        if c.image
        and c.image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0] == "grove-operator"
    )


def _tag_of(image: str) -> str | None:
    """The tag of an image reference, None for a digest-only or untagged reference."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def _from_image(deployments: tuple[Deployment, ...] | None) -> GroveVersion | None:
    """The version from the operator's image tag; a scaled-down Deployment (an old install
    left behind) does not count when one runs."""
    if not deployments:
        return None
    running = [d for d in deployments if d.spec.replicas != 0]
    if running and len(running) < len(deployments):
        idle = ", ".join(
            f"{d.metadata.namespace}/{d.name}" for d in deployments if d not in running
        )
        first = _from_image(tuple(running))
        if first is not None:
            return GroveVersion(
                first.version,
                first.rules,
                f"{first.evidence}; ignored, scaled to 0: {idle}",
                first.hint,
            )
    found: dict[str, str] = {}  # tag -> where
    untagged = []
    for deployment in deployments:
        where = f"deployment {deployment.metadata.namespace}/{deployment.name}"
        for image in _operator_images(deployment):
            tag = _tag_of(image)
            if tag is None:
                untagged.append(f"{image} ({where})")
            else:
                found.setdefault(tag, f"{image} ({where})")
    if not found and not untagged:  # no container is the operator's
        return None
    rule_sets = {rules_of(tag) for tag in found}
    if untagged:  # a digest-pinned operator does not say its release
        rule_sets.add(None)
    if len(found) == 1 and None not in rule_sets:
        tag, where = next(iter(found.items()))
        return GroveVersion(tag, rules_of(tag), f"operator image {where}")
    if found and len(rule_sets) == 1 and None not in rule_sets:
        tags = ", ".join(sorted(found))
        return GroveVersion(
            None, rule_sets.pop(), f"operator images {tags} (all under the same rules)"
        )
    listed = "; ".join([*(found[t] for t in sorted(found)), *untagged])
    return GroveVersion(
        None,
        None,
        f"operator image(s) {listed} do not name one Grove release",
        "Run the operator from a release tag (v0.1.0-alpha.N), or read the version from "
        "its build: kubectl logs -l app.kubernetes.io/name=grove-operator -A | head.",
    )


def _from_crds(snapshot: Snapshot) -> GroveVersion | None:
    served = snapshot.served
    if served.get(k.PODGANGMAP.kind) is True:
        return GroveVersion(
            None,
            Rules.gated,
            "CRDs: podgangmaps.grove.io is served (Grove v0.1.0-alpha.12 final or later)",
        )
    if served.get(k.LEGACY_TOPOLOGY.kind) is True and served.get(k.TOPOLOGY_BINDING.kind) is False:
        return GroveVersion(
            None,
            Rules.ungated,
            "CRDs: ClusterTopology without ClusterTopologyBinding (Grove v0.1.0-alpha.8 or older)",
        )
    return None


def _from_objects(objects: GroveObjects) -> GroveVersion | None:
    """Labels and conditions that only one rule set's operator writes."""
    for gang in objects.podgangs:
        for label in (EPOCH_LABEL, ROLE_LABEL):
            if label in gang.labels:
                return GroveVersion(
                    None,
                    Rules.gated,
                    f"podgang/{gang.name} carries {label} (Grove v0.1.0-alpha.12 final or later)",
                )
    for group in objects.scaling_groups:
        cond = group.status.condition(BREACHED)
        if cond is not None and cond.reason == OLD_GROUP_REASON:
            return GroveVersion(
                None,
                Rules.ungated,
                f"podcliquescalinggroup/{group.name} has reason {OLD_GROUP_REASON}, which only "
                "Grove up to v0.1.0-alpha.11 writes",
            )
        for type_ in (TERMINATING, HEALTHY_OBSERVED):
            if group.status.condition(type_) is not None:
                return GroveVersion(
                    None,
                    Rules.gated,
                    f"podcliquescalinggroup/{group.name} carries {type_}, a condition Grove "
                    "writes since v0.1.0-alpha.12-rc1",
                )
    for clique in objects.cliques:
        cond = clique.status.condition(BREACHED)
        if clique.status.condition(HEALTHY_OBSERVED) is not None:
            return GroveVersion(
                None,
                Rules.gated,
                f"podclique/{clique.name} carries {HEALTHY_OBSERVED} (Grove PR #790, after "
                "v0.1.0-alpha.12-rc1)",
            )
        if cond is None:
            continue
        if cond.status == "False" and cond.reason == "InsufficientScheduledPods":
            return GroveVersion(
                None,
                Rules.ungated,
                f"podclique/{clique.name} is MinAvailableBreached=False/InsufficientScheduledPods"
                ", which only Grove up to v0.1.0-alpha.11 writes",
            )
        if cond.is_true and clique.status.scheduled_replicas == 0 and clique.min_available > 0:
            return GroveVersion(
                None,
                Rules.gated,
                f"podclique/{clique.name} is MinAvailableBreached=True with 0 pods scheduled: "
                "Grove up to v0.1.0-alpha.11 writes False there",
            )
    return None


def _unread(snapshot: Snapshot) -> str:
    if snapshot.operator_deployments is None:
        why = snapshot.operator_note or "not read"
        return f"the operator's Deployment could not be read ({why}); the CRDs do not tell"
    return (
        "no Deployment labelled app.kubernetes.io/name=grove-operator was found; the CRDs "
        "do not tell"
    )


def _hint(snapshot: Snapshot) -> str:
    if snapshot.operator_deployments is None:
        return (
            "Bind the optional ClusterRole grove-mcp-grove-version from deploy/rbac.yaml (list "
            "deployments.apps), or check: kubectl get deploy -A -l "
            "app.kubernetes.io/name=grove-operator -o jsonpath='{..image}'."
        )
    return (
        "Check the operator's image: kubectl get deploy -A -o wide | grep -i grove; if its "
        "Deployment lacks the label app.kubernetes.io/name=grove-operator, add it."
    )
