"""A local stand-in for Slack's Web API: a real HTTP server on loopback, for ``--demo`` and tests.

Point a ``slack_sdk.WebClient`` at it (``base_url=slack.base_url``) and every call stays on the
machine. It answers the methods the bot uses, the way Slack does (``{"ok": true, ...}`` or
``{"ok": false, "error": ...}`` with HTTP 200), refuses what Slack refuses (Block Kit's limits
via ``grove_mcp.render.blockkit``: ``invalid_blocks``, ``msg_blocks_too_long``; a refused payload
posts nothing at all), hands out ``upload_url``\\ s and ``response_url``\\ s that point at itself,
and records everything it was sent::

    with SlackStandIn(bot_token="xoxb-test") as slack:
        client = WebClient(token="xoxb-test", base_url=slack.base_url)
        client.chat_postMessage(channel="C1", text="hi")
        slack.wait_for(lambda s: len(s.messages) == 1)

Methods: ``auth.test``, ``chat.postMessage``, ``chat.update``, ``chat.postEphemeral``,
``conversations.info``, ``files.getUploadURLExternal``, the upload POST (raw bytes, as
slack_sdk's ``files_upload_v2`` sends them, or multipart), ``files.completeUploadExternal``.
Anything else under ``/api/`` is ``unknown_method``. Bodies over ``MAX_BODY_BYTES`` are refused
(HTTP 413). Waiting is on a condition notified at every recorded call: no polling.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from grove_mcp.render import blockkit

MAX_BODY_BYTES = 5 * 1024 * 1024
_DRAIN_BYTES = 8 * MAX_BODY_BYTES  # a refused body up to this size is read (and dropped)
RESPONSE_URL_POSTS = 5  # Slack documents a response_url as usable 5 times (within 30 minutes)
_JSON_FIELDS = ("blocks", "attachments", "files", "metadata")  # JSON strings in form bodies
_BLOCK_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral")


@dataclass(frozen=True)
class Call:
    """One request the stand-in received, refused ones included (``error`` says why)."""

    method: str  # a Web API method name, or "upload" / "response_url"
    body: dict[str, Any]
    headers: dict[str, str]
    error: str | None = None


@dataclass(frozen=True)
class File:
    """An uploaded file, once ``files.completeUploadExternal`` shared it."""

    id: str
    filename: str
    title: str | None
    content: bytes
    channel: str | None
    thread_ts: str | None


@dataclass
class _Pending:
    filename: str
    length: int | None
    content: bytes | None = None


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    ephemeral: list[dict[str, Any]] = field(default_factory=list)
    responses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    files: list[File] = field(default_factory=list)
    pending: dict[str, _Pending] = field(default_factory=dict)
    response_urls: dict[str, int] = field(default_factory=dict)  # url id → posts accepted
    response_channels: dict[str, str] = field(default_factory=dict)  # url id → channel
    response_ts: dict[str, str] = field(default_factory=dict)  # url id → its message's ts


class SlackStandIn:
    """Slack's Web API on ``127.0.0.1`` (a free port), served from a background thread."""

    def __init__(
        self,
        bot_token: str = "xoxb-standin",
        channels: Mapping[str, str] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        """``channels`` maps channel IDs to names for ``conversations.info``; without it every
        channel exists and is named after its ID."""
        self.bot_token = bot_token
        self._channels = dict(channels) if channels is not None else None
        self._host = host
        self._cond = threading.Condition(threading.RLock())
        self._state = _State()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- life cycle

    def start(self) -> SlackStandIn:
        if self._server is not None:
            return self
        server = ThreadingHTTPServer((self._host, 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # how soon close() returns
            name="slack-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=10)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("the Slack stand-in is not running (use it as a context manager)")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """The Web API's base URL for ``WebClient(base_url=…)``; ends with ``/api/``."""
        return f"{self.url}/api/"

    # ---- what was recorded (copies, taken under the lock)

    @property
    def calls(self) -> list[Call]:
        with self._cond:
            return list(self._state.calls)

    @property
    def messages(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Messages posted to channels, with ``chat.update`` applied, keyed by (channel, ts)."""
        with self._cond:
            return {key: dict(msg) for key, msg in self._state.messages.items()}

    @property
    def ephemeral(self) -> list[dict[str, Any]]:
        """Messages sent with ``chat.postEphemeral`` (seen by one user only), in order."""
        with self._cond:
            return [dict(msg) for msg in self._state.ephemeral]

    @property
    def responses(self) -> list[tuple[str, dict[str, Any]]]:
        """Posts accepted at ``response_url``\\ s: (url id, body), in order."""
        with self._cond:
            return list(self._state.responses)

    @property
    def files(self) -> list[File]:
        with self._cond:
            return list(self._state.files)

    def calls_to(self, method: str) -> list[Call]:
        """The accepted calls to ``method`` (e.g. ``chat.postMessage``), in order."""
        return [c for c in self.calls if c.method == method and c.error is None]

    def response_url(self, channel: str | None = None) -> str:
        """A new ``response_url`` pointing at the stand-in; it accepts ``RESPONSE_URL_POSTS``
        posts, then answers 404 ``used_url``. With ``channel``, an ``in_channel`` post becomes
        a message there (with a ts, as in Slack) and ``replace_original`` replaces it."""
        with self._cond:
            url_id = f"R{next(self._ids):06d}"
            self._state.response_urls[url_id] = 0
            if channel:
                self._state.response_channels[url_id] = channel
        return f"{self.url}/response/{url_id}"

    def message_of(self, response_url: str) -> dict[str, Any] | None:
        """The channel message a ``response_url`` posted (None: none, or ephemeral only)."""
        url_id = response_url.rstrip("/").rsplit("/", 1)[-1]
        with self._cond:
            ts = self._state.response_ts.get(url_id)
            channel = self._state.response_channels.get(url_id)
            found = self._state.messages.get((channel or "", ts or ""))
            return dict(found) if found else None

    def user_message(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> str:
        """Record a message a person posted (a mention, a DM); returns its ts, so that the
        bot's replies can thread under it."""
        with self._cond:
            ts = self._next_ts()
            self._state.messages[(channel, ts)] = {
                "channel": channel,
                "ts": ts,
                "text": text,
                "blocks": None,
                "thread_ts": thread_ts,
                "user": user,
            }
            return ts

    def wait_for(self, predicate: Callable[[SlackStandIn], bool], timeout: float = 10.0) -> None:
        """Block until ``predicate(self)`` holds, re-checked at every recorded call; raise
        ``TimeoutError`` naming what was recorded when ``timeout`` seconds pass first."""
        with self._cond:
            if self._cond.wait_for(lambda: predicate(self), timeout=timeout):
                return
            seen = [c.method + (f" ({c.error})" if c.error else "") for c in self._state.calls]
        raise TimeoutError(
            f"the Slack stand-in did not see what was awaited within {timeout:g}s; "
            f"calls recorded: {seen or 'none'}"
        )

    # ---- handling (called from the server's threads)

    def _record(self, call: Call) -> None:
        with self._cond:
            self._state.calls.append(call)
            self._cond.notify_all()

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _handle_api(
        self, method: str, body: dict[str, Any], headers: dict[str, str]
    ) -> dict[str, Any]:
        with self._cond:
            result = self._dispatch(method, body, headers)
            error = None if result.get("ok") else str(result.get("error"))
            self._record(Call(method, body, headers, error))
            return result

    def _dispatch(
        self, method: str, body: dict[str, Any], headers: dict[str, str]
    ) -> dict[str, Any]:
        auth = headers.get("authorization", "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else body.get("token")
        if token != self.bot_token:
            return _error("not_authed" if not token else "invalid_auth")
        handler = _METHODS.get(method)
        if handler is None:
            return _error("unknown_method")
        if method in _BLOCK_METHODS and "blocks" in body:
            refused = _refusal(body["blocks"])
            if refused is not None:
                return refused
        return handler(self, body)

    def _channel(self, body: dict[str, Any]) -> str | None:
        channel = body.get("channel") or body.get("channel_id")
        if not isinstance(channel, str) or not channel:
            return None
        if self._channels is not None and channel not in self._channels:
            return None
        return channel

    def _auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"{self.url}/",
            "team": "Grove stand-in",
            "team_id": "T0STANDIN",
            "user": "grove",
            "user_id": "U0GROVE",
            "bot_id": "B0GROVE",
        }

    def _post_message(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(body)
        if channel is None:
            return _error("channel_not_found")
        if not body.get("text") and not body.get("blocks"):
            return _error("no_text")
        thread_ts = body.get("thread_ts")
        if thread_ts and (channel, thread_ts) not in self._state.messages:
            return _error("thread_not_found")
        ts = self._next_ts()
        message = {
            "channel": channel,
            "ts": ts,
            "text": body.get("text"),
            "blocks": body.get("blocks"),
            "thread_ts": thread_ts or None,
            "user": "U0GROVE",
        }
        self._state.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": dict(message)}

    def _update(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(body)
        if channel is None:
            return _error("channel_not_found")
        message = self._state.messages.get((channel, str(body.get("ts"))))
        if message is None:
            return _error("message_not_found")
        for key in ("text", "blocks"):
            if key in body:
                message[key] = body[key]
        message["edited"] = True
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": dict(message),
        }

    def _post_ephemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(body)
        if channel is None:
            return _error("channel_not_found")
        if not body.get("user"):
            return _error("user_not_in_channel")
        if not body.get("text") and not body.get("blocks"):
            return _error("no_text")
        ts = self._next_ts()
        self._state.ephemeral.append(
            {
                "channel": channel,
                "user": body["user"],
                "ts": ts,
                "text": body.get("text"),
                "blocks": body.get("blocks"),
                "thread_ts": body.get("thread_ts") or None,
            }
        )
        return {"ok": True, "message_ts": ts}

    def _conversations_info(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(body)
        if channel is None:
            return _error("channel_not_found")
        name = self._channels[channel] if self._channels is not None else channel.lower()
        return {"ok": True, "channel": {"id": channel, "name": name, "is_channel": True}}

    def _get_upload_url(self, body: dict[str, Any]) -> dict[str, Any]:
        filename = body.get("filename")
        if not filename:
            return _error("invalid_arguments")
        try:
            length = int(body["length"]) if body.get("length") is not None else None
        except (TypeError, ValueError):
            return _error("invalid_arguments")
        if length is not None and length > MAX_BODY_BYTES:
            return _error("file_too_large")
        file_id = f"F{next(self._ids):06d}"
        self._state.pending[file_id] = _Pending(str(filename), length)
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, body: dict[str, Any]) -> dict[str, Any]:
        entries = body.get("files")
        if not isinstance(entries, list) or not entries:
            return _error("invalid_arguments")
        channel = body.get("channel_id") or body.get("channels")
        if channel is not None and self._channel({"channel": channel}) is None:
            return _error("channel_not_found")
        thread_ts = body.get("thread_ts") or None
        done: list[File] = []
        for entry in entries:
            file_id = entry.get("id") if isinstance(entry, dict) else None
            pending = self._state.pending.get(str(file_id))
            if pending is None or pending.content is None:
                return _error("file_not_found")
            done.append(
                File(
                    id=str(file_id),
                    filename=pending.filename,
                    title=entry.get("title") or pending.filename,
                    content=pending.content,
                    channel=channel,
                    thread_ts=thread_ts,
                )
            )
        for f in done:
            del self._state.pending[f.id]
        self._state.files += done
        return {
            "ok": True,
            "files": [
                {"id": f.id, "name": f.filename, "title": f.title, "size": len(f.content)}
                for f in done
            ],
        }

    def _handle_upload(self, file_id: str, content: bytes, headers: dict[str, str]) -> int:
        with self._cond:
            pending = self._state.pending.get(file_id)
            error = None
            if pending is None:
                error = "file_not_found"
            elif pending.length is not None and pending.length != len(content):
                error = "length_mismatch"
            else:
                pending.content = content
            body = {"file_id": file_id, "bytes": len(content)}
            self._record(Call("upload", body, headers, error))
            return 200 if error is None else 404 if pending is None else 400

    def _handle_response(
        self, url_id: str, body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, str]:
        with self._cond:
            used = self._state.response_urls.get(url_id)
            status, answer = 200, "ok"
            if used is None:
                status, answer = 404, "no_service"
            elif used >= RESPONSE_URL_POSTS:
                status, answer = 404, "used_url"
            elif "blocks" in body and (refused := _refusal(body["blocks"])) is not None:
                status, answer = 400, str(refused["error"])  # Slack answers webhooks in text
            elif not body.get("text") and not body.get("blocks"):
                status, answer = 400, "no_text"
            else:  # only accepted posts use the URL up (refused ones post nothing)
                self._state.response_urls[url_id] = used + 1
                self._state.responses.append((url_id, body))
                _in_channel_message(self, url_id, body)
            call_body = {"url_id": url_id, **body}
            self._record(
                Call("response_url", call_body, headers, None if status == 200 else answer)
            )
            return status, answer


def _in_channel_message(standin: SlackStandIn, url_id: str, body: dict[str, Any]) -> None:
    """An ``in_channel`` response becomes (or, with ``replace_original``, replaces) a message
    of the URL's channel, as Slack shows it."""
    state = standin._state
    channel = state.response_channels.get(url_id)
    if channel is None or body.get("response_type") != "in_channel":
        return
    ts = state.response_ts.get(url_id) if body.get("replace_original") else None
    ts = ts or standin._next_ts()
    state.response_ts[url_id] = ts
    state.messages[(channel, ts)] = {
        "channel": channel,
        "ts": ts,
        "text": body.get("text"),
        "blocks": body.get("blocks"),
        "thread_ts": None,
        "user": "U0GROVE",
    }


_METHODS: dict[str, Callable[[SlackStandIn, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": SlackStandIn._auth_test,
    "chat.postMessage": SlackStandIn._post_message,
    "chat.update": SlackStandIn._update,
    "chat.postEphemeral": SlackStandIn._post_ephemeral,
    "conversations.info": SlackStandIn._conversations_info,
    "files.getUploadURLExternal": SlackStandIn._get_upload_url,
    "files.completeUploadExternal": SlackStandIn._complete_upload,
}


def _error(name: str, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "error": name, **extra}


def _refusal(blocks: Any) -> dict[str, Any] | None:
    """Slack's answer to blocks it refuses, or None when it takes them."""
    found = blockkit.problems(blocks)
    if found:
        return _error("invalid_blocks", errors=found)
    if blockkit.too_long(blocks):
        return _error("msg_blocks_too_long")
    return None


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """A Web API request body, as slack_sdk sends it: JSON, or form-encoded with JSON strings
    in ``blocks`` / ``files`` …"""
    if content_type.startswith("application/json"):
        parsed = json.loads(raw.decode("utf-8") or "{}")
        if not isinstance(parsed, dict):
            raise ValueError("the JSON body is not an object")
        return parsed
    if content_type.startswith("multipart/form-data"):
        return {
            name: value.decode("utf-8")
            for name, (_, value) in _multipart(raw, content_type).items()
        }
    body: dict[str, Any] = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    for key in _JSON_FIELDS:
        if isinstance(body.get(key), str):
            body[key] = json.loads(body[key])
    return body


def _multipart(raw: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    """The parts of a multipart/form-data body: name → (filename, bytes)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    parts: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            parts[name] = (part.get_filename(), payload)
    return parts


def _handler_for(standin: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "SlackStandIn/1"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._send(405, "text/plain", b"method_not_allowed")

        def do_POST(self) -> None:
            raw = self._read()
            if raw is None:
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            content_type = headers.get("content-type", "")
            path = self.path.split("?", 1)[0]
            if path.startswith("/api/"):
                try:
                    body = _parse_body(raw, content_type)
                except ValueError:
                    self._json({"ok": False, "error": "invalid_form_data"})
                    return
                self._json(standin._handle_api(path[len("/api/") :], body, headers))
            elif path.startswith("/upload/"):
                content = raw
                if content_type.startswith("multipart/form-data"):
                    parts = _multipart(raw, content_type)
                    file_part = next((v for v in parts.values() if v[0] is not None), None)
                    content = file_part[1] if file_part else b""
                status = standin._handle_upload(path[len("/upload/") :], content, headers)
                self._send(status, "text/plain", b"OK - %d" % len(content))
            elif path.startswith("/response/"):
                try:
                    body = _parse_body(raw, content_type or "application/json")
                except ValueError:
                    self._send(400, "text/plain", b"invalid_payload")
                    return
                status, answer = standin._handle_response(path[len("/response/") :], body, headers)
                self._send(status, "text/plain", answer.encode())
            else:
                self._send(404, "text/plain", b"not_found")

        def _read(self) -> bytes | None:
            length = self.headers.get("Content-Length")
            if length is None or not length.isdigit():
                self.close_connection = True
                self._send(411, "text/plain", b"length_required")
                return None
            if int(length) > MAX_BODY_BYTES:
                self._discard(int(length))
                self.close_connection = True
                self._send(413, "text/plain", b"request_too_large")
                return None
            return self.rfile.read(int(length))

        def _discard(self, length: int) -> None:
            """Read a refused body in small chunks, kept nowhere, so that the client, still
            sending, sees the 413 rather than a broken pipe; up to a bound, then hang up."""
            left = length if length <= _DRAIN_BYTES else 0
            while left > 0:
                chunk = self.rfile.read(min(left, 64 * 1024))
                if not chunk:
                    break
                left -= len(chunk)

        def _json(self, payload: dict[str, Any]) -> None:
            self._send(200, "application/json; charset=utf-8", json.dumps(payload).encode())

        def _send(self, status: int, content_type: str, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)

    return Handler
