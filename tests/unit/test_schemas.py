"""Reports are the contract: their JSON schemas are snapshotted, so a shape change is a diff.

Regenerate after an intended change with ``UPDATE_SCHEMAS=1 pytest tests/unit/test_schemas.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from grove_mcp.reports.health import HealthList, HealthReport
from grove_mcp.reports.listing import WorkloadList
from grove_mcp.reports.status import StatusList, StatusReport
from grove_mcp.reports.topology import TopologyList, TopologyReport

SNAPSHOTS = Path(__file__).parent / "schemas"
MODELS = [
    StatusReport,
    StatusList,
    HealthReport,
    HealthList,
    TopologyReport,
    TopologyList,
    WorkloadList,
]


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
