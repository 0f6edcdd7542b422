"""Where an answer goes: back through a slash command's ``response_url``, or into a thread.

Both first post a "working…" message for long work and then replace it in place with the
answer; files (the full report when it did not fit, the topology heatmap) follow. When Slack
refuses the formatted answer (``invalid_blocks``, ``msg_blocks_too_long``: a refused payload
posts nothing at all), the answer is posted again as plain text with the full report attached,
so the user never sees silence. This is the bot's only I/O with Slack's Web API.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from .answer import Reply

log = logging.getLogger(__name__)
REFUSED = ("invalid_blocks", "msg_blocks_too_long")


def _plain(reply: Reply, error: str) -> str:
    return (
        f"{reply.text}\n_(Slack refused the formatted answer: {error}. The full report is in "
        "the attached file.)_"
    )


def _with_report_file(reply: Reply) -> list[tuple[str, bytes]]:
    files = list(reply.files)
    if not any(name.endswith(".md") for name, _ in files):
        files.insert(0, ("report.md", reply.markdown.encode()))
    return files


class Thread:
    """Answers in a channel's thread (mentions, DMs, buttons) through the Web API."""

    def __init__(self, client: WebClient, channel: str, thread_ts: str | None) -> None:
        self.client = client
        self.channel = channel
        self.thread_ts = thread_ts
        self._working_ts: str | None = None

    def working(self, text: str) -> None:
        sent = self.client.chat_postMessage(
            channel=self.channel, thread_ts=self.thread_ts, text=f":hourglass_flowing_sand: {text}"
        )
        self._working_ts = str(sent["ts"])

    def post(self, reply: Reply) -> None:
        try:
            self._send(reply.text, reply.blocks)
            files = reply.files
        except SlackApiError as err:
            error = str(err.response.get("error", ""))
            if error not in REFUSED:
                raise
            log.warning("Slack refused an answer (%s); posting it as plain text", error)
            self._send(_plain(reply, error), None)
            files = _with_report_file(reply)
        self._upload(files)

    def _send(self, text: str, blocks: list[dict[str, Any]] | None) -> None:
        if self._working_ts is not None:
            self.client.chat_update(
                channel=self.channel, ts=self._working_ts, text=text, blocks=blocks or []
            )
        else:
            self.client.chat_postMessage(
                channel=self.channel, thread_ts=self.thread_ts, text=text, blocks=blocks
            )

    def _upload(self, files: list[tuple[str, bytes]]) -> None:
        if files:
            self.client.files_upload_v2(
                channel=self.channel,
                thread_ts=self.thread_ts,
                file_uploads=[
                    {"file": data, "filename": name, "title": name} for name, data in files
                ],
            )


class ResponseUrl:
    """Answers a slash command through its ``response_url`` (visible to the channel)."""

    def __init__(self, client: WebClient, response_url: str, channel: str) -> None:
        self.client = client
        self.channel = channel
        self.webhook = WebhookClient(response_url, timeout=15)
        self._replace = False

    def working(self, text: str) -> None:
        self._send({"text": f":hourglass_flowing_sand: {text}"})
        self._replace = True

    def post(self, reply: Reply) -> None:
        error = self._send(reply.payload())
        files = reply.files
        if error is not None:
            log.warning("Slack refused an answer (%s); posting it as plain text", error)
            self._send({"text": _plain(reply, error)})
            files = _with_report_file(reply)
        if files:
            self.client.files_upload_v2(
                channel=self.channel,
                file_uploads=[
                    {"file": data, "filename": name, "title": name} for name, data in files
                ],
            )

    def _send(self, body: dict[str, Any]) -> str | None:
        """Post ``body``; the error Slack answered, when it refused it."""
        message = {"response_type": "in_channel", **body}
        if self._replace:
            message["replace_original"] = True
        response = self.webhook.send_dict(message)
        text = response.body or ""
        for refused in REFUSED:
            if refused in text:
                return refused
        if response.status_code == 200 and '"ok": false' not in text and '"ok":false' not in text:
            return None
        raise RuntimeError(f"Slack's response_url answered {response.status_code}: {text[:200]}")
