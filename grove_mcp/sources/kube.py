"""The Kubernetes API connection: the only module that imports the ``kubernetes`` client.

Configuration follows kubectl: ``--kubeconfig``, then ``KUBECONFIG`` (``:``-separated), then
``~/.kube/config``, else in-cluster; ``--context`` picks the context and its namespace.
Responses are read as raw JSON (``_preload_content=False``): the client's model
deserialisation is far slower on large lists and drops fields it does not know (Grove's).
Every request has a bounded timeout and no retries, so a dead endpoint fails fast and says so.
Errors become the actionable ``GroveError`` subclasses of ``errors.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import urllib3
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from .. import __version__
from ..errors import (
    AccessDenied,
    ApiError,
    ApiUnavailable,
    ClusterUnreachable,
    ConfigError,
    Conflict,
    GroveError,
    GroveNotInstalled,
    NotFound,
    ResourceExpired,
)
from ..grove.base import KubeObject
from ..grove.kinds import Kind
from .agents import CLI_AGENT, LIBRARY_AGENT, MCP_AGENT, SLACK_AGENT, TUI_AGENT

__all__ = [
    "CLI_AGENT",
    "LIBRARY_AGENT",
    "MCP_AGENT",
    "SLACK_AGENT",
    "TUI_AGENT",
    "Conflict",
    "KubeClient",
    "LineStream",
    "ResourceExpired",
    "user_agent",
]

SERVICE_ACCOUNT_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
DEFAULT_TIMEOUT_SECONDS = 15.0
# The pod proxy subresource, named as RBAC names it (for error messages only: its URL is built
# with the pod's port, see proxy_get).
PODS_PROXY = Kind("Pod", "", "v1", "pods/proxy", True, KubeObject)
PODS_LOG = Kind("Pod", "", "v1", "pods/log", True, KubeObject)
VERSION = Kind("Version", "", "v1", "version", False, KubeObject)
MAX_PROXY_BYTES = 16 * 1024 * 1024
PLAN_STORE = "plan-store"  # the one write grove-mcp makes (sources/configmap_write.py)
_VERBS = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


class KubeClient:
    """A thread-safe, counted, time-bounded JSON client for the API server."""

    def __init__(
        self,
        api_client: client.ApiClient,
        *,
        label: str,
        default_namespace: str,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        kubectl_flags: str = "",
        agent: str = LIBRARY_AGENT,
    ) -> None:
        """``kubectl_flags`` (e.g. `` --kubeconfig k --context c``) go into suggested commands;
        ``agent``: the program sending the requests (their User-Agent)."""
        self._api = api_client
        self.agent = agent
        self.label = label
        self.kubectl_flags = kubectl_flags
        self.default_namespace = default_namespace
        self.timeout = timeout
        self.requests_made = 0
        self._lock = threading.Lock()
        self._impersonate: tuple[str, tuple[str, ...]] | None = None
        self._owns_connection = True
        self._counted_also: KubeClient | None = None

    def impersonating(self, user: str, groups: tuple[str, ...] = ()) -> KubeClient:
        """A client on the same connection that acts as ``user`` in ``groups`` (the
        ``Impersonate-User``/``-Group`` headers): the API server's RBAC then judges every
        request as that identity. Needs RBAC ``impersonate`` on those users and groups."""
        clone = KubeClient(
            self._api,
            label=f"{self.label} as {user}",
            default_namespace=self.default_namespace,
            timeout=self.timeout,
            kubectl_flags=f"{self.kubectl_flags} --as {user}"
            + "".join(f" --as-group {g}" for g in groups),
            agent=self.agent,
        )
        clone._impersonate = (user, tuple(groups))
        clone._owns_connection = False
        clone._counted_also = self  # requests made as another identity count here too
        return clone

    @classmethod
    def connect(
        cls,
        kubeconfig: str | None = None,
        context: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        namespace: str | None = None,
        agent: str = LIBRARY_AGENT,
    ) -> KubeClient:
        """Configure like kubectl; raises ``ConfigError`` saying what to fix. ``namespace``
        replaces the context's as the default (the config file's ``defaults.namespace``);
        ``agent``: the program, named in every request's User-Agent."""
        configuration = client.Configuration()
        if kubeconfig or os.environ.get("KUBECONFIG") or _default_kubeconfig().exists():
            default_namespace, label = _load_kubeconfig(configuration, kubeconfig, context)
        elif os.environ.get("KUBERNETES_SERVICE_HOST"):
            try:
                config.load_incluster_config(client_configuration=configuration)
            except ConfigException as err:
                raise ConfigError(f"In-cluster configuration failed: {err}.") from err
            default_namespace = _read_text(SERVICE_ACCOUNT_NAMESPACE) or "default"
            label = "in-cluster"
        else:
            raise ConfigError(
                "No Kubernetes configuration found: no --kubeconfig, no KUBECONFIG, no "
                f"{_default_kubeconfig()} and not running in a cluster. Point --kubeconfig at a "
                "kubeconfig file, or use --demo to try grove-mcp on the embedded demo."
            )
        configuration.retries = 0
        default_namespace = namespace or default_namespace
        flags = "".join(
            f" --{flag} {value}"
            for flag, value in (("kubeconfig", kubeconfig), ("context", context))
            if value
        )
        return cls(
            client.ApiClient(configuration),
            label=label,
            default_namespace=default_namespace,
            timeout=timeout,
            kubectl_flags=flags,
            agent=agent,
        )

    @property
    def host(self) -> str:
        return str(self._api.configuration.host)

    def close(self) -> None:
        if self._owns_connection:  # an impersonating clone shares its parent's pool
            self._api.close()

    def request(
        self,
        method: str,
        kind: Kind,
        namespace: str | None = None,
        name: str | None = None,
        *,
        sub: str = "",
        params: list[tuple[str, str]] | None = None,
        body: Any = None,
        content_type: str = "application/json",
        decode: Callable[[bytes], Any] = json.loads,
        purpose: str = "",
    ) -> Any:
        """One request; returns the JSON answer as ``decode`` reads it. Errors name verb,
        resource, namespace. ``purpose`` names a write in the User-Agent (``PLAN_STORE``)."""
        path = kind.path(namespace, name, sub)
        response = self._call(
            method,
            path,
            params or [],
            body,
            content_type,
            kind,
            namespace,
            name,
            timeout=(min(5.0, self.timeout), self.timeout),
            purpose=purpose,
        )
        try:
            return decode(response.data) if response.data else {}
        finally:
            response.release_conn()

    def pod_log(
        self, namespace: str, pod: str, container: str, tail: int, previous: bool = False
    ) -> str:
        """The last ``tail`` lines of a container's log (``previous``: the last terminated
        run's); RBAC: get pods/log. At most ``MAX_PROXY_BYTES`` are read."""
        params = [("container", container), ("tailLines", str(tail))]
        if previous:
            params.append(("previous", "true"))
        response = self._call(
            "GET",
            f"/api/v1/namespaces/{quote(namespace)}/pods/{quote(pod)}/log",
            params,
            None,
            "application/json",
            PODS_LOG,
            namespace,
            pod,
            timeout=(min(5.0, self.timeout), self.timeout),
            accept="*/*",
        )
        try:
            data = response.read(MAX_PROXY_BYTES)
        finally:
            response.release_conn()
        return bytes(data or b"").decode("utf-8", "replace")

    def server_version(self) -> str | None:
        """The API server's gitVersion (GET /version), None when it will not say."""
        try:
            response = self._call(
                "GET", "/version", [], None, "application/json", VERSION, None, "version",
                timeout=(min(5.0, self.timeout), self.timeout),
            )  # fmt: skip
        except GroveError:
            return None
        try:
            return str(json.loads(response.data or b"{}").get("gitVersion") or "") or None
        except ValueError:
            return None
        finally:
            response.release_conn()

    def proxy_get(
        self, namespace: str, pod: str, port: int, path: str, accept: str, timeout: float
    ) -> bytes:
        """GET ``path`` on ``pod``'s ``port`` through the API server's pod proxy (RBAC: get
        pods/proxy); returns the body, at most ``MAX_PROXY_BYTES``. Errors name the verb,
        resource and namespace, or the pod when the failure is on its side of the proxy."""
        upstream = f"pod {pod} port {port}"
        try:
            response = self._call(
                "GET",
                f"/api/v1/namespaces/{quote(namespace)}/pods/{quote(pod)}:{port}/proxy{path}",
                [],
                None,
                "application/json",
                PODS_PROXY,
                namespace,
                pod,
                timeout=(min(5.0, timeout), timeout),
                accept=accept,
                upstream=upstream,
            )
        except ClusterUnreachable as err:  # connected, then no answer: the pod, most likely
            cause = getattr(err.__cause__, "reason", None) or err.__cause__
            if not isinstance(cause, urllib3.exceptions.ReadTimeoutError):
                raise
            raise ApiError(
                f"No answer from {upstream} ({path}) within {timeout:g}s through the API "
                f"server's pod proxy at {self.host}: the pod (or the API server) is slow"
            ) from None
        data = bytearray()
        try:
            for chunk in response.stream(64 * 1024, decode_content=True):
                data += chunk
                if len(data) > MAX_PROXY_BYTES:
                    raise ApiError(
                        f"{upstream} sent more than {MAX_PROXY_BYTES // (1024 * 1024)} MiB "
                        f"at {path}: refused (is this a metrics endpoint?)"
                    )
        except urllib3.exceptions.HTTPError as err:  # the body stalled or broke off
            raise ApiError(f"{upstream}: the answer broke off through the proxy ({err})") from None
        finally:
            response.release_conn()
        return bytes(data)

    def stream(
        self, kind: Kind, namespace: str | None, params: list[tuple[str, str]], read_timeout: float
    ) -> LineStream:
        """A streaming GET (a watch), read line by line; ``close()`` aborts it from any thread."""
        response = self._call(
            "GET",
            kind.path(namespace),
            params,
            None,
            "application/json",
            kind,
            namespace,
            None,
            timeout=(min(5.0, self.timeout), read_timeout),
        )
        return LineStream(response)

    def _call(
        self,
        method: str,
        path: str,
        params: list[tuple[str, str]],
        body: Any,
        content_type: str,
        kind: Kind,
        namespace: str | None,
        name: str | None,
        timeout: Any,
        accept: str = "application/json",
        upstream: str | None = None,
        purpose: str = "",
    ) -> Any:
        """``upstream``: what a proxied request reaches; an error answer that is not the API
        server's own (a Status object) came from there and is reported as such."""
        with self._lock:
            self.requests_made += 1
        if self._counted_also is not None:
            with self._counted_also._lock:
                self._counted_also.requests_made += 1
        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = content_type
        verb = "list" if method == "GET" and name is None else _VERBS.get(method, method.lower())
        if any(p == ("watch", "true") for p in params):
            verb = "watch"
        try:  # kubernetes ≥ 37 (OpenAPI generator 7): serialize, then send; no status check
            method, url, headers, body, _ = self._api.param_serialize(
                method,
                path,
                query_params=params,
                header_params=headers,
                body=body,
                auth_settings=["BearerToken"],
            )
            response = self._api.call_api(
                method,
                url,
                header_params=self._with_identity(headers, purpose),
                body=body,
                _request_timeout=timeout,
            ).response
        except ApiException as err:  # status 0: TLS failed before any answer
            raise _unreachable(self.host, err, self.timeout, self.kubectl_flags) from err
        except urllib3.exceptions.HTTPError as err:
            raise _unreachable(self.host, err, self.timeout, self.kubectl_flags) from err
        if response.status >= 400 and upstream:
            relayed = _relayed_error(response, upstream)
            if relayed is not None:
                raise relayed
        if response.status >= 400:
            error = ApiException(http_resp=response)  # reads the Status body
            response.release_conn()
            raise _translate(
                error, self.host, verb, kind, namespace, name, self.kubectl_flags
            ) from error
        return response

    def _with_identity(self, headers: dict[str, str], purpose: str = "") -> Any:
        """The headers with our User-Agent, and one ``Impersonate-Group`` line per group (a
        comma-joined value would be read as one group's name)."""
        headers["User-Agent"] = user_agent(self.agent, purpose)
        if self._impersonate is None:
            return headers
        user, groups = self._impersonate
        lines = urllib3.HTTPHeaderDict(headers)
        lines["Impersonate-User"] = user
        for group in groups:
            lines.add("Impersonate-Group", group)
        return lines


class LineStream:
    """The lines of a streaming response; ends quietly when the server or ``close()`` cuts it."""

    def __init__(self, response: Any) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        pending = b""
        try:
            for chunk in self._response.stream(amt=None, decode_content=False):
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    if line.strip():
                        yield line
        except (urllib3.exceptions.HTTPError, OSError, ValueError):
            return  # cut by the server, the network or close(): the caller decides what next
        finally:
            self._response.release_conn()

    def close(self) -> None:
        """Abort the stream, unblocking a reader in another thread."""
        with contextlib.suppress(OSError, AttributeError):
            self._response.shutdown()
        self._response.release_conn()


# --- configuration --------------------------------------------------------------------------


def _default_kubeconfig() -> Path:
    return Path(os.path.expanduser("~/.kube/config"))


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _load_kubeconfig(
    configuration: client.Configuration, kubeconfig: str | None, context: str | None
) -> tuple[str, str]:
    """Load a kubeconfig into ``configuration``; return the context's namespace and name."""
    where = kubeconfig or os.environ.get("KUBECONFIG") or str(_default_kubeconfig())
    if kubeconfig and not Path(kubeconfig).exists():
        raise ConfigError(f"Kubeconfig {kubeconfig} does not exist. Check the --kubeconfig path.")
    try:
        contexts, active = config.list_kube_config_contexts(config_file=kubeconfig)
    except (ConfigException, OSError, ValueError) as err:
        raise ConfigError(
            f"Cannot read kubeconfig {where}: {err}. Check the file, or pass --kubeconfig."
        ) from err
    names = sorted(c["name"] for c in contexts or [])
    if context and context not in names:
        raise ConfigError(
            f"Context '{context}' is not in kubeconfig {where}. Contexts there: "
            f"{', '.join(names) or 'none'}."
        )
    chosen = next((c for c in contexts if c["name"] == context), None) if context else active
    if chosen is None:
        raise ConfigError(
            f"Kubeconfig {where} has no current-context. Pass --context (one of: "
            f"{', '.join(names) or 'none'})."
        )
    try:
        config.load_kube_config(
            config_file=kubeconfig,
            context=chosen["name"],
            client_configuration=configuration,
            persist_config=False,
        )
    except (ConfigException, OSError, ValueError) as err:
        raise ConfigError(f"Cannot use context '{chosen['name']}' of {where}: {err}.") from err
    namespace = (chosen.get("context") or {}).get("namespace") or "default"
    return namespace, str(chosen["name"])


# --- errors ---------------------------------------------------------------------------------


def user_agent(program: str, purpose: str = "") -> str:
    """``program/version``, and ``(write: purpose)`` on a request that writes: who asked."""
    return f"{program}/{__version__}" + (f" (write: {purpose})" if purpose else "")


def _relayed_error(response: Any, upstream: str) -> ApiError | None:
    """An error from the far side of the pod proxy: the pod's own answer (not a Status), or
    the API server failing to reach it (502/503/504 'error trying to reach service')."""
    try:
        data = response.read(64 * 1024)
    except urllib3.exceptions.HTTPError:
        data = b""
    status = response.status
    if _is_status(data):
        message = str(json.loads(data).get("message") or "")
        if status in (502, 503, 504) or message.startswith("error trying to reach service"):
            response.release_conn()
            return ApiError(f"{upstream} could not be reached through the pod proxy: {message}")
        response._body = data  # ApiException below reads the body again from here
        return None
    response.release_conn()
    text = _first_line(bytes(data or b"").decode("utf-8", "replace"))
    return ApiError(
        f"{upstream}, reached through the API server's pod proxy, answered HTTP {status}: "
        f"{text or '(no body)'}"
    )


def _is_status(data: bytes | None) -> bool:
    """Whether an error body is the API server's own Status object."""
    try:
        return bool(json.loads(data or b"").get("kind") == "Status")
    except (ValueError, AttributeError):
        return False


def _status_body(err: ApiException) -> dict[str, Any]:
    try:
        body = json.loads(err.body) if err.body else {}
    except (json.JSONDecodeError, TypeError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _translate(
    err: ApiException,
    host: str,
    verb: str,
    kind: Kind,
    namespace: str | None,
    name: str | None,
    flags: str,
) -> GroveError:
    body = _status_body(err)
    message = str(body.get("message") or err.reason or "").strip()
    if err.status == 403:
        return access_denied(verb, kind, namespace, message, flags)
    if err.status == 404:
        details = body.get("details") or {}
        if name and details.get("name") == name:
            where = f" in namespace '{namespace}'" if namespace and kind.namespaced else ""
            return NotFound(f"{kind.kind} '{name}' not found{where}.")
        return not_installed(kind)
    if err.status == 401:
        return ConfigError(
            f"The API server at {host} rejected the credentials (401 Unauthorized). "
            "Refresh them (log in again, or renew the token) and retry."
        )
    if err.status == 410:
        return ResourceExpired(f"{kind.resource}: {message or 'resource version too old'}")
    if err.status == 409:
        return Conflict(f"{kind.kind} '{name}': {message}")
    if err.status == 422:
        return ApiError(f"The API server refused the {kind.kind} as invalid: {message}")
    if err.status in (429, 500, 502, 503, 504):
        return ApiUnavailable(
            f"The API server at {host} answered {err.status} {err.reason}: "
            f"{message}. It is overloaded or restarting; retry shortly."
        )
    return ApiError(f"The API server at {host} answered {err.status} {err.reason}: {message}.")


def _unreachable(host: str, err: Exception, timeout: float, flags: str) -> ClusterUnreachable:
    """Why the endpoint could not be reached, most specific cause first."""
    reason = getattr(err, "reason", None) or err
    text = str(reason)
    check = f"kubectl{flags} config view --minify"
    if (
        isinstance(reason, urllib3.exceptions.SSLError)
        or "CERTIFICATE" in text.upper()
        or (isinstance(err, ApiException) and not err.status)
    ):
        detail = (
            f"TLS failed ({_first_line(text)}). Check the certificate-authority data of the "
            f"cluster in your kubeconfig ({check})"
        )
    elif isinstance(reason, urllib3.exceptions.NameResolutionError):
        detail = f"its host name does not resolve. Check the server address ({check})"
    elif isinstance(reason, urllib3.exceptions.NewConnectionError):
        detail = (
            f"the connection was refused or has no route: the API server is down or the "
            f"address is wrong. Check the server address ({check}) and your network or VPN"
        )
    elif isinstance(reason, urllib3.exceptions.TimeoutError | TimeoutError):
        detail = (
            f"no answer within {timeout:g}s: the API server is slow or unreachable. Check "
            "your network or VPN, or raise --request-timeout"
        )
    else:
        detail = f"{_first_line(text)}. Check the server address ({check}) and your network"
    return ClusterUnreachable(f"Cannot reach the Kubernetes API server at {host}: {detail}.")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else "no detail"


def not_installed(kind: Kind) -> GroveNotInstalled:
    """The error for a resource type the cluster does not serve."""
    if kind.group not in ("grove.io", "scheduler.grove.io"):
        return GroveNotInstalled(f"This cluster does not serve {kind.resource}/{kind.version}.")
    return GroveNotInstalled(
        f"This cluster does not serve {kind.resource}/{kind.version}: Grove's CRDs are not "
        "installed. Install the Grove operator (v0.1.0-alpha.9 or later; alpha.1–alpha.8 also "
        "work), e.g. helm install grove oci://ghcr.io/ai-dynamo/grove/grove-charts, then retry. "
        f"Check with: kubectl get crd {kind.resource}"
    )


def access_denied(
    verb: str, kind: Kind, namespace: str | None, server: str, flags: str = ""
) -> AccessDenied:
    """The error for an RBAC denial: what was denied and how to grant or check it."""
    namespaced = bool(namespace) and kind.namespaced
    scope = (
        f"in namespace '{namespace}'"
        if namespaced
        else ("across all namespaces" if kind.namespaced else "(cluster-scoped)")
    )
    flag = f" -n {namespace}" if namespaced else (" -A" if kind.namespaced else "")
    said = f" The API server said: {server.rstrip('.')}." if server else ""
    role = "Role" if namespaced else "ClusterRole"
    verbs = '"get", "list", "watch"' if verb in ("get", "list", "watch") else f'"{verb}"'
    return AccessDenied(
        f"RBAC denied '{verb}' on {kind.resource} {scope}.{said} Ask a cluster admin for a "
        f'{role} granting apiGroups ["{kind.group}"], resources ["{kind.plural}"], verbs '
        f"[{verbs}]; check with: kubectl{flags} auth can-i {verb} "
        f"{kind.resource}{flag}",
        verb=verb,
        resource=kind.resource,
        namespace=namespace,
    )
