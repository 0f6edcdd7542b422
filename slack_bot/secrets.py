"""The bot's tokens: from the environment, or from files (``NAME_FILE``), never from arguments.

Never logged: ``LogRedaction`` scrubs Slack tokens and other credentials from every log record.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from grove_mcp.errors import ConfigError
from grove_mcp.redact import redact_text


def read_secret(name: str, required: bool = True) -> str | None:
    """``$NAME``, else the contents of the file ``$NAME_FILE``."""
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if value:
        return value.strip()
    if path:
        try:
            value = Path(path).read_text().strip()
        except OSError as err:
            raise ConfigError(f"Cannot read {name}_FILE {path}: {err.strerror}.") from None
        if value:
            return value
        if required:
            raise ConfigError(f"{name}_FILE {path} is empty: put the {name} in it.")
        return None
    if required:
        raise ConfigError(
            f"{name} is not set. Export it, or put it in a file and set {name}_FILE "
            "(docs/slack.md lists the variables)."
        )
    return None


@dataclass(frozen=True)
class Tokens:
    bot: str
    signing_secret: str
    app: str | None = None  # Socket Mode's app-level token (xapp-…)

    def __repr__(self) -> str:  # never print a token by accident
        return "Tokens(…)"


def load_tokens(socket_mode: bool = False) -> Tokens:
    bot = read_secret("SLACK_BOT_TOKEN")
    signing = read_secret("SLACK_SIGNING_SECRET", required=not socket_mode)
    app = read_secret("SLACK_APP_TOKEN", required=socket_mode)
    assert bot is not None
    return Tokens(bot, signing or "", app)


class LogRedaction(logging.Filter):
    """Scrubs credentials from log messages (bolt and slack_sdk log request details)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact_text(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True
