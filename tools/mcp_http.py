"""``grove-mcp --http`` as a child process, for tests: started, waited for until its /healthz
answers, stopped; and the JSON-RPC answer of a response that came as JSON or as SSE."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx


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
        yield base
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
