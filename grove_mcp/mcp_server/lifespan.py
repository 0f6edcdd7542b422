"""The server's lifespan: the source is opened once, shared by every call, closed at exit.

A source that cannot be opened (no kubeconfig, unreadable bundle) does not stop the server:
every call then answers with that error, which says what to fix, so an IDE shows it to the
user instead of a server that silently failed to start.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio.to_thread

from ..errors import GroveError
from ..sources.base import Source
from .config import ServerConfig

log = logging.getLogger("grove_mcp.mcp_server")


@dataclass(frozen=True)
class GroveState:
    """What every tool, prompt and resource call reads: the source and the configuration."""

    config: ServerConfig
    source: Source | None
    error: GroveError | None = None

    def require_source(self) -> Source:
        if self.source is None:
            raise self.error or GroveError("No source configured.")
        return self.source


def make_lifespan(
    config: ServerConfig, open_source: Callable[[], Source]
) -> Callable[[Any], AbstractAsyncContextManager[GroveState]]:
    @asynccontextmanager
    async def lifespan(_server: Any) -> AsyncIterator[GroveState]:
        source: Source | None = None
        error: GroveError | None = None
        try:
            source = await anyio.to_thread.run_sync(open_source)
            log.info("grove-mcp reads %s", source.description)
        except GroveError as err:
            error = err
            log.warning("grove-mcp cannot open its source: %s", err)
        try:
            yield GroveState(config, source, error)
        finally:
            close = getattr(source, "close", None)
            if callable(close):
                close()

    return lifespan
