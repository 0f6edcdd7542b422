"""AIConfigurator plans rendered as Grove PodCliqueSets (``generate``).

Front ends call ``make_request`` (validates flags) and the capability table calls
``generate_from`` (runs AIConfigurator in a child process, checks the SLA, renders the
PodCliqueSets with their plan.json; writes nothing). The plan format itself is
``grove_mcp.planfile``. Nothing here imports ``aiconfigurator``: only ``aic_calls`` does, run by
``worker`` in the child process.
"""

from ..errors import (
    INSTALL_HINT,
    AicError,
    AicFailed,
    AicNotInstalled,
    AicTimeout,
    AicUnsupported,
    PlanError,
    SlaUnmeetable,
)
from .generate import GenerateArgs, generate, generate_from
from .manifests import RenderOptions, render_pcs, to_yaml, to_yaml_all
from .mode_plans import build_plans
from .protocol import AicProgress, AicRun
from .render_options import DEFAULT_TERMINATION_DELAY
from .report import build_report
from .request import BACKENDS, PlanRequest, make_request
from .runner import DEFAULT_TIMEOUT_S, run_aiconfigurator

__all__ = [
    "BACKENDS",
    "DEFAULT_TERMINATION_DELAY",
    "DEFAULT_TIMEOUT_S",
    "INSTALL_HINT",
    "AicError",
    "AicFailed",
    "AicNotInstalled",
    "AicProgress",
    "AicRun",
    "AicTimeout",
    "AicUnsupported",
    "GenerateArgs",
    "PlanError",
    "PlanRequest",
    "RenderOptions",
    "SlaUnmeetable",
    "build_plans",
    "build_report",
    "generate",
    "generate_from",
    "make_request",
    "render_pcs",
    "run_aiconfigurator",
    "to_yaml",
    "to_yaml_all",
]
