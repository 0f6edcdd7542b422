"""The generate report and plan.json are contracts: schema snapshots, every field described.

Regenerate after an intended change with ``UPDATE_SCHEMAS=1 pytest tests/unit/aic``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from grove_mcp.reports.generate import GenerateReport
from grove_mcp.reports.plan import Plan

SNAPSHOTS = Path(__file__).parent / "schemas"
MODELS = [GenerateReport, Plan]


def schema_of(model) -> dict:
    return model.model_json_schema()  # by alias: a plan is camelCase wherever it appears


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_schema_snapshot(model):
    schema = json.dumps(schema_of(model), indent=2, sort_keys=True) + "\n"
    path = SNAPSHOTS / f"{model.__name__}.json"
    if os.environ.get("UPDATE_SCHEMAS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(schema)
    assert path.exists(), f"no snapshot {path.name}: run with UPDATE_SCHEMAS=1"
    assert schema == path.read_text(), f"{model.__name__}'s shape changed: review, UPDATE_SCHEMAS=1"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_field_is_described(model):
    schema = schema_of(model)
    missing = [
        f"{name}.{field}"
        for name, definition in [(model.__name__, schema), *schema.get("$defs", {}).items()]
        for field, spec in definition.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert missing == []
