"""AIConfigurator plans rendered as Grove PodCliqueSets (``generate``).

Front ends call ``make_request`` (validates flags) and the capability table calls
``generate_from`` (runs AIConfigurator in a child process, checks the SLA, renders the
PodCliqueSets with their plan.json; writes nothing). ``run_estimate`` asks AIConfigurator what
given configurations do at given traffic (``make_estimate_request``, ``point_from_row``). The
plan format itself is
``grove_mcp.planfile``. Nothing here imports ``aiconfigurator``: only ``aic_calls`` does, run by
``worker`` in the child process. Each name is imported when first used (``grove_mcp.lazy``):
registering the CLI's ``generate`` command reads only its defaults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import exports

if TYPE_CHECKING:
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
    from .estimate_points import point_from_row
    from .generate import GenerateArgs, generate, generate_from
    from .manifests import RenderOptions, render_pcs, to_yaml, to_yaml_all
    from .mode_plans import build_plans
    from .protocol import AicProgress, AicRun, EstimatePointResult, EstimateRun, EstimateTimings
    from .render_options import DEFAULT_TERMINATION_DELAY
    from .report import build_report
    from .request import (
        BACKENDS,
        MAX_ESTIMATE_POINTS,
        EstimatePoint,
        EstimateRequest,
        EstimateWorkers,
        PlanRequest,
        make_estimate_request,
        make_request,
    )
    from .runner import (
        DEFAULT_ESTIMATE_TIMEOUT_S,
        DEFAULT_TIMEOUT_S,
        run_aiconfigurator,
        run_estimate,
    )

# name → the module that defines it (relative to this package), imported on first use
_WHERE = {
    **dict.fromkeys(
        (
            "INSTALL_HINT",
            "AicError",
            "AicFailed",
            "AicNotInstalled",
            "AicTimeout",
            "AicUnsupported",
            "PlanError",
            "SlaUnmeetable",
        ),
        "..errors",
    ),
    **dict.fromkeys(("GenerateArgs", "generate", "generate_from"), ".generate"),
    **dict.fromkeys(("RenderOptions", "render_pcs", "to_yaml", "to_yaml_all"), ".manifests"),
    "build_plans": ".mode_plans",
    "point_from_row": ".estimate_points",
    **dict.fromkeys(
        ("AicProgress", "AicRun", "EstimatePointResult", "EstimateRun", "EstimateTimings"),
        ".protocol",
    ),
    "DEFAULT_TERMINATION_DELAY": ".render_options",
    "build_report": ".report",
    **dict.fromkeys(
        (
            "BACKENDS",
            "MAX_ESTIMATE_POINTS",
            "EstimatePoint",
            "EstimateRequest",
            "EstimateWorkers",
            "PlanRequest",
            "make_estimate_request",
            "make_request",
        ),
        ".request",
    ),
    **dict.fromkeys(
        ("DEFAULT_ESTIMATE_TIMEOUT_S", "DEFAULT_TIMEOUT_S", "run_aiconfigurator", "run_estimate"),
        ".runner",
    ),
}
__getattr__ = exports(__name__, _WHERE)
__all__ = [
    "BACKENDS",
    "DEFAULT_ESTIMATE_TIMEOUT_S",
    "DEFAULT_TERMINATION_DELAY",
    "DEFAULT_TIMEOUT_S",
    "INSTALL_HINT",
    "MAX_ESTIMATE_POINTS",
    "AicError",
    "AicFailed",
    "AicNotInstalled",
    "AicProgress",
    "AicRun",
    "AicTimeout",
    "AicUnsupported",
    "EstimatePoint",
    "EstimatePointResult",
    "EstimateRequest",
    "EstimateRun",
    "EstimateTimings",
    "EstimateWorkers",
    "GenerateArgs",
    "PlanError",
    "PlanRequest",
    "RenderOptions",
    "SlaUnmeetable",
    "build_plans",
    "build_report",
    "generate",
    "generate_from",
    "make_estimate_request",
    "make_request",
    "point_from_row",
    "render_pcs",
    "run_aiconfigurator",
    "run_estimate",
    "to_yaml",
    "to_yaml_all",
]
