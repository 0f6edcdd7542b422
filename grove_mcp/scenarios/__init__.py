"""Scenario worlds as bundles: the demo and the named situations used by tests and the seeder."""

from .builder import ScenarioBuilder
from .catalog import SCENARIOS, demo
from .grove_objects import ALPHA_8, GroveShape
from .specs import CliqueSpec, PodState, ScalingGroupSpec, WorkloadSpec

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
