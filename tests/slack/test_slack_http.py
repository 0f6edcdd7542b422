"""grove-slack in HTTP mode on the embedded demo: real signed HTTP requests on loopback, and a
local Slack stand-in that records what the bot posts (Web API calls, response_url posts,
uploads). What arrives is the core's report, rendered for Slack, within Slack's limits."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from slack_harness import (
    CHANNEL,
    DM_CHANNEL,
    DM_USER,
    NAME,
    UNMAPPED,
    USER,
    Bot,
    CountingSource,
    ask,
    check_limits,
    config,
    expected,
    serve,
)

from grove_mcp.core import MetricsArgs
from slack_bot.executor import TrackingExecutor


@pytest.fixture
def bot() -> Iterator[Bot]:
    yield from serve(config())


@pytest.mark.parametrize(
    "capability", ["status", "topology", "health", "plan show", "plan diff", "list"]
)
def test_a_slash_command_answers_in_the_channel_with_the_cores_report(
    bot: Bot, capability: str
) -> None:
    name = None if capability == "list" else NAME
    started = time.monotonic()
    response, answers = ask(bot, f"{capability} {name or ''}".strip())
    assert response.status_code == 200 and not response.content.strip()  # a bare, quick ack
    assert len(answers) == 1, answers
    answer = answers[0]
    check_limits(answer)
    assert answer["response_type"] == "in_channel"
    shown = expected(capability, name)
    assert answer["text"] == shown.text
    assert answer["blocks"][: len(shown.blocks)] == shown.blocks
    assert time.monotonic() - started < 30


def test_long_work_shows_working_then_replaces_it_in_place(bot: Bot) -> None:
    _, answers = ask(bot, f"diagnose {NAME}")
    assert len(answers) == 2
    working, final = answers
    assert "Working on `/grove diagnose my-inference`" in working["text"]
    assert final["replace_original"] is True
    check_limits(final)
    assert final["text"] == expected("diagnose", NAME, MetricsArgs()).text


def test_follow_up_buttons_carry_the_same_target_and_run_in_the_thread(bot: Bot) -> None:
    _, answers = ask(bot, f"health {NAME}")
    (health_message,) = bot.slack.messages.values()  # the in_channel answer, as Slack shows it
    actions = [b for b in answers[0]["blocks"] if b["type"] == "actions"]
    assert len(actions) == 1
    buttons = actions[0]["elements"]
    assert [b["value"] for b in buttons] == [
        f"status {NAME} -n vllm-disagg",
        f"topology {NAME} -n vllm-disagg",
        f"diagnose {NAME} -n vllm-disagg",
    ]
    response = bot.sender.click(buttons[0], CHANNEL, USER, message_ts=health_message["ts"])
    bot.executor.wait_idle()
    assert response.status_code == 200
    posts = bot.slack.calls_to("chat.postMessage")
    assert len(posts) == 1 and posts[0].body["thread_ts"] == health_message["ts"]
    assert posts[0].body["text"] == expected("status").text


def test_topology_uploads_the_heatmap_png_to_the_channel(bot: Bot) -> None:
    ask(bot, f"topology {NAME}")
    pngs = [f for f in bot.slack.files if f.filename.endswith(".png")]
    assert [f.filename for f in pngs] == [f"{NAME}-topology.png"]
    assert pngs[0].content.startswith(b"\x89PNG\r\n\x1a\n") and pngs[0].channel == CHANNEL


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "*Usage:*"),
        ("help", "*Usage:*"),
        ("helth my-inference", "Did you mean `/grove health`?"),
        ("plan store my-inference", "never writes"),
        ("health My_Inference", "not a valid PodCliqueSet name"),
    ],
)
def test_help_and_bad_input_go_to_the_sender_only_and_read_nothing(
    bot: Bot, text: str, says: str
) -> None:
    response, answers = ask(bot, text)
    body = response.json()
    assert body["response_type"] == "ephemeral" and says in body["text"]
    assert answers == [] and bot.source.reads == 0


def test_an_unmapped_channel_is_refused_and_reads_nothing(bot: Bot) -> None:
    response, answers = ask(bot, f"health {NAME}", channel=UNMAPPED)
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert f"This channel ({UNMAPPED}) is not mapped" in body["text"]
    assert answers == [] and bot.source.reads == 0


@pytest.mark.parametrize(
    "tamper",
    [
        {"X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Signature": ""},
        {"X-Slack-Request-Timestamp": str(int(time.time()) - 6 * 60)},
    ],
    ids=["forged", "unsigned", "stale"],
)
def test_forged_unsigned_and_stale_requests_get_401_and_no_work(
    bot: Bot, tamper: dict[str, str]
) -> None:
    url = bot.slack.response_url(CHANNEL)
    response = bot.sender.command(f"health {NAME}", CHANNEL, USER, url, **tamper)
    bot.executor.wait_idle()
    assert response.status_code == 401
    assert bot.slack.responses == [] and bot.slack.calls == [] and bot.source.reads == 0


def test_a_mention_is_answered_in_its_thread_working_then_updated(bot: Bot) -> None:
    response = bot.sender.mention(f"why is {NAME} slow?", CHANNEL, USER)
    bot.executor.wait_idle()
    assert response.status_code == 200
    posts = bot.slack.calls_to("chat.postMessage")
    updates = bot.slack.calls_to("chat.update")
    assert len(posts) == 1 and len(updates) == 1
    assert "Working on `/grove diagnose my-inference`" in posts[0].body["text"]
    (mention,) = [m for m in bot.slack.messages.values() if m["user"] == USER]
    assert posts[0].body["thread_ts"] == mention["ts"]
    assert updates[0].body["text"] == expected("diagnose", NAME, MetricsArgs()).text


def test_a_redelivered_event_is_answered_once(bot: Bot) -> None:
    bot.sender.mention(f"is {NAME} healthy?", CHANNEL, USER)
    bot.executor.wait_idle()
    assert bot.sender.redeliver().status_code == 200
    bot.executor.wait_idle()
    assert len(bot.slack.calls_to("chat.postMessage")) == 1


def test_an_ambiguous_mention_offers_choices_that_run_when_clicked(bot: Bot) -> None:
    bot.sender.mention("is qwen healthy, and why is my-inference slow", CHANNEL, USER)
    bot.executor.wait_idle()
    (post,) = bot.slack.calls_to("chat.postMessage")
    blocks = post.body["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    choices = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert {c["value"] for c in choices} == {"health qwen", f"diagnose {NAME}"}
    chosen = next(c for c in choices if c["value"] == f"diagnose {NAME}")
    bot.sender.click(chosen, CHANNEL, USER, message_ts=post.body["thread_ts"])
    bot.executor.wait_idle()
    answers = bot.slack.calls_to("chat.update")  # the working message, replaced by the answer
    assert [a.body["text"] for a in answers] == [expected("diagnose", NAME, MetricsArgs()).text]


def test_a_dm_from_a_mapped_user_is_answered_and_others_are_refused(bot: Bot) -> None:
    bot.sender.direct_message(f"is {NAME} healthy?", DM_CHANNEL, DM_USER)
    bot.executor.wait_idle()
    posts = bot.slack.calls_to("chat.postMessage")
    assert len(posts) == 1 and posts[0].body["text"] == expected("health").text
    bot.sender.direct_message(f"is {NAME} healthy?", DM_CHANNEL, "U0STRANGER")
    bot.executor.wait_idle()
    (refusal,) = bot.slack.calls_to("chat.postEphemeral")
    assert "not mapped" in refusal.body["text"]


def test_the_rate_limit_answers_politely_per_user() -> None:
    for bot in serve(config(per_user=2)):
        for _ in range(2):
            response, answers = ask(bot, f"health {NAME}")
            assert len(answers) == 1
        response, answers = ask(bot, f"health {NAME}")
        assert answers == []
        assert "Try again in" in response.json()["text"]
        assert response.json()["response_type"] == "ephemeral"


def test_acks_never_wait_behind_slow_work_and_a_full_bot_says_so() -> None:
    source = CountingSource(hold=True)
    for bot in serve(config(), source, TrackingExecutor(max_workers=2, max_waiting=2)):
        acks = []
        for _ in range(5):  # 2 running, 2 waiting, then one too many
            started = time.monotonic()
            url = bot.slack.response_url(CHANNEL)
            response = bot.sender.command(f"health {NAME}", CHANNEL, USER, url)
            acks.append((time.monotonic() - started, response))
        with httpx.Client(trust_env=False) as http:
            assert http.get(f"{bot.url}/healthz", timeout=2).text == "ok"
        source.release.set()
        bot.executor.wait_idle()
        assert all(seconds < 2.0 for seconds, _ in acks), [s for s, _ in acks]
        assert [r.status_code for _, r in acks] == [200] * 5
        assert "ask again in a minute" in acks[-1][1].json()["text"]
        assert len(bot.slack.responses) == 4  # the four taken on were answered
