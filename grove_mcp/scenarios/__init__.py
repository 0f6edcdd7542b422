"""Scenario worlds as bundles: the demo and the named situations used by tests and the seeder."""

from .builder import ScenarioBuilder
from .catalog import SCENARIOS as _BASE
from .catalog import demo
from .diagnose_catalog import DIAGNOSE_SCENARIOS, PLANTED
from .grove_objects import ALPHA_8, GroveShape
from .specs import CliqueSpec, PodState, ScalingGroupSpec, WorkloadSpec

SCENARIOS = {**_BASE, **DIAGNOSE_SCENARIOS}

__all__ = [
    "ALPHA_8",
    "PLANTED",
    "SCENARIOS",
    "CliqueSpec",
    "GroveShape",
    "PodState",
    "ScalingGroupSpec",
    "ScenarioBuilder",
    "WorkloadSpec",
    "demo",
]
