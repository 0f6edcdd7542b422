"""Redaction of what ``kubectl grove diag`` captures: raw Kubernetes objects and container logs.

The patterns are ``grove_mcp.redact``'s (DESIGN.md rule 5: one central redaction); this module
knows where credentials sit in Kubernetes objects:

- **Secrets are never read**: ``redact_object`` refuses a Secret (``ValueError``).
- **Env values** of containers, init containers and ephemeral containers are replaced by
  ``[REDACTED]`` (kind ``env_value``) unless ``env_value_kept(name)``; ``valueFrom`` and
  ``envFrom`` are references and are kept as they are.
- **The env allowlist rule**: a value is kept only when the name matches ``ENV_ALLOWLIST`` *and*
  contains none of ``SECRET_NAME_WORDS`` (TOKEN, SECRET, PASSWORD, PASSWD, PASS, PWD, KEY,
  CREDENTIAL, AUTH, PRIVATE, COOKIE, SESSION; as substrings, case-insensitive). So ``DYN_SYSTEM_PORT``
  and ``CUDA_VISIBLE_DEVICES`` are kept, ``DYN_API_KEY`` and ``VLLM_API_KEY`` are not. A kept
  value still passes the patterns (``NATS_SERVER=nats://u:pw@nats:4222`` loses its password).
- ``command`` / ``args`` anywhere (containers, probes, lifecycle hooks) lose credentials, also a
  value in the item after its flag (``["--hf-token", "hf_…"]``, kind ``secret_arg``).
- ``metadata.annotations``: ``kubectl.kubernetes.io/last-applied-configuration`` is dropped (it
  repeats the spec, env values included; kind ``last_applied``); the other values pass the
  patterns. ``metadata.managedFields`` is dropped (noise, no count).
- ConfigMap ``binaryData`` values are replaced (they cannot be scanned; kind ``binary_data``).
- Every other string (event and condition messages, ConfigMap ``data`` …) passes the patterns.

Counts accumulate in a ``grove_mcp.redact.Redactions``; ``Redactions.as_dict()`` is the
manifest's per-kind table.
"""

from __future__ import annotations

import re
from typing import Any

from ..redact import MASK, Redactions, redact_argv, redact_private_keys, redact_text_counted

SECRET_NAME_WORDS: tuple[str, ...] = (
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "KEY",
    "CREDENTIAL",
    "AUTH",
    "PRIVATE",
    "COOKIE",
    "SESSION",
)
"""A name containing any of these never has its value kept, whatever the allowlist says."""

ENV_ALLOWLIST: tuple[str, ...] = (
    # Dynamo's wiring: DYN_NAMESPACE, DYN_COMPONENT, DYN_DISCOVERY_BACKEND, DYN_SYSTEM_PORT …
    "DYN_*",
    "POD_NAME",
    "POD_NAMESPACE",
    "POD_UID",
    "NATS_SERVER",
    "ETCD_ENDPOINTS",
    # GPUs, collectives and transfer
    "CUDA_*",
    "NCCL_*",
    "NVIDIA_*",
    "UCX_*",
    "NIXL_*",
    "OMP_NUM_THREADS",
    # engines' knobs
    "VLLM_*",
    "SGLANG_*",
    "TRTLLM_*",
    "TLLM_*",
    # model download behaviour (HF_TOKEN is excluded by the rule)
    "HF_HOME",
    "HF_HUB_OFFLINE",
    "HF_HUB_ENABLE_HF_TRANSFER",
    "TRANSFORMERS_OFFLINE",
    "RUST_LOG",
    "PYTHONUNBUFFERED",
)
"""Env names (exact, or a prefix with ``*``) whose values are kept, SECRET_NAME_WORDS aside."""

_ALLOWED = re.compile(
    "^(?:"
    + "|".join(re.escape(p[:-1]) + ".*" if p.endswith("*") else re.escape(p) for p in ENV_ALLOWLIST)
    + ")$"
)
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


def env_value_kept(name: str) -> bool:
    """Whether the value of env var ``name`` goes into a bundle (the rule in the module doc)."""
    upper = name.upper()
    if any(word in upper for word in SECRET_NAME_WORDS):
        return False
    return bool(_ALLOWED.match(name))


def redact_object(obj: dict[str, Any], counts: Redactions) -> dict[str, Any]:
    """A redacted deep copy of a Kubernetes object (or a ``List`` of them) for a bundle.

    Raises ``ValueError`` for a Secret: Secrets are never read, so one reaching here is a bug."""
    _refuse_secrets(obj)
    result = _walk(obj, counts)
    assert isinstance(result, dict)
    return result


def redact_log(text: str, counts: Redactions) -> str:
    """A container log with credentials masked, line by line (a private key block as a whole)."""
    lines = redact_private_keys(text, counts).splitlines(keepends=True)
    return "".join(redact_text_counted(line, counts) for line in lines)


def _refuse_secrets(obj: Any) -> None:
    if not isinstance(obj, dict):
        return
    kind = obj.get("kind")
    if kind in ("Secret", "SecretList"):
        raise ValueError("a Secret reached redaction: grove-mcp never reads Secrets")
    for item in obj.get("items") or []:
        _refuse_secrets(item)


def _walk(value: Any, counts: Redactions) -> Any:
    if isinstance(value, str):
        return redact_text_counted(value, counts)
    if isinstance(value, list):
        return [_walk(v, counts) for v in value]
    if not isinstance(value, dict):
        return value
    return {key: _field(key, item, counts) for key, item in value.items()}


def _field(key: str, item: Any, counts: Redactions) -> Any:
    if key == "metadata" and isinstance(item, dict):
        return _metadata(item, counts)
    if key in _CONTAINER_LISTS and isinstance(item, list):
        return [_container(c, counts) for c in item]
    if key in ("command", "args") and _is_argv(item):
        return redact_argv(item, counts)
    if key == "binaryData" and isinstance(item, dict):
        counts["binary_data"] += len(item)
        return dict.fromkeys(item, MASK)
    return _walk(item, counts)


def _metadata(meta: dict[str, Any], counts: Redactions) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in meta.items():
        if key == "managedFields":
            continue
        if key == "annotations" and isinstance(item, dict):
            kept = {}
            for name, text in item.items():
                if name == _LAST_APPLIED:
                    counts["last_applied"] += 1
                    continue
                kept[name] = _walk(text, counts)
            out[key] = kept
        else:
            out[key] = _walk(item, counts)
    return out


def _container(container: Any, counts: Redactions) -> Any:
    if not isinstance(container, dict):
        return _walk(container, counts)
    out: dict[str, Any] = {}
    for key, item in container.items():
        if key == "env" and isinstance(item, list):
            out[key] = [_env_var(e, counts) for e in item]
        else:
            out[key] = _field(key, item, counts)
    return out


def _env_var(var: Any, counts: Redactions) -> Any:
    if not isinstance(var, dict):
        return _walk(var, counts)
    out: dict[str, Any] = {}
    name = var.get("name")
    for key, item in var.items():
        if key == "valueFrom":
            out[key] = _copy(item)  # a reference (secretKeyRef, fieldRef …), kept as it is
        elif key == "value" and item not in (None, ""):
            if isinstance(name, str) and env_value_kept(name):
                out[key] = redact_text_counted(str(item), counts)
            else:
                counts["env_value"] += 1
                out[key] = MASK
        else:
            out[key] = _walk(item, counts)
    return out


def _is_argv(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
