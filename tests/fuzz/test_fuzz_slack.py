"""Slack command text: ``/grove …`` as ``slack_bot.commands`` parses it, and a sample through
the signed HTTP path (grove-slack on loopback, a local Slack stand-in) on the demo."""

from __future__ import annotations

import logging
import shlex
from collections.abc import Iterator
from typing import Any

import pytest
from fuzz_strategies import NAMES, TEXT, WEIRD_STRINGS
from fuzz_worlds import demo
from fuzzing import check_message, examples, outcome, tally
from hypothesis import example, given, settings
from hypothesis import strategies as st
from slack_sdk import WebClient

from slack_bot.app import build_app
from slack_bot.commands import WORDS, Command, help_text, parse
from slack_bot.config import BotConfig, Identity, RateLimit
from slack_bot.executor import TrackingExecutor
from slack_bot.http import serve_in_thread
from slack_bot.signed import SlackSender
from slack_bot.standin import SlackStandIn

TOKEN, SECRET, CHANNEL, USER = "xoxb-fuzz", "fuzz-signing-secret", "C0FUZZ0001", "U0FUZZ0001"
OPTIONS = st.sampled_from(
    ["-n", "--namespace", "--namespace=", "-A", "--all", "--window", "--no-metrics", "-x", "--"]
)
WORD = st.one_of(st.sampled_from(WORDS), OPTIONS, NAMES, WEIRD_STRINGS, TEXT)
STRUCTURED = st.tuples(
    st.sampled_from(WORDS),
    st.sampled_from(["my-inference", "", "--all"]) | NAMES,
    st.lists(OPTIONS | st.sampled_from(["vllm-disagg", "30s", "2m", "0", "301"]), max_size=3),
).map(lambda t: " ".join([t[0], t[1], *t[2]]))
COMMAND_TEXT = st.one_of(
    STRUCTURED,
    STRUCTURED,
    st.lists(WORD, max_size=6).map(lambda ws: " ".join(ws)),
    st.lists(WORD, max_size=6).map(lambda ws: " ".join(shlex.quote(w) for w in ws)),
    TEXT,
)


@settings(max_examples=examples(10))
@given(text=COMMAND_TEXT)
@example(text='status "unterminated')
@example(text="metrics my-inference --window 1e999")
def test_command_text_is_parsed_or_refused(text: str) -> None:
    parsed = outcome(parse, text)
    tally("slack parse", parsed)
    if isinstance(parsed, Command):
        assert parsed.capability in WORDS
        check_message(parsed.text(), "the command as typed")
    else:
        check_message(help_text(parsed.message, getattr(parsed, "suggestion", None)), "help")


class _Raised(logging.Handler):
    """Every log record that carries an exception: a crash the bot turned into a note."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


@pytest.fixture(scope="module")
def bot() -> Iterator[tuple[SlackStandIn, SlackSender, TrackingExecutor, _Raised]]:
    config = BotConfig(
        channels={CHANNEL: Identity(user="grove-slack:fuzz", groups=("grove-slack-viewers",))},
        rate_limit=RateLimit(per_user=10_000, per_channel=10_000),
    )
    raised = _Raised()
    logging.getLogger().addHandler(raised)
    executor = TrackingExecutor()
    try:
        with SlackStandIn(bot_token=TOKEN) as slack:
            client = WebClient(token=TOKEN, base_url=slack.base_url)
            app = build_app(
                config,
                demo(),
                bot_token=TOKEN,
                signing_secret=SECRET,
                client=client,
                executor=executor,
            )
            with serve_in_thread(app) as url:
                sender = SlackSender(url, SECRET, posted=slack.user_message)
                yield slack, sender, executor, raised
                sender.close()
                executor.wait_idle()
    finally:
        logging.getLogger().removeHandler(raised)


def test_signed_commands_answer_or_explain(bot: Any) -> None:
    slack, sender, executor, raised = bot

    @settings(max_examples=examples(1))
    @given(text=STRUCTURED)
    @example(text="health my-inference -n vllm-disagg")
    def run(text: str) -> None:
        url = slack.response_url(CHANNEL)
        response = sender.command(text, CHANNEL, USER, url)
        executor.wait_idle()
        assert response.status_code == 200, response.text
        answers = [body for where, body in slack.responses if url.endswith(str(where))]
        for body in answers or [{"text": response.text or "(ack)"}]:
            check_message(str(body.get("text", "")) or "(blocks)", "Slack answer")
            assert "went wrong inside grove-slack" not in str(body), body
            assert "could not answer" not in str(body), body
        assert not raised.records, raised.records[0].getMessage()
        tally("slack signed", "answered" if answers else "acknowledged")

    run()
