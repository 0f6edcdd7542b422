"""Grove's gang-termination rules, child by child, and the Grove version they depend on
(grove-facts §2.7; Grove's gangterminate.go and component/utils/podclique.go)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from grove_mcp.capabilities.grove_version import rules_of, version_key
from grove_mcp.capabilities.health import build_health
from grove_mcp.reports.health import HealthReport
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.scenarios.builder import ScenarioBuilder
from grove_mcp.scenarios.catalog import (
    CAPTURED_AT,
    GPU_SHORTAGE,
    NAMESPACE,
    inference_spec,
)
from grove_mcp.scenarios.grove_objects import GroveShape
from grove_mcp.scenarios.specs import PodState, ts
from grove_mcp.snapshot import SnapshotRequest, fetch_snapshot
from grove_mcp.sources import Bundle, BundleSource

Obj = dict[str, Any]


def _health(bundle: Bundle, pcs: str = "my-inference") -> HealthReport:
    request = SnapshotRequest(bundle.manifest.namespace, pcs, events=True, grove_version=True)
    return build_health(fetch_snapshot(BundleSource(bundle), request), pcs)


def _edited(name: str, edit: Callable[[list[Obj]], list[Obj]]) -> Bundle:
    bundle = SCENARIOS[name]()
    return replace(bundle, objects=tuple(edit(copy.deepcopy(list(bundle.objects)))))


def _named(objects: list[Obj], name: str) -> Obj:
    return next(o for o in objects if o["metadata"]["name"] == name)


def _condition(obj: Obj, type_: str) -> Obj:
    return next(c for c in obj["status"]["conditions"] if c["type"] == type_)


# --- one rule each ----------------------------------------------------------------------------


def test_breached_after_being_scheduled_counts_even_if_the_gang_never_became_ready():
    report = _health(SCENARIOS["breached-after-scheduled"]())
    gang = report.gangs[1]
    podgang_ready = next(c for c in gang.conditions if c.type == "Ready")
    assert podgang_ready.status == "False"  # PR #792 says never Ready: Grove does not care
    assert gang.termination is not None
    assert gang.termination.subject == "podclique/my-inference-1-decode"
    assert gang.termination.remaining_seconds == 4 * 3600 - 40 * 60
    assert gang.termination.why.startswith("treated as once scheduled")
    assert report.summary.gangs_at_risk == 1


def test_never_scheduled_at_alpha12_arms_nothing():
    report = _health(SCENARIOS["never-scheduled-alpha12"]())
    assert (report.grove_version.version, report.grove_version.rules) == (
        "v0.1.0-alpha.12",
        "gated",
    )
    gang = report.gangs[1]
    assert gang.termination is None and gang.termination_alternative is None
    assert {v.subject: v.counts for v in gang.breaches} == {
        "podclique/my-inference-1-prefill": False,
        "podclique/my-inference-1-decode": False,
    }
    breach = next(i for i in gang.issues if i.code == "MIN_AVAILABLE_BREACHED")
    assert "Grove does not count this breach on its own (never scheduled)" in breach.message
    assert report.summary.gangs_at_risk == 0


def test_never_scheduled_at_alpha11_counts_a_partly_scheduled_clique_only():
    report = _health(SCENARIOS["never-scheduled-alpha11"]())
    assert report.grove_version.rules == "ungated"
    gang = report.gangs[1]
    decode = next(c for c in gang.cliques if c.clique == "decode")
    assert decode.breached is False  # 0 scheduled: alpha.11 suppresses the breach itself
    assert gang.termination is not None
    assert gang.termination.subject == "podclique/my-inference-1-prefill"
    assert gang.termination.applies_to.startswith("Grove up to v0.1.0-alpha.11")
    assert report.summary.gangs_at_risk == 1


def test_scaling_group_never_healthy_arms_nothing_even_past_the_delay():
    report = _health(SCENARIOS["pcsg-never-healthy"](), "mn-disagg")
    for gang in report.gangs:
        assert gang.termination is None
        verdicts = {v.subject: v for v in gang.breaches}
        group = verdicts["podcliquescalinggroup/mn-disagg-0-decode"]
        assert group.counts is False and group.reason.startswith("never healthy")
        assert group.deadline is None  # it does not count
        # the 15m delay is over: still no termination
        assert group.breached_since + timedelta(minutes=15) < report.as_of
        assert not any(v.counts for v in gang.breaches)


def test_scaling_group_recycling_shows_no_new_countdown():
    report = _health(SCENARIOS["pcsg-recycling"](), "mn-disagg")
    base = report.gangs[0]
    assert base.termination is None
    group = next(v for v in base.breaches if v.subject.startswith("podcliquescalinggroup/"))
    assert group.recycling and group.counts is False and group.reason.startswith("recycled")
    assert "GANG_RECYCLING" in [i.code for i in base.issues]
    # its members' breaches leave the group short of minAvailable: no replica-level recycle
    members = [v for v in base.breaches if v.subject.startswith("podclique/")]
    assert members and all("PCS replica's rule" in v.reason for v in members)


def test_replica_missing_a_standalone_podclique_is_skipped():
    bundle = _edited(
        "demo", lambda objs: [o for o in objs if o["metadata"]["name"] != "my-inference-1-router"]
    )
    gang = _health(bundle).gangs[1]
    assert gang.termination is None
    (verdict,) = gang.breaches
    assert verdict.counts is False and "my-inference-1-router" in verdict.reason


def test_the_earliest_deadline_among_counting_children_decides():
    report = _health(SCENARIOS["breached-countdown"]())
    gang = report.gangs[1]
    assert [v.subject for v in gang.breaches] == [
        "podclique/my-inference-1-prefill",  # breached 3h50m ago
        "podclique/my-inference-1-decode",  # breached 12m ago
    ]
    assert gang.termination is not None
    assert gang.termination.subject == "podclique/my-inference-1-prefill"


@pytest.mark.parametrize(("after", "counts"), [(5, False), (6, True)])
def test_the_five_second_grace_after_creation(after: int, counts: bool):
    def edit(objs: list[Obj]) -> list[Obj]:
        prefill = _named(objs, "my-inference-1-prefill")
        created = prefill["metadata"]["creationTimestamp"]
        moment = ts(
            CAPTURED_AT.fromisoformat(created.replace("Z", "+00:00")) + timedelta(seconds=after)
        )
        _condition(prefill, "PodCliqueScheduled")["lastTransitionTime"] = moment
        return objs

    (verdict,) = _health(_edited("demo", edit)).gangs[1].breaches
    assert verdict.counts is counts


def test_healthy_state_observed_decides_where_present():
    def edit(objs: list[Obj]) -> list[Obj]:
        prefill = _named(objs, "my-inference-1-prefill")
        prefill["status"]["conditions"].append(
            {"type": "HealthyStateObserved", "status": "False", "reason": "NotYetHealthy"}
        )
        return objs

    report = _health(_edited("demo", edit))
    assert report.grove_version.rules == "durable"
    (verdict,) = report.gangs[1].breaches
    assert verdict.counts is False and "HealthyStateObserved is False" in verdict.reason
    assert report.gangs[1].termination is None


def test_under_healthy_state_observed_a_child_without_it_does_not_count():
    def edit(objs: list[Obj]) -> list[Obj]:  # the operator marked only the router
        router = _named(objs, "my-inference-1-router")
        router["status"]["conditions"].append(
            {"type": "HealthyStateObserved", "status": "True", "reason": "HealthyStateObserved"}
        )
        return objs

    report = _health(_edited("demo", edit))
    (verdict,) = report.gangs[1].breaches
    assert verdict.counts is False and "HealthyStateObserved is absent" in verdict.reason


def _scaled_decode(**group_status: Any) -> Bundle:
    """``scaled-replica-lost``, with the scaling group's status changed as given."""

    def edit(objs: list[Obj]) -> list[Obj]:
        _named(objs, "mn-disagg-0-decode")["status"].update(group_status)
        return objs

    return _edited("scaled-replica-lost", edit)


def test_a_scaling_group_replica_is_recycled_on_its_own_while_the_group_holds():
    report = _health(_scaled_decode(), "mn-disagg")
    base, scaled = report.gangs
    assert base.termination is None
    assert scaled.termination is not None
    assert scaled.termination.subject == "podclique/mn-disagg-0-decode-1-dleader"
    assert scaled.termination.action == (
        "Grove deletes and recreates replica 1 of scaling group mn-disagg-0-decode"
    )
    assert scaled.termination.remaining_seconds == 5 * 60  # 15m delay, 10m gone


def test_no_scaling_group_replica_is_recycled_during_the_groups_rolling_update():
    progress = {"updateProgress": {"updateStartedAt": ts(CAPTURED_AT - timedelta(minutes=12))}}
    scaled = _health(_scaled_decode(**progress), "mn-disagg").gangs[1]
    assert scaled.termination is None
    (verdict,) = scaled.breaches
    assert verdict.counts is False and "rolling update" in verdict.reason


# --- the Grove version ------------------------------------------------------------------------


def test_unknown_version_gives_both_answers_labelled():
    b = ScenarioBuilder(
        NAMESPACE, CAPTURED_AT, "no version evidence", GroveShape(operator_tag=None)
    )
    b.topology("grove-topology", [("host", "kubernetes.io/hostname")])
    b.node("gpu-a1", {}, gpus=8)
    b.node("gpu-a2", {}, gpus=8)
    young = timedelta(minutes=30)
    b.workload(
        inference_spec(replicas=1, age=young),
        pods={
            "0/prefill/0": PodState(node="gpu-a1", age=young),
            "0/prefill/1": PodState(unschedulable=GPU_SHORTAGE, age=young),
        },
        breaches={"0/prefill": young - timedelta(minutes=1)},
        never_scheduled={0},
    )
    report = _health(b.bundle())
    assert report.grove_version.rules is None and report.grove_version.hint
    gang = report.gangs[0]
    (verdict,) = gang.breaches
    assert verdict.counts is None
    assert gang.termination is not None
    assert gang.termination.applies_to == "Grove up to v0.1.0-alpha.11"
    assert gang.termination_alternative is not None
    assert gang.termination_alternative.termination is None
    assert gang.termination_alternative.text.startswith("Grove v0.1.0-alpha.12-rc1 and later")
    assert report.summary.text.endswith(", depending on the Grove version")


def test_version_evidence_from_conditions_only_one_rule_set_writes():
    def no_operator(objs: list[Obj]) -> list[Obj]:
        return [o for o in objs if o["kind"] != "Deployment"]

    alpha11 = _health(_edited("never-scheduled-alpha11", no_operator)).grove_version
    assert alpha11.rules == "ungated" and "InsufficientScheduledPods" in alpha11.evidence
    alpha12 = _health(_edited("never-scheduled-alpha12", no_operator)).grove_version
    assert alpha12.rules == "gated"  # PodGangMap objects: alpha.12 final or later
    recycling = _health(_edited("pcsg-recycling", no_operator), "mn-disagg").grove_version
    assert recycling.rules == "gated"


@pytest.mark.parametrize(
    ("tag", "rules"),
    [
        ("v0.1.0-alpha.8", "ungated"),
        ("v0.1.0-alpha.11", "ungated"),
        ("v0.1.0-alpha.12-rc1", "gated"),
        ("v0.1.0-alpha.12", "gated"),
        ("v0.1.0-alpha.14", "gated"),
        ("v0.1.0-beta.1", "gated"),
        ("v0.1.0", "gated"),
        ("v0.1.0-dev", None),
        ("latest", None),
    ],
)
def test_release_tags_map_to_rule_sets(tag: str, rules: str | None):
    assert rules_of(tag) == rules


def test_release_order():
    tags = [
        "v0.1.0-alpha.2",
        "v0.1.0-alpha.11",
        "v0.1.0-alpha.12-rc1",
        "v0.1.0-alpha.12",
        "v0.1.0-beta.1",
        "v0.1.0",
    ]
    keys = [version_key(t) for t in tags]
    assert keys == sorted(keys)  # type: ignore[type-var]


def test_an_unreadable_tag_falls_back_to_other_evidence_and_says_so():
    def digest_only(objs: list[Obj]) -> list[Obj]:
        operator = next(o for o in objs if o["kind"] == "Deployment")
        container = operator["spec"]["template"]["spec"]["containers"][0]
        container["image"] = "ghcr.io/ai-dynamo/grove/grove-operator@sha256:" + "0" * 64
        return objs

    version = _health(_edited("never-scheduled-alpha11", digest_only)).grove_version
    assert version.rules == "ungated" and "InsufficientScheduledPods" in version.evidence


# --- alpha.12 final: the dependency of a scaled gang ------------------------------------------


def test_final_alpha12_dependency_from_the_podgang_map():
    report = _health(SCENARIOS["final-alpha12"](), "mn-disagg")
    base, scaled = report.gangs
    assert scaled.base_gang == base.name
    assert "POD_GATED" in [i.code for i in scaled.issues]


def test_final_alpha12_without_a_readable_map_waits_for_the_latest_anchor():
    bundle = _edited("final-alpha12", lambda objs: [o for o in objs if o["kind"] != "PodGangMap"])
    base, scaled = _health(bundle, "mn-disagg").gangs
    assert scaled.base_gang == base.name


def test_podgang_migration_in_progress_is_said():
    def edit(objs: list[Obj]) -> list[Obj]:
        pcs = _named(objs, "mn-disagg")
        pcs["status"].setdefault("conditions", []).append(
            {
                "type": "PodGangMigrationInProgress",
                "status": "True",
                "reason": "MigrationInProgress",
                "message": "migrating 1 replica",
                "lastTransitionTime": ts(CAPTURED_AT - timedelta(minutes=1)),
            }
        )
        return objs

    report = _health(_edited("final-alpha12", edit), "mn-disagg")
    assert [i.code for i in report.issues] == ["PODGANG_MIGRATION"]


def _operator_containers(*containers: dict[str, str]) -> Bundle:
    def edit(objs: list[Obj]) -> list[Obj]:
        operator = next(o for o in objs if o["kind"] == "Deployment")
        operator["spec"]["template"]["spec"]["containers"] = list(containers)
        return objs

    return _edited("never-scheduled-alpha11", edit)


SIDECAR = {"name": "kube-rbac-proxy", "image": "quay.io/brancz/kube-rbac-proxy:v0.18.0"}
REPO = "ghcr.io/ai-dynamo/grove/grove-operator"


def test_a_sidecars_tag_is_never_taken_for_grove_s_version():
    tagged = _health(
        _operator_containers(
            {"name": "grove-operator", "image": f"{REPO}:v0.1.0-alpha.11"}, SIDECAR
        )
    )
    assert (tagged.grove_version.version, tagged.grove_version.rules) == (
        "v0.1.0-alpha.11",
        "ungated",
    )
    pinned = _health(
        _operator_containers(
            {"name": "grove-operator", "image": f"{REPO}@sha256:" + "0" * 64}, SIDECAR
        )
    ).grove_version
    assert pinned.version is None and "v0.18.0" not in pinned.evidence
    # a digest-pinned operator does not say its release: the conditions decide, and say so
    assert pinned.rules == "ungated" and "do not name one Grove release" in pinned.evidence
