"""The ``plan`` reports are contracts too: schema snapshots, every field described.

Regenerate after an intended change with ``UPDATE_SCHEMAS=1 pytest tests/unit/test_plan_schemas.py``.
"""

from __future__ import annotations

import pytest
import test_schemas as schemas

from grove_mcp.reports.plan_reports import (
    PlanDiffReport,
    PlanHistoryReport,
    PlanShowReport,
    PlanStoreReport,
)

MODELS = [PlanShowReport, PlanHistoryReport, PlanDiffReport, PlanStoreReport]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_plan_schema_snapshot(model):
    schemas.test_schema_snapshot(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_plan_field_is_described(model):
    schemas.test_every_field_is_described(model)
