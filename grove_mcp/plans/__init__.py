"""Stored AIConfigurator plans: the ConfigMap format, show / history, diff against what is
deployed, and store (the one write, done by ``sources.configmap_write``). Builders are pure;
``plan_input_from_file`` reads the plan file the user names."""

from .configmap import CONFIGMAP_LIMIT, PlanInput, plan_input_from_file, plan_input_from_text
from .diff import build_plan_diff
from .show import build_plan_history, build_plan_show
from .store import build_plan_store

__all__ = [
    "CONFIGMAP_LIMIT",
    "PlanInput",
    "build_plan_diff",
    "build_plan_history",
    "build_plan_show",
    "build_plan_store",
    "plan_input_from_file",
    "plan_input_from_text",
]
