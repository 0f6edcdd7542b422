"""The real ``kubectl-grove tui --demo`` in a pseudo-terminal (tmux, 80×24): the view keys show
their views on the captured screen, and ``q`` quits with exit code 0."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120)

VIEWS = [
    ("2", "rack rack-b ✗ fragmented"),
    ("3", "in 3h 42m 00s"),
    ("4", "1,280 ms/300 ms"),
    ("5", "last rolling update finished"),
    ("1", "PodClique prefill"),
]


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[list[str]]:
    """A tmux server of this test's own (its own socket), killed afterwards."""
    found = shutil.which("tmux")
    if found is None:
        message = "tmux is not installed (Debian package tmux)"
        if os.environ.get("GROVE_REQUIRE_E2E") == "1":
            pytest.fail(f"GROVE_REQUIRE_E2E=1 but {message}", pytrace=False)
        pytest.skip(message)
    command = [found, "-S", str(tmp_path / "tmux.sock")]
    yield command
    subprocess.run([*command, "kill-server"], capture_output=True, check=False)


def screen(tmux: list[str]) -> str:
    return subprocess.run(
        [*tmux, "capture-pane", "-p", "-t", "grove"], capture_output=True, text=True, check=True
    ).stdout


def until_shown(tmux: list[str], text: str, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    while True:
        shown = screen(tmux)
        if text in shown:
            return shown
        assert time.monotonic() < deadline, f"{text!r} never appeared:\n{shown}"
        time.sleep(0.1)


def test_the_real_command_shows_every_view_and_quits(tmux: list[str], tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "kubectl-grove"
    assert exe.exists(), "kubectl-grove is not installed next to this interpreter"
    rc = tmp_path / "rc"
    env = {
        "NO_COLOR": "1",
        "PATH": "/usr/bin:/bin",
        "TERM": "xterm-256color",
        "HOME": str(tmp_path),
    }
    if "PYTHONPATH" in os.environ:  # the grove_mcp under test
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = f"env -i {assignments} {shlex.quote(str(exe))} tui --demo; echo $? > {rc}"
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "grove", "-x", "80", "-y", "24", command],
        check=True,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    first = until_shown(tmux, "PodGang my-inference-1")
    assert "[1] Hierarchy" in first and "[q]uit" in first and "captured at" in first
    for key, expected in VIEWS:
        subprocess.run([*tmux, "send-keys", "-t", "grove", key], check=True)
        until_shown(tmux, expected)
    subprocess.run([*tmux, "send-keys", "-t", "grove", "q"], check=True)
    deadline = time.monotonic() + 20
    while not rc.exists() or not rc.read_text().strip():
        assert time.monotonic() < deadline, f"the TUI did not quit:\n{screen(tmux)}"
        time.sleep(0.1)
    assert rc.read_text().strip() == "0"


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts connections and never answers: a hung API server."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not done.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    done.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    listener.close()


def test_q_quits_at_once_while_the_api_server_hangs(
    tmux: list[str], tmp_path: Path, silent_server: int
) -> None:
    """Requests in flight (up to --request-timeout 60) never hold the exit."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        f"clusters: [{{name: k, cluster: {{server: 'https://127.0.0.1:{silent_server}'}}}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
    )
    exe = Path(sys.executable).parent / "kubectl-grove"
    rc = tmp_path / "rc"
    env = {
        "NO_COLOR": "1",
        "PATH": "/usr/bin:/bin",
        "TERM": "xterm-256color",
        "HOME": str(tmp_path),
    }
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    tui = f"{shlex.quote(str(exe))} tui -n default --kubeconfig {kubeconfig} --request-timeout 60"
    subprocess.run(
        [
            *tmux,
            "new-session",
            "-d",
            "-s",
            "grove",
            "-x",
            "100",
            "-y",
            "30",
            f"env -i {assignments} {tui}; echo $? > {rc}",
        ],
        check=True,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    until_shown(tmux, "connecting")
    subprocess.run([*tmux, "send-keys", "-t", "grove", "q"], check=True)
    began = time.monotonic()
    while not rc.exists() or not rc.read_text().strip():
        assert time.monotonic() - began < 10, f"the TUI did not quit:\n{screen(tmux)}"
        time.sleep(0.1)
    assert rc.read_text().strip() == "0"
