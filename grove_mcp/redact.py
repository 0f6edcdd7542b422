"""The one redaction step every output passes (DESIGN.md rule 5): no credentials leave grove-mcp.

grove-mcp never reads Secrets, but credentials can still ride along in what it does read:
event messages, container arguments, condition messages. Anything that looks like one is
replaced by ``[REDACTED]`` before a report reaches a user, a model or a file.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel

MASK = "[REDACTED]"
_PATTERNS = [
    re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]{16,}=*"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),  # JWT
    re.compile(r"\bhf_[A-Za-z0-9]{20,}"),  # Hugging Face token
    re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"),  # AWS access key id
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),  # Slack token
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"),  # GitHub token
    # API keys in the OpenAI style: mixed case, so a lowercase name such as the PodCliqueSet
    # sk-hynix-llama-70b-prod is not one
    re.compile(r"\bsk-(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{20,}"),
]
_ASSIGNMENT = re.compile(
    r"(?i)((?:password|passwd|secret|token|api[_-]?key|access[_-]?key)[\"']?\s*[:=]\s*[\"']?)"
    r"([^\s\"',;]{4,})"
)

M = TypeVar("M", bound=BaseModel)


# a password in a URL's userinfo: http://user:secret@prometheus:9090
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/:@]+:)[^\s/@]+@")


def redact_text(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)} {MASK}" if m.lastindex else MASK, text)
    text = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    return _ASSIGNMENT.sub(lambda m: m.group(1) + MASK, text)


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
