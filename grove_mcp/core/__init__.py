"""The core's entry points, for every front end: the capability table, its single exit
(``run`` / ``watch``, which redact), size budgets, running off the event loop, and one object at a time (YAML, describe, logs)."""

from ..capabilities.validate import ManifestText, ValidateArgs  # validate's input
from ..capture import DiagArgs  # diag's input
from ..performance.metrics import MetricsArgs  # metrics' and compare's input
from ..replan import Assumptions, ReplanArgs  # replan's input
from ..watching import BACK_TEXT, Heard, lost_text  # what a watch says of a lost cluster
from .budget import BUDGET_BYTES, DEFAULT_LIMIT, MAX_LIMIT, Fitted, Narrowing, fit, output_model
from .budget_generate import Mode, fit_generate
from .call import RETRY_SECONDS, run, run_views, watch, watch_views
from .objects import Described, LogText, describe_object, object_yaml, read_log, read_object
from .offload import run_off_loop
from .preflight import check_before_write, check_proposal
from .table import CAPABILITIES, Capability, Inputs, Need, Scope, capability, report_models

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
