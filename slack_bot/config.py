"""The bot's configuration: who each channel (or user) acts as in Kubernetes, and its alerts.

The access file (``--config`` / ``GROVE_SLACK_CONFIG``, else the ``slack:`` section of the
shared config file ``~/.config/kubectl-grove/config.yaml``) is YAML::

    default_namespace: vllm-disagg        # when a command names none
    channels:                             # channel ID → the identity it acts as
      C0123ABCD: {user: "grove-slack:oncall", groups: [grove-slack-viewers]}
    users:                                # optional: who a user is in direct messages
                                          # (in a channel, the channel's identity always)
      U0456EFGH: {user: "grove-slack:alice", groups: [grove-slack-ml-team]}
    alerts:                               # optional: post on its own
      channel: C0123ABCD
      namespaces: [vllm-disagg]
      countdown_below: 30m                # a termination countdown under this posts once
    rate_limit: {per_user: 10, per_channel: 30, per_seconds: 60}

The bot acts through impersonation (``Impersonate-User`` / ``Impersonate-Group``), so the API
server's RBAC decides what a channel may see. Secrets never live here: the tokens come from the
environment or files (``secrets.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from grove_mcp.config import Settings, read_located, validated
from grove_mcp.errors import InvalidInput
from grove_mcp.names import validate_namespace

_DURATION = re.compile(r"^(\d+)([smh])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600}
_SLACK_ID = re.compile(r"^[A-Z][A-Z0-9]{2,20}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Identity(_Strict):
    """The Kubernetes identity a channel or user acts as (impersonated by the bot)."""

    user: str = Field(min_length=1, description="Impersonate-User, e.g. grove-slack:oncall.")
    groups: tuple[str, ...] = Field(default=(), description="Impersonate-Group values.")

    @field_validator("user", "groups")
    @classmethod
    def _no_system(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        for name in (value,) if isinstance(value, str) else value:
            if name.startswith("system:"):
                raise ValueError(f"'{name}': the bot never impersonates system: identities")
        return value


class Alerts(_Strict):
    channel: str = Field(description="Channel ID the alerts go to.")
    namespaces: tuple[str, ...] = Field(min_length=1)
    countdown_below: str = Field(default="30m", description="e.g. 30m, 2h, 900s.")

    @field_validator("countdown_below")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not _DURATION.match(value):
            raise ValueError(f"'{value}' is not a duration such as 30m, 2h or 900s")
        return value

    @property
    def countdown_seconds(self) -> float:
        match = _DURATION.match(self.countdown_below)
        assert match is not None
        return int(match.group(1)) * _SECONDS[match.group(2)]


class RateLimit(_Strict):
    per_user: int = Field(default=10, ge=1, description="Commands per user per window.")
    per_channel: int = Field(default=30, ge=1, description="Commands per channel per window.")
    per_seconds: int = Field(default=60, ge=1, description="The window, in seconds.")


class BotConfig(_Strict):
    default_namespace: str | None = None  # None: the source's (kubeconfig context, bundle)
    channels: dict[str, Identity] = Field(default_factory=dict)
    users: dict[str, Identity] = Field(default_factory=dict)
    alerts: Alerts | None = None
    rate_limit: RateLimit = Field(default_factory=RateLimit)

    @field_validator("channels", "users")
    @classmethod
    def _ids(cls, value: dict[str, Identity]) -> dict[str, Identity]:
        for key in value:
            if not _SLACK_ID.match(key):
                raise ValueError(f"'{key}' is not a Slack ID (e.g. C0123ABCD, U0456EFGH)")
        return value

    @field_validator("default_namespace")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return validate_namespace(value)
        except InvalidInput as err:
            raise ValueError(str(err)) from None

    def identity_for(self, channel: str | None, user: str | None) -> Identity | None:
        """Who a request acts as; None: refused. In a channel, always the channel's identity
        (its answers are seen by the whole channel, so a user's wider access never shows
        there); in a direct message (a ``D…`` channel), the user's own."""
        if (channel or "").startswith("D"):
            return self.users.get(user or "")
        return self.channels.get(channel or "")

    @model_validator(mode="after")
    def _alerts_channel_mapped(self) -> BotConfig:
        if self.alerts is not None and self.alerts.channel not in self.channels:
            raise ValueError(
                f"alerts.channel {self.alerts.channel} is not under channels: map it to the "
                "identity the alerts read the cluster as"
            )
        return self


def load_config(path: str | Path) -> BotConfig:
    """Read and check the access file; errors name the file, the line and the key."""
    return validated(BotConfig, read_located(Path(path)))


def config_from_settings(settings: Settings) -> BotConfig | None:
    """The ``slack:`` section of the shared config file (None when it has none); its
    ``default_namespace`` falls back to the file's ``defaults.namespace``."""
    if settings.config.slack is None:
        return None
    config = validated(BotConfig, settings.located.section("slack"), prefix=("slack",))
    if config.default_namespace is None and settings.config.defaults.namespace:
        config = config.model_copy(update={"default_namespace": settings.config.defaults.namespace})
    return config
