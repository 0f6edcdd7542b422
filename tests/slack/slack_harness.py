"""The bot for the HTTP tests: the real app in HTTP mode on loopback, the local Slack stand-in
recording what it posts, and the embedded demo as its source (counted, and held on request).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from grove_mcp.core import run
from grove_mcp.render import OutputFormat, render
from grove_mcp.render.blockkit import MAX_BLOCKS, problems, too_long
from grove_mcp.sources import DEMO_LABEL, demo_bundle_path, demo_source
from grove_mcp.sources.base import ListQuery, ListResult
from grove_mcp.sources.bundle import Bundle, BundleSource
from slack_bot.app import build_app
from slack_bot.config import BotConfig, Identity, RateLimit
from slack_bot.executor import TrackingExecutor
from slack_bot.http import serve_in_thread
from slack_bot.signed import SlackSender
from slack_bot.standin import SlackStandIn

TOKEN, SECRET = "xoxb-test-grove-slack", "test-signing-secret"
CHANNEL, USER, DM_USER = "C0GROVE001", "U0GROVE001", "U0DMUSER01"
DM_CHANNEL, UNMAPPED = "D0GROVE001", "C0UNMAPPED"
NAME, NAMESPACE = "my-inference", "vllm-disagg"


class CountingSource(BundleSource):
    """The embedded demo (the bot treats it as the demo: AIConfigurator's recorded answers),
    counting every read (a refused request must read nothing); ``hold`` makes reads wait
    until ``release`` is set (a slow cluster, a long metrics window)."""

    def __init__(self, hold: bool = False) -> None:
        super().__init__(Bundle.load(demo_bundle_path()), label=DEMO_LABEL)
        self.reads = 0
        self.release = threading.Event()
        if not hold:
            self.release.set()

    def list_many(self, queries: Sequence[ListQuery]) -> list[ListResult]:
        assert self.release.wait(30), "the test never released the reads"
        self.reads += 1
        return super().list_many(queries)


@dataclass
class Bot:
    slack: SlackStandIn
    sender: SlackSender
    executor: TrackingExecutor
    source: CountingSource
    url: str  # the bot's own address


def config(per_user: int = 100) -> BotConfig:
    return BotConfig(
        channels={CHANNEL: Identity(user="grove-slack:test", groups=("grove-slack-viewers",))},
        users={DM_USER: Identity(user="grove-slack:dm", groups=("grove-slack-viewers",))},
        rate_limit=RateLimit(per_user=per_user, per_channel=100),
    )


def serve(
    cfg: BotConfig, source: CountingSource | None = None, executor: TrackingExecutor | None = None
) -> Iterator[Bot]:
    """The bot, running until the generator is closed (held reads are released first)."""
    source = source or CountingSource()
    executor = executor or TrackingExecutor()
    with SlackStandIn(bot_token=TOKEN) as slack:
        client = WebClient(token=TOKEN, base_url=slack.base_url)
        app = build_app(
            cfg, source, bot_token=TOKEN, signing_secret=SECRET, client=client, executor=executor
        )
        with serve_in_thread(app) as url:
            sender = SlackSender(url, SECRET, posted=slack.user_message)
            try:
                yield Bot(slack, sender, executor, source, url)
            finally:
                source.release.set()
                executor.wait_idle()
                sender.close()


def ask(bot: Bot, text: str, channel: str = CHANNEL) -> tuple[Any, list[dict[str, Any]]]:
    """``/grove text``: the ack, and what was posted through its response_url."""
    url = bot.slack.response_url(channel)
    response = bot.sender.command(text, channel, USER, url)
    bot.executor.wait_idle()
    return response, [body for where, body in bot.slack.responses if url.endswith(str(where))]


def expected(capability: str, name: str | None = NAME, args: Any = None) -> Any:
    """The core's own answer on the demo, rendered for Slack."""
    return render(run(capability, demo_source(), None, name, args), OutputFormat.slack)


def blocks_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = message.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def check_limits(message: dict[str, Any]) -> None:
    blocks = blocks_of(message)
    assert problems(blocks) == [] and not too_long(blocks) and len(blocks) <= MAX_BLOCKS
    assert message.get("text"), "a message always has its fallback text"
