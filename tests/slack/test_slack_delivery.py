"""When Slack refuses a formatted answer (a refused payload posts nothing at all), the bot posts
it again as plain text with the whole report attached: the user never sees silence."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from slack_bot.answer import Reply, sections
from slack_bot.delivery import ResponseUrl, Thread
from slack_bot.standin import SlackStandIn

CHANNEL = "C0DELIVER1"
REPORT = "## my-inference — health\n" + "\n".join(f"- gang {i}: Healthy" for i in range(400))


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(bot_token="xoxb-t") as standin:
        yield standin


def _too_many_blocks() -> Reply:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"row {i}"}} for i in range(60)
    ]
    return Reply("NOT OK: 1 gang breached", blocks, ok=False, markdown=REPORT)


def _too_long_in_total() -> Reply:
    return Reply("NOT OK: 1 gang breached", sections("x" * 2900 + "\n") * 6, False, markdown=REPORT)


@pytest.mark.parametrize(
    ("reply", "error"),
    [(_too_many_blocks(), "invalid_blocks"), (_too_long_in_total(), "msg_blocks_too_long")],
)
def test_a_refused_thread_answer_is_posted_as_text_with_the_report_attached(
    slack: SlackStandIn, reply: Reply, error: str
) -> None:
    client = WebClient(token="xoxb-t", base_url=slack.base_url)
    ts = slack.user_message(CHANNEL, "U1", "@grove health my-inference")
    Thread(client, CHANNEL, ts).post(reply)
    refused = [c for c in slack.calls if c.error == error]
    assert len(refused) == 1
    (posted,) = slack.calls_to("chat.postMessage")
    assert posted.body["text"].startswith("NOT OK: 1 gang breached")
    assert f"Slack refused the formatted answer: {error}" in posted.body["text"]
    (file,) = slack.files
    assert file.filename == "report.md" and file.content.decode() == REPORT
    assert file.thread_ts == ts


def test_a_refused_working_message_update_falls_back_in_place(slack: SlackStandIn) -> None:
    client = WebClient(token="xoxb-t", base_url=slack.base_url)
    thread = Thread(client, CHANNEL, None)
    thread.working("Working on `/grove diagnose my-inference`…")
    thread.post(_too_many_blocks())
    (message,) = slack.messages.values()
    assert message["text"].startswith("NOT OK") and message.get("edited")
    assert [f.filename for f in slack.files] == ["report.md"]


def test_a_refused_response_url_answer_is_posted_as_text_with_the_report(
    slack: SlackStandIn,
) -> None:
    client = WebClient(token="xoxb-t", base_url=slack.base_url)
    url = slack.response_url(CHANNEL)
    ResponseUrl(client, url, CHANNEL).post(_too_many_blocks())
    ((_, body),) = slack.responses
    assert "Slack refused the formatted answer: invalid_blocks" in body["text"]
    assert "blocks" not in body
    assert [f.filename for f in slack.files] == ["report.md"]


def test_a_files_given_snippet_is_not_attached_twice(slack: SlackStandIn) -> None:
    client = WebClient(token="xoxb-t", base_url=slack.base_url)
    reply = _too_many_blocks()
    reply = Reply(reply.text, reply.blocks, False, [("my-inference-health.md", b"full")], REPORT)
    Thread(client, CHANNEL, None).post(reply)
    assert [f.filename for f in slack.files] == ["my-inference-health.md"]


def test_a_failed_upload_leaves_the_answer_and_says_how_to_get_the_file() -> None:
    with SlackStandIn(bot_token="xoxb-t", channels={"C0JOINED01": "joined"}) as slack:
        client = WebClient(token="xoxb-t", base_url=slack.base_url)
        url = slack.response_url("C0OUTSIDE1")  # slash commands work where the bot is not
        reply = Reply("OK: topology", sections("the answer"), True, [("t.png", b"\x89PNG")], "x")
        ResponseUrl(client, url, "C0OUTSIDE1").post(reply)
        bodies = [body for _, body in slack.responses]
    assert bodies[0]["text"] == "OK: topology"
    assert "replace_original" not in bodies[1]  # a follow-up: the answer above stays
    assert "could not attach t.png" in bodies[1]["text"] and "/invite @grove" in bodies[1]["text"]


def test_a_button_where_the_bot_may_not_post_answers_through_its_response_url() -> None:
    with SlackStandIn(bot_token="xoxb-t", channels={"C0JOINED01": "joined"}) as slack:
        client = WebClient(token="xoxb-t", base_url=slack.base_url)
        url = slack.response_url("C0OUTSIDE1")
        Thread(client, "C0OUTSIDE1", "1700000000.000001", url).post(
            Reply("OK: health", sections("the answer"), True, markdown="x")
        )
        assert [body["text"] for _, body in slack.responses] == ["OK: health"]
        assert [c.error for c in slack.calls if c.method == "chat.postMessage"] == [
            "channel_not_found"
        ]


def test_socket_mode_serves_healthz_for_the_probes() -> None:
    import httpx

    from slack_bot.http import serve_health

    server = serve_health("127.0.0.1", 0)
    try:
        port = server.server_address[1]
        with httpx.Client(trust_env=False) as http:
            assert http.get(f"http://127.0.0.1:{port}/healthz").text == "ok"
            assert http.get(f"http://127.0.0.1:{port}/other").status_code == 404
    finally:
        server.shutdown()
