"""Scenario worlds as bundles: the demo and the named situations used by tests and the seeder."""

from .builder import CliqueSpec, PodState, ScalingGroupSpec, ScenarioBuilder, WorkloadSpec
from .catalog import SCENARIOS, demo
from .grove_objects import ALPHA_8, GroveShape

__all__ = [
    "ALPHA_8",
    "SCENARIOS",
    "CliqueSpec",
    "GroveShape",
    "PodState",
    "ScalingGroupSpec",
    "ScenarioBuilder",
    "WorkloadSpec",
    "demo",
]
