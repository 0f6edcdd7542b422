"""Who a request acts as: the channel's (or user's) Kubernetes identity, by impersonation.

On a live cluster every answer reads the cluster as that identity, so the API server's RBAC
decides what a channel may see. A capture (the demo, a bundle) holds no RBAC: the mapping still
decides who is answered at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from grove_mcp.sources.base import Source

from .config import BotConfig, Identity


class Refused(Exception):
    """The request is not answered; the message says why and what to do."""


def refusal(channel: str | None, user: str | None) -> str:
    return (
        f":no_entry: This channel ({channel or '?'}) is not mapped to a Kubernetes identity, so "
        "grove-slack answers nothing here. An admin grants it by adding the channel to the "
        f"bot's config, e.g. `channels: {{{channel or 'C0123ABCD'}: {{user: "
        '"grove-slack:<team>", groups: [<group>]}}`, and giving that group read access in '
        'the cluster (see docs/slack.md, "Grant a channel access").'
    )


class Access:
    """Maps a request to the source it may read."""

    def __init__(self, config: BotConfig, source: Source) -> None:
        self.config = config
        self.source = source

    def identity(self, channel: str | None, user: str | None) -> Identity:
        found = self.config.identity_for(channel, user)
        if found is None:
            raise Refused(refusal(channel, user))
        return found

    @contextmanager
    def source_for(self, identity: Identity) -> Iterator[Source]:
        """The source read as ``identity`` (impersonated on a live cluster), closed after."""
        acting_as = getattr(self.source, "acting_as", None)
        if acting_as is None:  # a capture: nothing to impersonate
            yield self.source
            return
        scoped = acting_as(identity.user, identity.groups)
        try:
            yield scoped
        finally:
            scoped.close()

    def namespace(self, given: str | None) -> str:
        return given or self.config.default_namespace or self.source.default_namespace
