"""What ``kubectl grove diag`` puts into a bundle, made safe before anything touches the disk.

Pure: no I/O. The reads live in ``grove_mcp.sources``; the files are written by the front end.
"""

from __future__ import annotations

from .redaction import ENV_ALLOWLIST, SECRET_NAME_WORDS, env_value_kept, redact_log, redact_object

__all__ = ["ENV_ALLOWLIST", "SECRET_NAME_WORDS", "env_value_kept", "redact_log", "redact_object"]
