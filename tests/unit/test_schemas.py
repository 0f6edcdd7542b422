"""Reports are the contract: the JSON schema of every report model the capability table hands
out (and of plan.json, which reports embed) is snapshotted, so a shape change is a diff.

Regenerate after an intended change with ``UPDATE_SCHEMAS=1 pytest tests/unit/test_schemas.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from grove_mcp.core import report_models
from grove_mcp.planfile import Plan

SNAPSHOTS = Path(__file__).parent / "schemas"
MODELS = [*report_models(), Plan]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_schema_snapshot(model):
    schema = json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"
    path = SNAPSHOTS / f"{model.__name__}.json"
    if os.environ.get("UPDATE_SCHEMAS"):
        path.write_text(schema)
    assert path.exists(), f"no snapshot {path.name}: run with UPDATE_SCHEMAS=1"
    assert schema == path.read_text(), (
        f"{model.__name__}'s shape changed: review, then UPDATE_SCHEMAS=1"
    )


def test_no_snapshot_outlives_its_model():
    assert sorted(p.stem for p in SNAPSHOTS.glob("*.json")) == sorted(m.__name__ for m in MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_field_is_described(model):
    """MCP clients read field descriptions; none may be missing."""
    schema = model.model_json_schema()
    missing = []
    for name, definition in [(model.__name__, schema), *schema.get("$defs", {}).items()]:
        for field, spec in definition.get("properties", {}).items():
            if not spec.get("description"):
                missing.append(f"{name}.{field}")
    assert missing == []


@pytest.mark.parametrize("model", report_models(), ids=lambda m: m.__name__)
def test_every_report_carries_its_verdict(model):
    summary = model.model_json_schema()["properties"].get("summary")
    assert summary is not None, f"{model.__name__} has no summary"
    schema = model.model_json_schema()
    definition = schema["$defs"][summary["$ref"].rsplit("/", 1)[-1]]
    assert {"ok", "severity", "text"} <= set(definition["required"])
