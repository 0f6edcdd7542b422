"""The Slack stand-in, driven by the real slack_sdk clients over loopback HTTP."""

from __future__ import annotations

import io
import threading
import urllib.error
import urllib.request

import pytest
from PIL import Image
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from slack_bot.standin import MAX_BODY_BYTES, RESPONSE_URL_POSTS, SlackStandIn

TOKEN = "xoxb-test"


def _section(text: str) -> dict[str, object]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (10, 200, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def slack() -> SlackStandIn:
    with SlackStandIn(bot_token=TOKEN, channels={"C1": "grove-oncall"}) as standin:
        yield standin


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token=TOKEN, base_url=slack.base_url)


def test_base_url_is_loopback_and_ends_with_api(slack: SlackStandIn) -> None:
    assert slack.base_url.startswith("http://127.0.0.1:")
    assert slack.base_url.endswith("/api/")


def test_auth_test_and_channel_name(client: WebClient, slack: SlackStandIn) -> None:
    assert client.auth_test()["user_id"] == "U0GROVE"
    assert client.conversations_info(channel="C1")["channel"]["name"] == "grove-oncall"
    with pytest.raises(SlackApiError) as err:
        client.conversations_info(channel="C404")
    assert err.value.response["error"] == "channel_not_found"
    assert [(c.method, c.error) for c in slack.calls] == [
        ("auth.test", None),
        ("conversations.info", None),
        ("conversations.info", "channel_not_found"),
    ]


def test_post_update_in_place_and_thread_reply(client: WebClient, slack: SlackStandIn) -> None:
    posted = client.chat_postMessage(channel="C1", text="working…", blocks=[_section("*wait*")])
    ts = posted["ts"]
    assert posted["channel"] == "C1"
    client.chat_update(channel="C1", ts=ts, text="done", blocks=[_section("*done*")])
    reply = client.chat_postMessage(channel="C1", text="details", thread_ts=ts)

    messages = slack.messages
    assert set(messages) == {("C1", ts), ("C1", reply["ts"])}
    assert messages[("C1", ts)]["text"] == "done"
    assert messages[("C1", ts)]["blocks"] == [_section("*done*")]
    assert messages[("C1", reply["ts"])]["thread_ts"] == ts
    assert reply["ts"] > ts  # ts order is post order


def test_update_of_unknown_message_is_refused(client: WebClient, slack: SlackStandIn) -> None:
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C1", ts="1.000001", text="x")
    assert err.value.response["error"] == "message_not_found"
    assert slack.calls[-1].error == "message_not_found"


def test_ephemeral(client: WebClient, slack: SlackStandIn) -> None:
    answer = client.chat_postEphemeral(channel="C1", user="U42", text="only you")
    assert answer["message_ts"]
    assert slack.messages == {}
    assert [(m["user"], m["text"]) for m in slack.ephemeral] == [("U42", "only you")]


def test_files_upload_v2_png_and_snippet(client: WebClient, slack: SlackStandIn) -> None:
    root = client.chat_postMessage(channel="C1", text="topology")["ts"]
    png = _png()
    answer = client.files_upload_v2(
        channel="C1", thread_ts=root, content=png, filename="topology.png", title="Topology"
    )
    assert answer["file"]["name"] == "topology.png"
    text = "pod  node\nrouter-0  node-a1\n" * 50
    client.files_upload_v2(channel="C1", content=text, filename="status.txt")

    png_file, text_file = slack.files
    assert (png_file.filename, png_file.title, png_file.channel, png_file.thread_ts) == (
        "topology.png",
        "Topology",
        "C1",
        root,
    )
    assert png_file.content == png
    assert Image.open(io.BytesIO(png_file.content)).size == (4, 3)
    assert text_file.content == text.encode()
    assert text_file.thread_ts is None
    methods = [c.method for c in slack.calls]
    assert methods[1:4] == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


def test_upload_url_points_at_the_standin(client: WebClient, slack: SlackStandIn) -> None:
    answer = client.files_getUploadURLExternal(filename="a.txt", length=3)
    assert answer["upload_url"] == f"{slack.url}/upload/{answer['file_id']}"


def test_multipart_upload_is_accepted(client: WebClient, slack: SlackStandIn) -> None:
    answer = client.files_getUploadURLExternal(filename="a.bin", length=4)
    boundary = "XyZ"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + b"\x00\x01\xfe\xff"
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        answer["upload_url"],
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    client.files_completeUploadExternal(files=[{"id": answer["file_id"]}], channel_id="C1")
    assert slack.files[0].content == b"\x00\x01\xfe\xff"


def test_response_url_takes_five_posts_then_used_url(slack: SlackStandIn) -> None:
    url = slack.response_url()
    webhook = WebhookClient(url)
    for i in range(RESPONSE_URL_POSTS):
        answer = webhook.send(text=f"answer {i}", response_type="in_channel")
        assert (answer.status_code, answer.body) == (200, "ok")
    sixth = webhook.send(text="one too many")
    assert (sixth.status_code, sixth.body) == (404, "used_url")
    url_id = url.rsplit("/", 1)[1]
    assert [(u, b["text"]) for u, b in slack.responses] == [
        (url_id, f"answer {i}") for i in range(RESPONSE_URL_POSTS)
    ]
    assert slack.responses[0][1]["response_type"] == "in_channel"
    assert slack.calls[-1].error == "used_url"
    # another URL is fresh
    assert WebhookClient(slack.response_url()).send(text="again").status_code == 200


def test_response_url_refuses_invalid_blocks_and_posts_nothing(slack: SlackStandIn) -> None:
    webhook = WebhookClient(slack.response_url())
    answer = webhook.send(text="x", blocks=[_section(str(i)) for i in range(51)])
    assert (answer.status_code, answer.body) == (400, "invalid_blocks")
    assert slack.responses == []
    assert slack.calls[-1].error == "invalid_blocks"


def test_51_blocks_are_invalid_blocks(client: WebClient, slack: SlackStandIn) -> None:
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(
            channel="C1", text="x", blocks=[_section(str(i)) for i in range(51)]
        )
    assert err.value.response["error"] == "invalid_blocks"
    assert any("51 blocks" in e for e in err.value.response["errors"])
    assert slack.messages == {}
    assert slack.calls[-1].error == "invalid_blocks"


def test_huge_message_is_msg_blocks_too_long(client: WebClient, slack: SlackStandIn) -> None:
    blocks = [_section("x" * 2900) for _ in range(6)]  # each block fine, the message not
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x", blocks=blocks)
    assert err.value.response.status_code == 200
    assert err.value.response["error"] == "msg_blocks_too_long"
    assert slack.messages == {}
    ts = client.chat_postMessage(channel="C1", text="short")["ts"]
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C1", ts=ts, text="long", blocks=blocks)
    assert err.value.response["error"] == "msg_blocks_too_long"
    assert slack.messages[("C1", ts)]["text"] == "short"
    assert slack.messages[("C1", ts)]["blocks"] is None


@pytest.mark.parametrize("token", ["xoxb-wrong", None])
def test_bad_token_is_invalid_auth(slack: SlackStandIn, token: str | None) -> None:
    client = WebClient(token=token, base_url=slack.base_url)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x")
    assert err.value.response["error"] == ("invalid_auth" if token else "not_authed")
    assert slack.messages == {}
    assert slack.calls[-1].error == err.value.response["error"]


def test_unknown_method(client: WebClient, slack: SlackStandIn) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("chat.scheduleMessage", json={"channel": "C1", "text": "x"})
    assert err.value.response["error"] == "unknown_method"


def test_oversized_body_is_refused(slack: SlackStandIn) -> None:
    request = urllib.request.Request(
        f"{slack.url}/upload/F1", data=b"\0" * (MAX_BODY_BYTES + 1), method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=10)
    assert err.value.code == 413
    assert slack.calls == []


def test_wait_for_wakes_on_a_call_and_times_out_naming_calls(
    client: WebClient, slack: SlackStandIn
) -> None:
    poster = threading.Thread(target=lambda: client.chat_postMessage(channel="C1", text="hi"))
    poster.start()
    slack.wait_for(lambda s: len(s.messages) == 1, timeout=10)
    poster.join()
    with pytest.raises(TimeoutError, match=r"chat\.postMessage"):
        slack.wait_for(lambda s: len(s.messages) == 2, timeout=0.2)


def test_server_stops_on_exit() -> None:
    with SlackStandIn(bot_token=TOKEN) as slack:
        url = slack.base_url
    request = urllib.request.Request(f"{url}auth.test", data=b"", method="POST")
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(request, timeout=2)
