"""Input models tolerate Grove's versions (DESIGN.md rule 7) and Kubernetes' value formats."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grove_mcp.grove import (
    ClusterTopologyBinding,
    Pod,
    PodCliqueSet,
    PodGang,
    parse_duration,
    parse_quantity,
)


def test_legacy_rolling_update_progress_reads_as_update_progress():
    pcs = PodCliqueSet.model_validate(
        {
            "status": {
                "rollingUpdateProgress": {
                    "updateStartedAt": "2026-04-01T10:00:00Z",
                    "updatedPodCliques": ["a-0-x", "a-0-y"],
                    "updatedPodCliqueScalingGroups": [],
                    "currentlyUpdating": {
                        "replicaIndex": 1,
                        "updateStartedAt": "2026-04-01T10:01:00Z",
                    },
                }
            }
        }
    )
    progress = pcs.status.update_progress
    assert progress is not None and progress.legacy and progress.in_progress
    assert progress.updated_pod_cliques_count == 2
    assert progress.total_pod_cliques_count is None
    assert [c.replica_index for c in progress.currently_updating] == [1]


def test_update_progress_wins_when_both_fields_exist():
    pcs = PodCliqueSet.model_validate(
        {
            "status": {
                "updateProgress": {
                    "updateStartedAt": "2026-04-01T10:00:00Z",
                    "updatedPodCliquesCount": 3,
                    "totalPodCliquesCount": 4,
                },
                "rollingUpdateProgress": {"updatedPodCliques": ["x"]},
            }
        }
    )
    assert pcs.status.update_progress is not None
    assert pcs.status.update_progress.updated_pod_cliques_count == 3
    assert not pcs.status.update_progress.legacy


def test_pack_domain_reads_as_required():
    pcs = PodCliqueSet.model_validate(
        {"spec": {"template": {"topologyConstraint": {"packDomain": "rack"}}}}
    )
    constraint = pcs.spec.template.topology_constraint
    assert constraint is not None
    assert constraint.required == "rack" and constraint.is_legacy


def test_podgang_without_phase_or_score():
    gang = PodGang.model_validate(
        {
            "metadata": {"name": "g"},
            "spec": {
                "podgroups": [
                    {
                        "name": "g-x",
                        "minReplicas": 2,
                        "podReferences": [{"namespace": "n", "name": "p"}],
                    }
                ]
            },
            "status": {"conditions": [{"type": "Initialized", "status": "True"}]},
        }
    )
    assert gang.status.phase is None and gang.status.placement_score is None
    assert gang.spec.podgroups[0].min_replicas == 2


def test_unknown_fields_are_ignored():
    gang = PodGang.model_validate(
        {"spec": {"futureField": 1}, "status": {"phase": "Running", "newThing": {"a": 1}}}
    )
    assert gang.status.phase == "Running"


def test_legacy_topology_levels_follow_the_fixed_enum_order():
    legacy = ClusterTopologyBinding.model_validate(
        {
            "kind": "ClusterTopology",
            "metadata": {"name": "grove-topology"},
            "spec": {
                "levels": [
                    {"domain": "host", "key": "h"},
                    {"domain": "zone", "key": "z"},
                    {"domain": "rack", "key": "r"},
                ]
            },
        }
    )
    assert [lv.domain for lv in legacy.levels] == ["zone", "rack", "host"]
    binding = legacy.model_copy(update={"kind": "ClusterTopologyBinding"})
    assert [lv.domain for lv in binding.levels] == ["host", "zone", "rack"]


def test_termination_delay_defaults_to_four_hours():
    assert PodCliqueSet.model_validate({}).termination_delay == (timedelta(hours=4), False)
    pcs = PodCliqueSet.model_validate({"spec": {"template": {"terminationDelay": "15m0s"}}})
    assert pcs.termination_delay == (timedelta(minutes=15), True)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("4h0m0s", 14400),
        ("15m", 900),
        ("1h30m", 5400),
        ("30s", 30),
        ("1.5h", 5400),
        ("0", 0),
        ("500ms", 0.5),
    ],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


def test_parse_duration_rejects_garbage():
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("four hours")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("8", 8),
        ("500m", 0.5),
        ("16Gi", 16 * 2**30),
        ("1k", 1000),
        (4, 4),
        (None, 0),
    ],
)
def test_parse_quantity(text, value):
    assert parse_quantity(text) == value


def test_pod_gpus_from_limits_and_init_containers():
    pod = Pod.model_validate(
        {
            "spec": {
                "containers": [
                    {"name": "a", "resources": {"limits": {"nvidia.com/gpu": 2}}},
                    {"name": "b", "resources": {"requests": {"nvidia.com/gpu": "1"}}},
                ],
                "initContainers": [{"name": "i", "resources": {"limits": {"nvidia.com/gpu": "4"}}}],
            }
        }
    )
    assert pod.gpus == 4
