"""The bolt App of grove-slack, built from its config, a source and Slack's Web API client."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from grove_mcp.sources.base import Source

from .access import Access
from .config import BotConfig
from .executor import TrackingExecutor
from .listeners import register
from .ratelimit import RateLimiter


def build_app(
    config: BotConfig,
    source: Source,
    *,
    bot_token: str,
    signing_secret: str,
    client: WebClient | None = None,
    executor: TrackingExecutor | None = None,
) -> App:
    """The app: every request's signature is checked (bolt refuses forged, unsigned and stale
    ones with 401 before any listener runs); ``client`` may point at a local stand-in (it
    must carry ``bot_token``)."""
    if client is not None and client.token != bot_token:
        raise ValueError("the Web API client must carry the bot token")
    pool = executor if isinstance(executor, TrackingExecutor) else TrackingExecutor()
    app = App(
        signing_secret=signing_secret,
        client=client or WebClient(token=bot_token),  # bolt takes the token from the client
        token_verification_enabled=False,  # no auth.test at start-up: it runs on first use
        request_verification_enabled=True,
        # the acks run inline, at once: they never wait behind slow work in the pool (the
        # lazy listeners), and they are done before their lazy listener starts
        process_before_response=True,
        # an HTTP answer to every request (401 forged, 404 unhandled), nothing more
        raise_error_for_unhandled_request=False,
        listener_executor=pool,
    )
    register(app, Access(config, source), RateLimiter(config.rate_limit), pool)
    return app
