"""plan.json: the demo's plan validates, round trips are exact, bad files name path and field."""

from __future__ import annotations

import json

import pytest
from aic_helpers import CREATED, as_json, demo_plan_json, load_run

from grove_mcp.aic import RenderOptions, render_pcs, to_yaml
from grove_mcp.aic.interpret import mode_plan
from grove_mcp.errors import InvalidInput, PlanError
from grove_mcp.planfile import Plan, dump_plan, plan_from_json, read_plan


def sample_plan() -> Plan:
    plan = mode_plan(load_run("qwen3_32b_sglang_32gpu"), "disagg", created_at=CREATED)
    assert plan is not None
    return plan.plan


def test_the_demo_bundles_plan_is_a_valid_plan():
    plan = plan_from_json(demo_plan_json(), "demo")
    assert plan.serving_mode == "disagg"
    assert plan.config.replicas == 2
    assert plan.config.gpus_per_replica() * plan.config.replicas == plan.config.total_gpus == 24
    assert plan.sla.tpot_ms == 10


def test_json_is_camel_case_and_round_trips(tmp_path):
    plan = sample_plan()
    path = tmp_path / "plan.json"
    path.write_text(dump_plan(plan), encoding="utf-8")
    data = json.loads(path.read_text())
    assert data["format"] == "grove-mcp-plan" and data["formatVersion"] == 1
    assert set(data["config"]["prefill"]) >= {"workers", "tp", "gpusPerWorker"}
    assert "ttftMs" in data["sla"] and "tokensPerSecondPerGpu" in data["expected"]
    assert read_plan(path) == plan
    assert dump_plan(read_plan(path)) == path.read_text()


def test_plan_is_read_back_from_the_generated_manifest(tmp_path):
    plan = sample_plan()
    pcs = render_pcs(plan, None, RenderOptions(name="my-inference"))
    path = tmp_path / "my-inference.yaml"
    path.write_text("# generated\n---\n" + to_yaml(pcs.manifest))
    back = read_plan(path)
    assert back.name == "my-inference"
    assert back == plan.model_copy(update={"name": "my-inference"})


def _broken(tmp_path, mutate) -> PlanError:
    data = as_json(sample_plan())
    mutate(data)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    with pytest.raises(PlanError) as caught:
        read_plan(path)
    assert str(path) in str(caught.value)
    return caught.value


def test_missing_field_is_named(tmp_path):
    err = _broken(tmp_path, lambda d: d["config"]["prefill"].pop("gpusPerWorker"))
    assert err.field == "config.prefill.gpusPerWorker"
    assert "required" in err.problem.lower()


def test_wrong_type_is_named_with_the_value(tmp_path):
    err = _broken(tmp_path, lambda d: d["config"]["decode"].update(tp="four"))
    assert err.field == "config.decode.tp"
    assert "'four'" in err.problem


def test_unknown_field_is_refused(tmp_path):
    err = _broken(tmp_path, lambda d: d["sla"].update(tpotMS=5))
    assert err.field == "sla.tpotMS"


def test_other_format_or_version_is_refused(tmp_path):
    assert _broken(tmp_path, lambda d: d.update(format="rbg-plan")).field == "format"
    assert _broken(tmp_path, lambda d: d.update(formatVersion=2)).field == "formatVersion"


def test_roles_must_match_the_serving_mode(tmp_path):
    err = _broken(tmp_path, lambda d: d.update(servingMode="agg"))
    assert "servingMode agg needs config roles ['agg']" in err.problem


def test_plan_errors_are_invalid_input_with_a_code():
    assert issubclass(PlanError, InvalidInput)
    assert PlanError("p", "f", "x").code == "plan_error"


@pytest.mark.parametrize(
    ("name", "content", "field", "words"),
    [
        ("x.yaml", "{not json", None, "not valid JSON"),
        ("plan.json", "[1, 2]", None, "expected a JSON object"),
        ("x.yaml", "kind: Deployment\n", "kind", "no PodCliqueSet"),
        ("x.yaml", "kind: PodCliqueSet\nmetadata: {name: x}\n", "metadata.annotations", "not gen"),
        ("x.yaml", "a: [unclosed\n", None, "not valid YAML"),
    ],
)
def test_unreadable_files(tmp_path, name, content, field, words):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(PlanError) as caught:
        read_plan(path)
    assert caught.value.path == str(path)
    assert (caught.value.field or "").startswith(field or "")
    assert words in caught.value.problem


def test_missing_file(tmp_path):
    with pytest.raises(PlanError, match="cannot read"):
        read_plan(tmp_path / "nope.json")
