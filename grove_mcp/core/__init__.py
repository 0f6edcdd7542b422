"""The core's entry points, for every front end: the capability table, its single exit
(``run`` / ``watch``, which redact), size budgets, running off the event loop, and one object
at a time (YAML, describe, logs). Each is imported when first used (``grove_mcp.lazy``): a
front end that reads only the table (the CLI's commands, its help) imports no capability.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import exports

if TYPE_CHECKING:
    from ..capabilities.validate import ManifestText, ValidateArgs
    from ..capture import DiagArgs
    from ..performance.metrics import MetricsArgs
    from ..replan import Assumptions, ReplanArgs
    from ..watching import BACK_TEXT, Heard, lost_text
    from .budget import BUDGET_BYTES, DEFAULT_LIMIT, MAX_LIMIT, Fitted, Narrowing, fit, output_model
    from .budget_generate import Mode, fit_generate
    from .call import RETRY_SECONDS, run, run_views, watch, watch_views
    from .objects import Described, LogText, describe_object, object_yaml, read_log, read_object
    from .offload import run_off_loop
    from .preflight import check_before_write, check_proposal
    from .table import CAPABILITIES, Capability, Inputs, Need, Scope, capability, report_models

# name → the module that defines it (relative to this package)
_WHERE = {
    "ManifestText": "..capabilities.validate",  # validate's input
    "ValidateArgs": "..capabilities.validate",
    "DiagArgs": "..capture",  # diag's input
    "MetricsArgs": "..performance.metrics",  # metrics' and compare's input
    **dict.fromkeys(("Assumptions", "ReplanArgs"), "..replan"),  # replan's input
    **dict.fromkeys(("BACK_TEXT", "Heard", "lost_text"), "..watching"),  # a lost cluster, said
    **dict.fromkeys(
        ("BUDGET_BYTES", "DEFAULT_LIMIT", "MAX_LIMIT", "Fitted", "Narrowing", "fit"), ".budget"
    ),
    "output_model": ".budget",
    "Mode": ".budget_generate",
    "fit_generate": ".budget_generate",
    **dict.fromkeys(("RETRY_SECONDS", "run", "run_views", "watch", "watch_views"), ".call"),
    **dict.fromkeys(
        ("Described", "LogText", "describe_object", "object_yaml", "read_log", "read_object"),
        ".objects",
    ),
    "run_off_loop": ".offload",
    **dict.fromkeys(("check_before_write", "check_proposal"), ".preflight"),
    **dict.fromkeys(
        ("CAPABILITIES", "Capability", "Inputs", "Need", "Scope", "capability", "report_models"),
        ".table",
    ),
}


__getattr__ = exports(__name__, _WHERE)
__all__ = [
    "BACK_TEXT",
    "BUDGET_BYTES",
    "CAPABILITIES",
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "RETRY_SECONDS",
    "Assumptions",
    "Capability",
    "Described",
    "DiagArgs",
    "Fitted",
    "Heard",
    "Inputs",
    "LogText",
    "ManifestText",
    "MetricsArgs",
    "Mode",
    "Narrowing",
    "Need",
    "ReplanArgs",
    "Scope",
    "ValidateArgs",
    "capability",
    "check_before_write",
    "check_proposal",
    "describe_object",
    "fit",
    "fit_generate",
    "lost_text",
    "object_yaml",
    "output_model",
    "read_log",
    "read_object",
    "report_models",
    "run",
    "run_off_loop",
    "run_views",
    "watch",
    "watch_views",
]
