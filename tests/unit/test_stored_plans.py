"""The stored-plan ConfigMap format: history, idempotence, limits, and errors that name the
path (or ConfigMap and key) and the field."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from plan_helpers import PCS, demo_plan, edited, plan_config_map

from grove_mcp import __version__, core
from grove_mcp.aic.manifests import RenderOptions, render_pcs, to_yaml
from grove_mcp.errors import InvalidInput, PlanError
from grove_mcp.grove.kinds import ConfigMap
from grove_mcp.planfile import Plan
from grove_mcp.plans.configmap import (
    CONFIGMAP_LIMIT,
    HISTORY_KEY,
    PLAN_KEY,
    PlanInput,
    StoredPlanError,
    next_content,
    plan_input_from_file,
    plan_input_from_text,
    read_stored,
)
from grove_mcp.sources import BundleSource

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def given(**config_changes: object) -> PlanInput:
    data = demo_plan()
    data["config"] = {**data["config"], **config_changes}
    return PlanInput(Plan.model_validate(data), "plan.json")


def as_config_map(data: dict[str, str], labels: dict[str, str] | None = None) -> ConfigMap:
    return ConfigMap.model_validate(
        {
            "metadata": {
                "name": f"{PCS}-aic-plan",
                "namespace": "ns",
                "labels": labels or {"grove.io/aic-plan": PCS},
            },
            "data": data,
        }
    )


def store_many(count: int) -> tuple[ConfigMap, list]:
    cm = None
    results = []
    for i in range(count):
        result = next_content(
            cm, PCS, given(replicas=i + 1, totalGpus=12 * (i + 1)), T0 + timedelta(minutes=i)
        )
        results.append(result)
        cm = as_config_map(result.data, result.labels)
    assert cm is not None
    return cm, results


def test_first_store_writes_plan_json_and_a_one_entry_history():
    content = next_content(None, PCS, given(), T0)
    assert not content.unchanged
    assert content.labels == {"app.kubernetes.io/managed-by": "grove-mcp", "grove.io/aic-plan": PCS}
    assert set(content.data) == {PLAN_KEY, HISTORY_KEY}
    assert plan_input_from_text(content.data[PLAN_KEY]).plan == given().plan
    stored = read_stored(as_config_map(content.data, content.labels), PCS)
    assert stored.notes == ()  # plan.json and the newest history entry agree
    [entry] = stored.history
    assert entry is stored.current and entry.plan == given().plan
    assert (entry.stored_at, entry.origin, entry.tool_version) == (T0, "plan.json", __version__)
    plan_json_only = read_stored(as_config_map({PLAN_KEY: content.data[PLAN_KEY]}), PCS)
    assert entry.digest == plan_json_only.current.digest == content.current.digest
    assert content.size == sum(len(k.encode()) + len(v.encode()) for k, v in content.data.items())


def test_storing_the_current_plan_again_changes_nothing():
    cm, _ = store_many(1)
    again = next_content(cm, PCS, given(replicas=1, totalGpus=12), T0 + timedelta(hours=1))
    assert again.unchanged
    assert again.data == cm.data


def test_history_is_newest_first_and_keeps_ten():
    cm, results = store_many(11)
    stored = read_stored(cm, PCS)
    assert len(stored.history) == 10
    assert [e.plan.config.replicas for e in stored.history] == list(range(11, 1, -1))
    assert stored.current is stored.history[0]
    assert "1 older one(s) dropped" in " ".join(results[-1].notes)


def test_a_hand_written_plan_json_is_kept_as_history():
    cm = as_config_map({PLAN_KEY: json.dumps(demo_plan()), "README": "kept"})
    content = next_content(cm, PCS, given(replicas=3, totalGpus=36), T0)
    stored = read_stored(as_config_map(content.data), PCS)
    assert [e.stored_at for e in stored.history] == [T0, None]
    assert content.data["README"] == "kept"


def test_plan_json_changed_by_hand_is_the_current_plan_with_a_note():
    cm, _ = store_many(2)
    edited_plan = demo_plan() | {"system": "b200_sxm"}
    stored = read_stored(as_config_map({**cm.data, PLAN_KEY: json.dumps(edited_plan)}), PCS)
    assert stored.current.plan.system == "b200_sxm" and stored.current.stored_at is None
    assert len(stored.history) == 3
    assert "changed outside 'kubectl grove plan store'" in stored.notes[0]


def test_a_configmap_of_someone_else_is_not_overwritten():
    foreign = as_config_map({"config.yaml": "x"}, labels={"app": "other"})
    with pytest.raises(
        InvalidInput,
        match=r"not the plan ConfigMap of 'my-inference': it has no label grove\.io/aic-plan",
    ):
        next_content(foreign, PCS, given(), T0)
    other = as_config_map({PLAN_KEY: "{}"}, labels={"grove.io/aic-plan": "other-pcs"})
    with pytest.raises(InvalidInput, match="holds the plan of PodCliqueSet 'other-pcs'"):
        next_content(other, PCS, given(), T0)


def test_the_legacy_label_is_adopted_and_the_issue_label_added():
    cm = as_config_map({PLAN_KEY: json.dumps(demo_plan())}, labels={"grove-mcp.io/aic-plan": PCS})
    content = next_content(cm, PCS, given(replicas=3, totalGpus=36), T0)
    assert content.labels["grove.io/aic-plan"] == PCS
    assert content.labels["grove-mcp.io/aic-plan"] == PCS


def test_over_one_mib_drops_old_history_then_refuses():
    big = "x" * (CONFIGMAP_LIMIT // 3)
    cm, _ = store_many(1)
    content = next_content(
        as_config_map({**cm.data, "blob": big}), PCS, given(replicas=2, totalGpus=24), T0
    )
    assert content.size <= CONFIGMAP_LIMIT
    data = demo_plan() | {"model": "m" * (CONFIGMAP_LIMIT + 1)}
    huge = PlanInput(Plan.model_validate(data), "plan.json")
    with pytest.raises(
        InvalidInput, match=r"Kubernetes limits a ConfigMap to 1 MiB \(1048576 bytes\)"
    ):
        next_content(None, PCS, huge, T0)


def test_dropping_history_to_fit_says_so():
    cm, _ = store_many(3)
    blob = "x" * (CONFIGMAP_LIMIT - len(cm.data[PLAN_KEY]) * 3 - len(cm.data[HISTORY_KEY]) // 2)
    content = next_content(
        as_config_map({**cm.data, "blob": blob}), PCS, given(replicas=9, totalGpus=108), T0
    )
    assert content.size <= CONFIGMAP_LIMIT
    assert len(content.history) < 4
    assert "under Kubernetes' 1 MiB limit" in " ".join(content.notes)


# --- malformed input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "bad.json: not valid JSON"),
        ('{"format": "other"}', "bad.json: field 'format': expected 'grove-mcp-plan'"),
        (
            json.dumps(demo_plan() | {"config": {**demo_plan()["config"], "replicas": 0}}),
            "bad.json: field 'config.replicas': Input should be greater than or equal to 1",
        ),
        (
            json.dumps(demo_plan() | {"tpotMS": 3}),
            "bad.json: field 'tpotMS': Extra inputs are not permitted",
        ),
    ],
)
def test_malformed_plan_files_name_the_path_and_the_field(tmp_path: Path, text, expected):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(PlanError) as err:
        plan_input_from_file(path)
    assert str(err.value).startswith(f"{tmp_path}/{expected}")


def test_a_yaml_without_the_plan_annotation_names_the_field(tmp_path: Path):
    path = tmp_path / "pcs.yaml"
    path.write_text("apiVersion: grove.io/v1alpha1\nkind: PodCliqueSet\nmetadata: {name: x}\n")
    with pytest.raises(
        PlanError, match=r"pcs.yaml: field 'metadata.annotations.grove-mcp.io/aic-plan': absent"
    ):
        plan_input_from_file(path)


def test_a_generated_yaml_records_image_and_topology(tmp_path: Path):
    plan = Plan.model_validate(demo_plan())
    manifest = render_pcs(
        plan,
        None,
        RenderOptions(name=PCS, pack_domain="rack", topology_name="gpu-fabric", image="img:1"),
    ).manifest
    path = tmp_path / "my-inference.yaml"
    path.write_text(to_yaml(manifest))
    loaded = plan_input_from_file(path)
    assert loaded.origin == "my-inference.yaml"
    assert loaded.rendered is not None
    assert (loaded.rendered.image, loaded.rendered.pack_required) == ("img:1", "rack")
    assert loaded.plan.name == PCS
    assert plan_input_from_text(to_yaml(manifest)).rendered == loaded.rendered


def test_empty_text_is_refused():
    with pytest.raises(PlanError, match="tool argument: empty"):
        plan_input_from_text("  ")


def test_a_malformed_stored_plan_names_configmap_key_and_field():
    bad = demo_plan()
    bad["config"]["prefill"]["tp"] = 0
    bundle = edited("demo", config_maps=[plan_config_map(bad)])
    with pytest.raises(StoredPlanError) as err:
        core.run("plan show", BundleSource(bundle), None, PCS)
    assert str(err.value).startswith(
        "ConfigMap vllm-disagg/my-inference-aic-plan key plan.json: field 'config.prefill.tp': "
        "Input should be greater than or equal to 1"
    )
    assert "(store a valid plan over it: kubectl grove plan store my-inference -f plan.json)" in (
        str(err.value)
    )
    assert err.value.exit_code == 4


def test_a_broken_history_only_drops_the_history():
    bundle = edited(
        "demo", config_maps=[plan_config_map(demo_plan(), extra={HISTORY_KEY: "{oops"})]
    )
    report = core.run("plan history", BundleSource(bundle), None, PCS)
    assert len(report.entries) == 1
    assert "history.json is not valid JSON" in report.notes[0]
