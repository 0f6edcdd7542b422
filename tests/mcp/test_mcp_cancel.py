"""The client walks away from a grove_generate call (issue 15 §4): over stdio and streamable
HTTP, by hanging up or by ``notifications/cancelled``. The real ``grove-mcp`` runs as a child;
AIConfigurator is the protocol stand-in (tests/unit/aic/fake_worker.py, ``hang``: it never
finishes), started through GROVE_MCP_AIC_PYTHON as an interpreter would be. Afterwards the
child's process group is empty, the server's threads and TCP connections are back to what they
were before the call, and the server answers the next client. Figures are printed (-s)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from mcp_drop import (
    Held,
    StdioServer,
    back_to,
    cancelled,
    http_session,
    posted,
    tool_call,
)
from mcp_helpers import free_port, grove_mcp_command
from recorded_aic import FAKE_WORKER, flags

from tools import procfs
from tools.mcp_http import rpc_answer, served

pytestmark = pytest.mark.timeout(120)

QWEN_8 = "qwen3_32b_sglang_8gpu"
BOUND = 15.0  # generous: the runner looks at its cancel Event every second, then SIGTERM
LIST = ("grove_list", {})


@pytest.fixture
def hanging_aic(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """The server's environment with the hanging stand-in as AIConfigurator, and where the
    stand-in writes its pid."""
    interpreter = tmp_path / "python"
    interpreter.write_text(f"#!/bin/sh\nexec {sys.executable} {FAKE_WORKER} hang\n")
    interpreter.chmod(0o755)
    pid_file = tmp_path / "child.pid"
    env = {**os.environ, "GROVE_MCP_AIC_PYTHON": str(interpreter), "FAKE_PID_FILE": str(pid_file)}
    return env, pid_file


def child_of(pid_file: Path) -> int:
    """The stand-in's pid, once it runs (it leads its own process group)."""
    procfs.within(lambda: pid_file.exists() and pid_file.read_text().strip() != "", 60,
                  "the AIConfigurator stand-in starts")  # fmt: skip
    return int(pid_file.read_text())


def gone(child: int) -> float:
    return procfs.within(lambda: not procfs.group(child), BOUND, "the stand-in's group ends")


def generate(request_id: int) -> dict:
    return tool_call(request_id, "grove_generate", flags(QWEN_8))


def test_stdio_hang_up_mid_generate_ends_the_server_and_its_child(hanging_aic, tmp_path):
    env, pid_file = hanging_aic
    with StdioServer(["--demo"], env, tmp_path / "server.log") as server:
        server.send(generate(server.next_id()))
        child = child_of(pid_file)
        began = time.monotonic()
        server.hang_up()
        server.process.wait(BOUND)
        exited = time.monotonic() - began
        took = gone(child) + exited
    print(
        f"stdio hang-up mid-generate: server exited in {exited:.2f} s, child gone in {took:.2f} s"
    )


def test_stdio_cancel_mid_generate_stops_the_child_and_the_server_goes_on(hanging_aic, tmp_path):
    env, pid_file = hanging_aic
    with StdioServer(["--demo"], env, tmp_path / "server.log") as server:
        assert "result" in server.answer(_send(server, *LIST), 60)  # a worker thread exists
        baseline = Held.now(server.pid)
        call = _send(server, "grove_generate", flags(QWEN_8))
        child = child_of(pid_file)
        began = time.monotonic()
        server.send(cancelled(call))
        child_gone = gone(child)
        settled = back_to(server.pid, baseline, BOUND, "the server's threads after the cancel")
        assert "result" in server.answer(_send(server, *LIST), 60)
    print(f"stdio cancel mid-generate: child gone {child_gone:.2f} s, threads back "
          f"{settled:.2f} s after the cancel (sent at {began:.0f})")  # fmt: skip


def _send(server: StdioServer, tool: str, arguments: dict) -> int:
    request_id = server.next_id()
    server.send(tool_call(request_id, tool, arguments))
    return request_id


@pytest.mark.parametrize("how", ["drop", "cancel"])
def test_http_client_gone_mid_generate_stops_the_child_and_others_are_served(
    hanging_aic, tmp_path, how
):
    env, pid_file = hanging_aic
    port = free_port()
    command = [*grove_mcp_command(), "--http", "--port", str(port), "--demo"]
    with served(command, port, env) as server, http_session(server.base) as (http, headers):
        listed = http.post("/mcp", json=tool_call(1, *LIST), headers=headers)
        assert "result" in rpc_answer(listed)  # a worker thread exists
        baseline = Held.now(server.pid)
        with posted(server.base, headers, generate(2)):
            child = child_of(pid_file)
            began = time.monotonic()
            if how == "cancel":
                assert http.post("/mcp", json=cancelled(2), headers=headers).status_code == 202
                child_gone = gone(child)
        if how == "drop":
            child_gone = gone(child)
        settled = back_to(server.pid, baseline, BOUND, "threads and connections after it")
        with http_session(server.base) as (other, other_headers):
            again = other.post("/mcp", json=tool_call(1, *LIST), headers=other_headers)
            assert "result" in rpc_answer(again)
    print(f"HTTP {how} mid-generate: child gone {child_gone:.2f} s, threads and connections "
          f"back {settled:.2f} s after it (at {began:.0f})")  # fmt: skip
