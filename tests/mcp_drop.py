"""A real ``grove-mcp`` child and a client that walks away mid-call: over stdio (raw
newline-delimited JSON-RPC, so the test decides when the pipes close) and over streamable HTTP
(a tools/call POST whose connection is dropped). Then: what the server still holds, from /proc.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import IO, Any

import httpx
from child_process import read_until

from tools import procfs
from tools.mcp_http import ACCEPT, PROTOCOL_VERSION, grove_mcp_command

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {
        "protocolVersion": PROTOCOL_VERSION,
        "capabilities": {},
        "clientInfo": {"name": "walks-away", "version": "1"},
    },
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def tool_call(request_id: int, tool: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    params = {"name": tool, "arguments": dict(arguments)}
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


def cancelled(request_id: int) -> dict[str, Any]:
    """The MCP cancel message for an in-flight request."""
    params = {"requestId": request_id, "reason": "the user gave up"}
    return {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": params}


@dataclass(frozen=True)
class Held:
    """What the server process holds: threads, and TCP connections by peer."""

    threads: int
    peers: Counter[str]

    @classmethod
    def now(cls, pid: int) -> Held:
        return cls(procfs.threads(pid), procfs.tcp_peers(pid))

    def within(self, baseline: Held) -> bool:
        return self.threads <= baseline.threads and not self.peers - baseline.peers


def back_to(pid: int, baseline: Held, seconds: float, what: str) -> float:
    """Seconds until the server holds no more than ``baseline`` (bounded by ``seconds``)."""
    return _until(pid, baseline, seconds, what, lambda: Held.now(pid).within(baseline))


#: LiveSource's max_concurrency: its threads and API connections grow up to it.
SOURCE_POOL = 8


def back_to_live(pid: int, baseline: Held, seconds: float, what: str) -> float:
    """``back_to`` for a server on a live cluster, give or take the live source's pool, which
    keeps up to SOURCE_POOL threads and API connections once a call has needed them (a call
    with more concurrent LISTs than the warm-up starts more; none is a leak). The call's own
    worker and scrape threads, and the dropped request's connection, must be gone."""
    api = {peer for peer in baseline.peers if peer.startswith("to ")}
    spare = max(0, SOURCE_POOL - sum(baseline.peers[p] for p in api))

    def held() -> bool:
        now = Held.now(pid)
        other = +(now.peers - baseline.peers) - Counter({p: SOURCE_POOL for p in api})
        pooled = sum(now.peers[p] for p in api) <= SOURCE_POOL
        return now.threads <= baseline.threads + spare and pooled and not other

    return _until(pid, baseline, seconds, what, held)


def _until(pid: int, baseline: Held, seconds: float, what: str, held: Any) -> float:
    try:
        return procfs.within(held, seconds, what)
    except AssertionError as err:
        raise AssertionError(f"{err}; baseline {baseline}, now {Held.now(pid)}") from None


class StdioServer:
    """``grove-mcp`` over stdio, initialized; requests and answers as dicts."""

    def __init__(self, args: Sequence[str], env: Mapping[str, str], log: Path) -> None:
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [*grove_mcp_command(), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=dict(env),
        )
        self._lines: list[str] = []
        self._partial = ""  # the start of a line not yet ended
        self._ids = count(1)
        self.send(INITIALIZE)
        assert "result" in self.answer(0, 60), "initialize failed"
        self.send(INITIALIZED)

    @property
    def pid(self) -> int:
        return self.process.pid

    def next_id(self) -> int:
        return next(self._ids)

    def send(self, message: Mapping[str, Any]) -> None:
        stdin: IO[bytes] | None = self.process.stdin
        assert stdin is not None
        stdin.write(json.dumps(message).encode() + b"\n")
        stdin.flush()

    def answer(self, request_id: int, seconds: float) -> dict[str, Any]:
        """The answer to ``request_id`` (notifications before it are passed over)."""
        deadline = time.monotonic() + seconds
        while True:
            while self._lines:
                message = json.loads(self._lines.pop(0))
                if message.get("id") == request_id:
                    return dict(message)
            left = deadline - time.monotonic()
            chunk = read_until(self.process.stdout, "\n", max(left, 0.01), f"answer {request_id}")
            *lines, self._partial = (self._partial + chunk).split("\n")
            self._lines += [line for line in lines if line.strip()]

    def hang_up(self) -> None:
        """Close both pipes, as a client that exits does."""
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.hang_up()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._log.close()

    def __enter__(self) -> StdioServer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@contextlib.contextmanager
def http_session(base: str) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    """An initialized MCP session on ``base``/mcp: the client and the session's headers (the
    session is left to the server's idle timeout, as a client that dies leaves it)."""
    with httpx.Client(base_url=base, timeout=30, trust_env=False) as http:
        init = http.post("/mcp", json=INITIALIZE, headers=ACCEPT)
        assert init.status_code == 200, init.text
        headers = {
            **ACCEPT,
            "mcp-session-id": init.headers["mcp-session-id"],
            "mcp-protocol-version": PROTOCOL_VERSION,
        }
        assert http.post("/mcp", json=INITIALIZED, headers=headers).status_code == 202
        yield http, headers


@contextlib.contextmanager
def posted(base: str, headers: Mapping[str, str], message: Mapping[str, Any]) -> Iterator[None]:
    """``message`` POSTed to ``base``/mcp on a raw connection of its own whose answer is never
    read; leaving the block closes the connection, as a client that dies does."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    body = json.dumps(dict(message)).encode()
    head = ["POST /mcp HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall("\r\n".join(head).encode() + b"\r\n\r\n" + body)
        yield
