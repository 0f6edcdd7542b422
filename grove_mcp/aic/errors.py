"""Errors of plan generation. Each says what went wrong and what to do (DESIGN.md rule 6).

GroveError (grove_mcp.errors)
├── InvalidInput
│   ├── PlanError            a plan file or generated YAML that cannot be read: path and field
│   └── AicUnsupported       model, system or backend AIConfigurator does not support: lists what it does
└── AicError                 AIConfigurator could not produce a plan
    ├── AicNotInstalled      the optional extra is missing: how to install it
    ├── SlaUnmeetable        no configuration meets the TTFT target (AIConfigurator finds none)
    ├── AicTimeout           the child process ran past its deadline
    └── AicFailed            the child crashed or AIConfigurator failed otherwise: its last words
"""

from __future__ import annotations

from ..errors import GroveError, InvalidInput

INSTALL_HINT = "pip install 'grove-mcp[generate]'"


class PlanError(InvalidInput):
    """A plan.json or generated PodCliqueSet YAML that is not a valid plan."""

    code = "plan_error"

    def __init__(self, path: str, field: str | None, problem: str) -> None:
        where = f"{path}: field '{field}'" if field else path
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.field = field
        self.problem = problem


class AicUnsupported(InvalidInput):
    """AIConfigurator does not support the model, system or backend asked for."""

    code = "aic_unsupported"

    def __init__(self, message: str, what: str, value: str, supported: list[str]) -> None:
        super().__init__(message)
        self.what = what
        self.value = value
        self.supported = supported


class AicError(GroveError):
    code = "aic_error"


class AicNotInstalled(AicError):
    code = "aic_not_installed"


class SlaUnmeetable(AicError):
    code = "sla_unmeetable"
    exit_code = 1  # a finding about the request, like a report whose plans all miss the SLA


class AicTimeout(AicError):
    code = "aic_timeout"


class AicFailed(AicError):
    code = "aic_failed"
