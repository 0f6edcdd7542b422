"""``grove-mcp --http`` as a child process, for tests: started, waited for until its /healthz
answers, stopped; the JSON-RPC answer of a response that came as JSON or as SSE; and an MCP
session over raw JSON-RPC POSTs (handshake, then calls) for clients that must be cheap."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import httpx

PROTOCOL_VERSION = "2025-06-18"
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def grove_mcp_command() -> list[str]:
    """The installed ``grove-mcp`` entry point (else the module), with this interpreter."""
    script = Path(sys.executable).parent / "grove-mcp"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "grove_mcp.mcp_server.main"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(
    command: Sequence[str | Path],
    port: int | str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    deadline: float = 30.0,
) -> Iterator[str]:
    """Run ``command`` (a grove-mcp --http listening on loopback ``port``); yield its base URL
    once /healthz answers (polled until ``deadline``), and stop it afterwards."""
    with served(command, port, env, cwd, deadline) as process:
        yield process.base


@dataclass(frozen=True)
class Served:
    """A running server: its base URL and process id (for /proc/<pid>/status)."""

    base: str
    pid: int


@contextlib.contextmanager
def served(
    command: Sequence[str | Path],
    port: int | str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    deadline: float = 30.0,
) -> Iterator[Served]:
    """:func:`serving`, yielding the process id with the base URL."""
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(word) for word in command],
        env=dict(env) if env is not None else None,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        end = time.monotonic() + deadline
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                raise AssertionError(f"grove-mcp exited with {process.returncode}: {output}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/healthz", timeout=1.0, trust_env=False).is_success:
                    break
            assert time.monotonic() < end, f"grove-mcp did not answer on {base} in {deadline} s"
            time.sleep(0.05)  # polling interval while it starts, bounded by the deadline
        yield Served(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rpc_answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON-RPC answer of a JSON or an SSE response (status 200 expected)."""
    assert response.status_code == 200, (response.status_code, response.text)
    if response.headers["content-type"].startswith("application/json"):
        return dict(response.json())
    data = [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:")]
    return dict(json.loads(next(d for d in data if d)))


@dataclass
class Session:
    """An initialized MCP session over raw JSON-RPC POSTs on ``http`` (base URL and auth set on
    the client): :meth:`open` does the handshake, :meth:`call` sends one tools/call, and
    :meth:`close` ends the session (DELETE, as the SDK's client does; else the server keeps it
    until its idle timeout)."""

    http: httpx.AsyncClient
    path: str = "/mcp"
    headers: dict[str, str] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: count(2))

    async def open(self) -> dict[str, Any]:
        """initialize + notifications/initialized; the server's initialize result."""
        init = await self.http.post(
            self.path,
            json={
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": PROTOCOL_VERSION,
                    "capabilities": {},
                    "clientInfo": {"name": "grove-mcp-test", "version": "1"},
                },
            },
            headers=ACCEPT,
        )
        result = rpc_answer(init)["result"]
        self.headers = {
            **ACCEPT,
            "mcp-session-id": init.headers["mcp-session-id"],
            "mcp-protocol-version": PROTOCOL_VERSION,
        }
        ready = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        done = await self.http.post(self.path, json=ready, headers=self.headers)
        assert done.status_code == 202, (done.status_code, done.text)
        return dict(result)

    async def call(self, tool: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """One tools/call; its JSON-RPC result (a tool error too: check ``isError``)."""
        message = {
            "jsonrpc": "2.0",
            "id": next(self._ids),
            "method": "tools/call",
            "params": {"name": tool, "arguments": dict(arguments)},
        }
        answer = rpc_answer(await self.http.post(self.path, json=message, headers=self.headers))
        assert "result" in answer, answer
        return dict(answer["result"])

    async def close(self) -> None:
        """DELETE the session (200, or 404 when the server has already forgotten it)."""
        ended = await self.http.delete(self.path, headers=self.headers)
        assert ended.status_code in (200, 404), (ended.status_code, ended.text)
