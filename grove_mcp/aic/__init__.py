"""AIConfigurator plans rendered as Grove PodCliqueSets (issue 5, ``generate``).

Front ends call ``make_request`` (validates flags) and ``generate`` (runs AIConfigurator in a child
process, checks the SLA, renders and writes the PodCliqueSets with their plan.json). ``read_plan``
reads a plan back from a plan.json or a generated YAML, for ``plan store/show/diff``. Nothing here
imports ``aiconfigurator``: only ``aic_calls`` does, run by ``worker`` in the child process.
"""

from .errors import (
    INSTALL_HINT,
    AicError,
    AicFailed,
    AicNotInstalled,
    AicTimeout,
    AicUnsupported,
    PlanError,
    SlaUnmeetable,
)
from .generate import generate
from .planfile import dump_plan, plan_from_dict, plan_from_json, read_plan, write_plan
from .plans import build_plans
from .protocol import AicProgress, AicRun
from .render import PLAN_ANNOTATION, RenderOptions, render_pcs, to_yaml
from .report import build_report
from .request import BACKENDS, PlanRequest, make_request
from .runner import DEFAULT_TIMEOUT_S, run_aiconfigurator

__all__ = [
    "BACKENDS",
    "DEFAULT_TIMEOUT_S",
    "INSTALL_HINT",
    "PLAN_ANNOTATION",
    "AicError",
    "AicFailed",
    "AicNotInstalled",
    "AicProgress",
    "AicRun",
    "AicTimeout",
    "AicUnsupported",
    "PlanError",
    "PlanRequest",
    "RenderOptions",
    "SlaUnmeetable",
    "build_plans",
    "build_report",
    "dump_plan",
    "generate",
    "make_request",
    "plan_from_dict",
    "plan_from_json",
    "read_plan",
    "render_pcs",
    "run_aiconfigurator",
    "to_yaml",
    "write_plan",
]
