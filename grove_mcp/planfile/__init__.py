"""The plan file format (``plan.json``): what AIConfigurator planned, as ``generate`` writes it.

A low layer: ``generate`` writes plans, reports embed them, ``plans`` stores and compares them.
"""

from .io import dump_plan, plan_from_dict, plan_from_json, plan_from_manifest, read_plan
from .model import (
    DEFAULT_GPUS_PER_NODE,
    PLAN_ANNOTATION,
    PLAN_FORMAT,
    PLAN_FORMAT_VERSION,
    ROLE_LABEL,
    ExpectedPerformance,
    Plan,
    PlanConfig,
    PlanInputs,
    PlanSla,
    Role,
    RoleConfig,
    ServingMode,
    nodes_per_worker,
)

__all__ = [
    "DEFAULT_GPUS_PER_NODE",
    "PLAN_ANNOTATION",
    "PLAN_FORMAT",
    "PLAN_FORMAT_VERSION",
    "ROLE_LABEL",
    "ExpectedPerformance",
    "Plan",
    "PlanConfig",
    "PlanInputs",
    "PlanSla",
    "Role",
    "RoleConfig",
    "ServingMode",
    "dump_plan",
    "nodes_per_worker",
    "plan_from_dict",
    "plan_from_json",
    "plan_from_manifest",
    "read_plan",
]
