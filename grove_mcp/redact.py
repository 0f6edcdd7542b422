"""The one redaction step every output passes (DESIGN.md rule 5): no credentials leave grove-mcp.

grove-mcp never reads Secrets, but credentials can still ride along in what it does read:
event messages, container arguments, condition messages, annotations, logs. Anything that looks
like one is replaced by ``[REDACTED]`` before a report reaches a user, a model or a file.

Every pattern has a *kind* (``bearer``, ``jwt`` …, see ``KINDS``); ``redact_text_counted`` counts
what it masked per kind in a ``Redactions``, for a diagnostic bundle's manifest.
``grove_mcp.capture.redaction`` applies these patterns to raw Kubernetes objects and logs; it adds
no patterns of its own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

MASK = "[REDACTED]"
_NOT_MASKED = r"(?!\[REDACTED\])"  # a value already masked is not masked (nor counted) again

# names of flags and keys whose value is a credential: --hf-token, --api-key, --password, --token …
SECRET_NAME = (
    r"(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|credentials?)"
)
# a flag that names a credential, alone in an argv item (its value is the NEXT item)
SECRET_FLAG = re.compile(rf"(?i)^--?(?:[a-z0-9]+[-_])*{SECRET_NAME}$")


class Redactions(Counter[str]):
    """How many values were masked, by kind (``bearer``, ``env_value`` …)."""

    def as_dict(self) -> dict[str, int]:
        """The counts sorted by kind, kinds with none left out: a manifest's ``redactions``."""
        return {kind: n for kind, n in sorted(self.items()) if n > 0}


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str]], str]


def _whole(_: re.Match[str]) -> str:
    return MASK


def _keep_prefix(m: re.Match[str]) -> str:
    return m.group(1) + MASK


# Applied in this order: a more specific kind wins over the generic ``name=value`` pairs after it.
_RULES: tuple[_Rule, ...] = (
    _Rule(  # a PEM private key; an unterminated one (a truncated log) up to the end of the text
        "private_key",
        re.compile(
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)"
        ),
        _whole,
    ),
    _Rule(  # Authorization: Basic dXNlcjpwYXNz (base64 of user:password); also "Token …"
        "basic_auth",
        re.compile(
            rf"(?i)(\bauthorization[\"']?\s*[:=]\s*[\"']?(?:basic|token)\s+){_NOT_MASKED}[^\s\"',;]+"
        ),
        _keep_prefix,
    ),
    _Rule(
        "bearer",
        re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]{16,}=*"),
        lambda m: f"{m.group(1)} {MASK}",
    ),
    _Rule(
        "jwt",
        re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
        _whole,
    ),
    _Rule("hf_token", re.compile(r"\bhf_[A-Za-z0-9]{20,}"), _whole),
    _Rule("aws_key", re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), _whole),
    _Rule("slack_token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), _whole),
    _Rule("github_token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"), _whole),
    # API keys in the OpenAI style: mixed case, so a lowercase name such as the PodCliqueSet
    # sk-hynix-llama-70b-prod is not one
    _Rule("api_key", re.compile(r"\bsk-(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{20,}"), _whole),
    _Rule(  # a kubeconfig's client key, pasted into a ConfigMap or a log
        "kubeconfig_key",
        re.compile(rf"(?i)(client-key-data[\"']?\s*:\s*[\"']?){_NOT_MASKED}[A-Za-z0-9+/=]{{8,}}"),
        _keep_prefix,
    ),
    _Rule(  # --hf-token X, --api-key=X, --password X, -token X (in one string: a shell command)
        "secret_arg",
        re.compile(
            rf"(?i)((?<![\w-])--?(?:[a-z0-9]+[-_])*{SECRET_NAME}(?:=|\s+)){_NOT_MASKED}"
            r"(?!-)[^\s\"',;]+"
        ),
        _keep_prefix,
    ),
    _Rule(  # a password in a URL's userinfo: http://user:secret@prometheus:9090
        "url_password",
        re.compile(rf"(?i)\b([a-z][a-z0-9+.-]*://[^\s/:@]+:){_NOT_MASKED}[^\s/@]+@"),
        lambda m: f"{m.group(1)}{MASK}@",
    ),
    _Rule(  # password=…, token: …, api_key=…, HF_TOKEN=…
        "password_pair",
        re.compile(
            r"(?i)((?:password|passwd|secret|token|api[_-]?key|access[_-]?key)[\"']?\s*[:=]\s*[\"']?)"
            rf"{_NOT_MASKED}([^\s\"',;]{{4,}})"
        ),
        _keep_prefix,
    ),
)

_PRIVATE_KEY = _RULES[0]
KINDS: tuple[str, ...] = tuple(rule.kind for rule in _RULES)
"""The kinds of credential the patterns find, in the order they are applied."""

M = TypeVar("M", bound=BaseModel)


def redact_text_counted(text: str, counts: Redactions | None) -> str:
    """``text`` with every credential masked; each one masked is counted in ``counts`` by kind."""
    for rule in _RULES:
        text, n = rule.pattern.subn(rule.replace, text)
        if n and counts is not None:
            counts[rule.kind] += n
    return text


def redact_text(text: str) -> str:
    return redact_text_counted(text, None)


def redact_private_keys(text: str, counts: Redactions | None) -> str:
    """Only the PEM private key blocks masked, over the whole text: for callers that then go line
    by line (a log), where a block spans lines."""
    text, n = _PRIVATE_KEY.pattern.subn(_PRIVATE_KEY.replace, text)
    if n and counts is not None:
        counts[_PRIVATE_KEY.kind] += n
    return text


def redact_argv(args: Sequence[str], counts: Redactions | None) -> list[str]:
    """A container's ``command`` / ``args`` with credentials masked, including a value that
    follows its flag as the next item (``["--hf-token", "hf_…"]``: counted as ``secret_arg``)."""
    out: list[str] = []
    value_next = False
    for arg in args:
        if not isinstance(arg, str):
            out.append(arg)
            value_next = False
            continue
        if value_next and not arg.startswith("-") and arg != MASK:
            out.append(MASK)
            if counts is not None:
                counts["secret_arg"] += 1
        else:
            out.append(redact_text_counted(arg, counts))
        value_next = bool(SECRET_FLAG.match(arg))
    return out


def redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    return value


NOTE = f"Values that look like credentials are shown as {MASK}."


def redact(report: M) -> M:
    """The same report with every string field redacted (and a note saying so, when the report
    has notes)."""
    data = report.model_dump(mode="python")
    cleaned = redact_value(data)
    if cleaned == data:
        return report
    if isinstance(cleaned.get("notes"), list) and NOTE not in cleaned["notes"]:
        cleaned["notes"].append(NOTE)
    return type(report).model_validate(cleaned)
