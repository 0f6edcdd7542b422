"""A client that drops the connection of its request's POST cancels the request.

Over the session-ful streamable HTTP wire (2025-era revisions) the SDK answers a request on its
POST's SSE stream. When the client goes away, that stream ends but the handler runs on: a
metrics window kept scraping, an AIConfigurator child kept computing, for an answer nobody can
receive (the spec lets a client resume a stream from an event store; this server keeps none).
:class:`CancelOnDisconnect` watches each POST: when the connection drops before the answer was
sent in full, it hands the SDK the client's own cancel message, ``notifications/cancelled``
for that request id, on the same session. The SDK cancels the handler as if the client had
sent it, and the tool's cancel Event stops the work in its thread. (The 2026-07-28 wire, one
exchange per POST, already cancels on disconnect.)
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class CancelOnDisconnect:
    """Wraps the SDK's app; ``max_bytes`` bounds the request body kept to read its id."""

    def __init__(self, app: ASGIApp, path: str, max_bytes: int) -> None:
        self.app = app
        self.path = path
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        body = bytearray()
        answered = False
        dropped = False

        async def watched_receive() -> Message:
            nonlocal dropped
            message = await receive()
            if message["type"] == "http.request" and len(body) <= self.max_bytes:
                body.extend(message.get("body", b""))
            elif message["type"] == "http.disconnect":
                dropped = not answered
            return message

        async def watched_send(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                answered = True
            await send(message)

        try:
            await self.app(scope, watched_receive, watched_send)
        finally:
            request_id = _request_id(bytes(body)) if dropped and not answered else None
            if request_id is not None:
                await self._cancel(scope, request_id)

    async def _cancel(self, scope: Scope, request_id: Any) -> None:
        """Send the SDK ``notifications/cancelled`` for ``request_id``, with the dropped
        request's headers (its session, protocol version, credentials)."""
        params = {"requestId": request_id, "reason": "the client closed the connection"}
        body = json.dumps({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": params})
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body.encode(), "more_body": False}

        async def discard(_: Message) -> None:
            pass  # the 202 goes to nobody: the client is gone

        await self.app({**scope, "headers": headers}, receive, discard)


def _request_id(body: bytes) -> Any:
    """The id of the JSON-RPC request in ``body``; None for anything else (a notification, a
    response, a body cut at ``max_bytes``)."""
    try:
        message = json.loads(body)
    except ValueError:
        return None
    if isinstance(message, dict) and "method" in message and "id" in message:
        return message["id"]
    return None
