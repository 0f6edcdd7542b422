"""``diag``: capture a live cluster into a redacted bundle, safe before anything touches the disk.

Collectors read (through ``grove_mcp.sources``), ``redaction`` makes what they read safe,
``build`` puts it together; the files are written by the front end.
"""

from __future__ import annotations

from .base import CaptureRequest, DiagArgs, Found
from .build import Capture, CollectorStatus, capture
from .redaction import ENV_ALLOWLIST, SECRET_NAME_WORDS, env_value_kept, redact_log, redact_object

__all__ = [
    "ENV_ALLOWLIST",
    "SECRET_NAME_WORDS",
    "Capture",
    "CaptureRequest",
    "CollectorStatus",
    "DiagArgs",
    "Found",
    "capture",
    "env_value_kept",
    "redact_log",
    "redact_object",
]
