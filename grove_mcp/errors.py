"""Every error that reaches users, in one module. Each says what is wrong and what to do
(DESIGN.md rule 6); ``code`` is stable for machines, ``exit_code`` is the CLI's.

GroveError                     base; ``str(err)`` is the one-paragraph message for users (exit 4)
├── InvalidInput               bad names, flags or files, refused before any API call (exit 2)
│   ├── PlanError              a plan.json or generated YAML that is not a valid plan: path, field
│   ├── AdmissionRefused       a rendered manifest Grove's webhook would refuse: nothing written
│   ├── AicUnsupported         a model, system or backend AIConfigurator lacks: lists what it has
│   └── SettingsError          the config file (kubectl-grove/config.yaml): file, line and key
├── NotFound                   the PodCliqueSet (or its stored plan) does not exist (exit 3)
├── GroveNotInstalled          Grove's CRDs are absent from the cluster
├── AccessDenied               RBAC said no: verb, resource and namespace
├── ClusterUnreachable         connection refused, DNS, TLS or a timeout: which endpoint
├── ConfigError                kubeconfig / context / in-cluster configuration problems
├── ApiError                   any other error status from the API server
│   └── ResourceExpired        410 Gone: a watch must list again
├── Conflict                   409: the object changed between read and write
├── BundleError                a diagnostic bundle that cannot be read: path and field
├── StoredPlanError            a plan ConfigMap that cannot be read: ConfigMap, key and field
├── MetricsError               a metrics exposition that cannot be read, or histograms that cannot merge
├── Cancelled                  the caller stopped waiting (Ctrl-C, a client gone): nothing written (exit 130)
└── AicError                   AIConfigurator could not produce a plan
    ├── AicNotInstalled        the optional extra is missing: how to install it
    ├── SlaUnmeetable          no configuration meets the TTFT target (exit 1: a finding)
    ├── AicTimeout             the child process ran past its deadline
    └── AicFailed              the child crashed or AIConfigurator failed otherwise: its last words
"""

from __future__ import annotations

from .redact import redact_text


class GroveError(Exception):
    """Base class. ``code`` is stable for machines; the message is for people."""

    code = "error"
    exit_code = 4

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    @property
    def message(self) -> str:
        """The message for users, redacted where it is set: no credentials in any error (nor in
        its ``args``, which logs and tracebacks show)."""
        return self._message

    @message.setter
    def message(self, text: str) -> None:
        self._message = redact_text(text)
        self.args = (self._message,)

    def __str__(self) -> str:
        return self.message


class InvalidInput(GroveError):
    code = "invalid_input"
    exit_code = 2


class AdmissionRefused(InvalidInput):
    """A rendered PodCliqueSet breaks Grove's admission rules; nothing was written."""

    code = "admission_refused"


class NotFound(GroveError):
    code = "not_found"
    exit_code = 3

    def __init__(self, message: str, available: list[str] | None = None) -> None:
        super().__init__(message)
        self.available = available or []


class GroveNotInstalled(GroveError):
    code = "grove_not_installed"


class AccessDenied(GroveError):
    code = "access_denied"

    def __init__(self, message: str, verb: str, resource: str, namespace: str | None) -> None:
        super().__init__(message)
        self.verb = verb
        self.resource = resource
        self.namespace = namespace


class ClusterUnreachable(GroveError):
    code = "cluster_unreachable"


class SettingsError(InvalidInput):
    code = "settings_error"


class ConfigError(GroveError):
    code = "config_error"


class ApiError(GroveError):
    code = "api_error"


class ApiUnavailable(ApiError):
    """The API server answered 429 or 5xx: overloaded or restarting (worth a retry)."""

    code = "api_unavailable"


class ResourceExpired(ApiError):
    code = "resource_expired"


class Conflict(GroveError):
    code = "conflict"


class BundleError(GroveError):
    code = "bundle_error"


class StoredPlanError(GroveError):
    """A stored plan ConfigMap that cannot be read: which ConfigMap, key and field."""

    code = "stored_plan_invalid"


class MetricsError(GroveError):
    """A metrics exposition that is not Prometheus text, or histograms whose bucket bounds differ
    and so cannot be summed: says which metric (or which endpoint's body) and what to do."""

    code = "metrics_error"


class Cancelled(GroveError):
    """The caller stopped waiting (Ctrl-C, an MCP client that went away or cancelled): the
    work stopped at its next step and wrote nothing."""

    code = "cancelled"
    exit_code = 130


# --- plans and AIConfigurator ----------------------------------------------------------------

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
