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
NOT_THERE = ("not_in_channel", "channel_not_found", "is_archived")


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


def upload(
    client: WebClient, channel: str, thread_ts: str | None, files: list[tuple[str, bytes]]
) -> str | None:
    """Upload ``files``; the error Slack answered when it could not (the answer stands)."""
    if not files:
        return None
    try:
        client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            file_uploads=[{"file": data, "filename": name, "title": name} for name, data in files],
        )
    except SlackApiError as err:
        error = str(err.response.get("error", "")) or "unknown error"
        log.warning("Slack refused a file upload: %s", error)
        return error
    return None


def upload_failed(error: str, files: list[tuple[str, bytes]]) -> str:
    names = ", ".join(name for name, _ in files)
    return (
        f":warning: I could not attach {names} here (Slack said {error}). Invite me to the "
        "channel (`/invite @grove`) and ask again to get the files."
    )


class Thread:
    """Answers in a channel's thread (mentions, DMs, buttons) through the Web API; where the
    bot may not post (it is not in the channel), through ``fallback`` (a button's
    response_url) when there is one."""

    def __init__(
        self, client: WebClient, channel: str, thread_ts: str | None, fallback: str | None = None
    ) -> None:
        self.client = client
        self.channel = channel
        self.thread_ts = thread_ts
        self.fallback = ResponseUrl(client, fallback, channel) if fallback else None
        self._working_ts: str | None = None

    def working(self, text: str) -> None:
        try:
            sent = self.client.chat_postMessage(
                channel=self.channel,
                thread_ts=self.thread_ts,
                text=f":hourglass_flowing_sand: {text}",
            )
        except SlackApiError as err:
            if self.fallback is None or err.response.get("error") not in NOT_THERE:
                raise
            self.fallback.working(text)
            return
        self._working_ts = str(sent["ts"])

    def post(self, reply: Reply) -> None:
        try:
            self._post(reply)
        except SlackApiError as err:
            if self.fallback is None or err.response.get("error") not in NOT_THERE:
                raise
            self.fallback.post(reply)

    def _post(self, reply: Reply) -> None:
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
        failed = upload(self.client, self.channel, self.thread_ts, files)
        if failed is not None:
            self.client.chat_postMessage(
                channel=self.channel, thread_ts=self.thread_ts, text=upload_failed(failed, files)
            )

    def _send(self, text: str, blocks: list[dict[str, Any]] | None) -> None:
        if self._working_ts is not None:
            self.client.chat_update(
                channel=self.channel, ts=self._working_ts, text=text, blocks=blocks or []
            )
        else:
            self.client.chat_postMessage(
                channel=self.channel, thread_ts=self.thread_ts, text=text, blocks=blocks
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
        failed = upload(self.client, self.channel, None, files)
        if failed is not None:  # a follow-up: the answer above stays
            self._replace = False
            self._send({"text": upload_failed(failed, files)})

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
