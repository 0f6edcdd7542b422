"""Signed requests as Slack sends them (slash commands, events, button clicks), for the demo
and the tests: the same bodies and the v0 signature Slack computes."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from .http import EVENTS_PATH

TEAM = "T0GROVE01"
APP_ID = "A0GROVE01"


class SlackSender:
    """Sends Slack's requests to a running grove-slack, signed with its signing secret."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        posted: Callable[[str, str, str, str | None], str] | None = None,
    ) -> None:
        """``posted(channel, user, text, thread_ts)`` records a person's message where Slack
        keeps them (the stand-in's ``user_message``) and returns its ts."""
        self.url = base_url.rstrip("/") + EVENTS_PATH
        self._posted = posted
        self.verifier = SignatureVerifier(signing_secret)
        self._ids = itertools.count(1)
        self.http = httpx.Client(timeout=10, trust_env=False)

    def close(self) -> None:
        self.http.close()

    def headers(
        self, body: str, timestamp: int | None = None, content_type: str = ""
    ) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=stamp, body=body) or "",
            "Content-Type": content_type,
        }

    def post(self, body: str, content_type: str, **header_overrides: str) -> httpx.Response:
        headers = self.headers(body, content_type=content_type) | header_overrides
        return self.http.post(self.url, content=body.encode(), headers=headers)

    def command(
        self, text: str, channel: str, user: str, response_url: str, **headers: str
    ) -> httpx.Response:
        body = urlencode(
            {
                "token": "unused-verification-token",
                "team_id": TEAM,
                "api_app_id": APP_ID,
                "channel_id": channel,
                "channel_name": "grove",
                "user_id": user,
                "user_name": "someone",
                "command": "/grove",
                "text": text,
                "response_url": response_url,
                "trigger_id": f"trigger.{next(self._ids)}",
            }
        )
        return self.post(body, "application/x-www-form-urlencoded", **headers)

    def mention(
        self, text: str, channel: str, user: str, thread_ts: str | None = None
    ) -> httpx.Response:
        n = next(self._ids)
        said = f"<@U0GROVEBOT> {text}"
        ts = self._ts(channel, user, said, thread_ts, n)
        event: dict[str, Any] = {
            "type": "app_mention",
            "user": user,
            "text": said,
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self._event(event, n)

    def direct_message(self, text: str, channel: str, user: str) -> httpx.Response:
        n = next(self._ids)
        event = {
            "type": "message",
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": self._ts(channel, user, text, None, n),
            "channel": channel,
        }
        return self._event(event, n)

    def _ts(self, channel: str, user: str, text: str, thread_ts: str | None, n: int) -> str:
        if self._posted is not None:
            return self._posted(channel, user, text, thread_ts)
        return f"1600000000.{n:06d}"

    def _event(self, event: dict[str, Any], n: int, **headers: str) -> httpx.Response:
        self.last_event = (event, n)
        body = json.dumps(
            {
                "token": "unused-verification-token",
                "team_id": TEAM,
                "api_app_id": APP_ID,
                "type": "event_callback",
                "event_id": f"Ev{n:08d}",
                "event_time": int(time.time()),
                "event": event,
            }
        )
        return self.post(body, "application/json", **headers)

    def redeliver(self) -> httpx.Response:
        """The last event again, as Slack retries one it thinks was missed."""
        event, n = self.last_event
        return self._event(
            event, n, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        )

    def click(
        self,
        button: dict[str, Any],
        channel: str,
        user: str,
        message_ts: str,
        response_url: str = "",
    ) -> httpx.Response:
        """A click on ``button`` (a Block Kit button element) in the message at ``message_ts``."""
        body = self.click_body(button, channel, user, message_ts, response_url)
        return self.post(body, "application/x-www-form-urlencoded")

    def click_body(
        self,
        button: dict[str, Any],
        channel: str,
        user: str,
        message_ts: str,
        response_url: str = "",
    ) -> str:
        """The form body Slack posts for a click (``payload=`` a ``block_actions`` JSON)."""
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": user},
            "api_app_id": APP_ID,
            "token": "unused-verification-token",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
            "channel": {"id": channel},
            "message": {"ts": message_ts, "type": "message"},
            "trigger_id": f"trigger.{next(self._ids)}",
            "response_url": response_url,
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": "grove_followups",
                    "value": button["value"],
                    "action_ts": str(time.time()),
                }
            ],
        }
        return urlencode({"payload": json.dumps(payload)})
