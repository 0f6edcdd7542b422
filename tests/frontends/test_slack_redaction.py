"""The Slack bot leaks no planted credential: every message, response_url post and uploaded
file of every /grove command on the planted bundle is grepped for it."""

from __future__ import annotations

from slack_sdk import WebClient
from test_redaction_everywhere import SECRET, planted_source

from slack_bot.app import build_app
from slack_bot.commands import COMMANDS
from slack_bot.config import BotConfig, Identity, RateLimit
from slack_bot.executor import TrackingExecutor
from slack_bot.http import serve_in_thread
from slack_bot.signed import SlackSender
from slack_bot.standin import SlackStandIn

CHANNEL, USER = "C0SECRETS1", "U0SECRETS1"


def test_no_slack_answer_carries_the_planted_secret() -> None:
    config = BotConfig(
        channels={CHANNEL: Identity(user="grove-slack:test")},
        rate_limit=RateLimit(per_user=100, per_channel=100),
    )
    executor = TrackingExecutor()
    with SlackStandIn(bot_token="xoxb-test") as slack:
        client = WebClient(token="xoxb-test", base_url=slack.base_url)
        app = build_app(
            config,
            planted_source(),
            bot_token="xoxb-test",
            signing_secret="s",
            client=client,
            executor=executor,
        )
        with serve_in_thread(app) as url:
            sender = SlackSender(url, "s", posted=slack.user_message)
            for name in COMMANDS:
                target = "" if name == "list" else " my-inference"
                extra = " --no-metrics" if name == "diagnose" else ""
                sender.command(f"{name}{target}{extra}", CHANNEL, USER, slack.response_url(CHANNEL))
                executor.wait_idle()
            sender.mention("why is my-inference slow?", CHANNEL, USER)
            executor.wait_idle()
            sender.close()
        seen = [repr(call) for call in slack.calls] + [repr(r) for r in slack.responses]
        seen += [f.content.decode("utf-8", "replace") for f in slack.files]
    assert len(slack.responses) >= len(COMMANDS), "every command was answered"
    assert any(f.filename.endswith(".png") for f in slack.files)
    leaks = [text[:200] for text in seen if SECRET in text]
    assert leaks == []
