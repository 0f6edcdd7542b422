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


def start(tmux: list[str], tmp_path: Path, size: tuple[int, int], *args: str) -> Path:
    """Run ``kubectl-grove tui ARGS`` in a tmux window of ``size``; the file its exit code
    lands in."""
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
    command = " ".join(shlex.quote(word) for word in (str(exe), "tui", *args))
    width, height = size
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "grove", "-x", str(width), "-y", str(height),
         f"env -i {assignments} {command}; echo $? > {rc}"],
        check=True,
        env={**os.environ, "TERM": "xterm-256color"},
    )  # fmt: skip
    return rc


def exit_code(tmux: list[str], rc: Path, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while not rc.exists() or not rc.read_text().strip():
        assert time.monotonic() < deadline, f"the TUI did not quit:\n{screen(tmux)}"
        time.sleep(0.1)
    return rc.read_text().strip()


def test_the_real_command_shows_every_view_and_quits(tmux: list[str], tmp_path: Path) -> None:
    rc = start(tmux, tmp_path, (80, 24), "--demo")
    first = until_shown(tmux, "PodGang my-inference-1")
    assert "[1] Hierarchy" in first and "[q]uit" in first and "captured at" in first
    for key, expected in VIEWS:
        subprocess.run([*tmux, "send-keys", "-t", "grove", key], check=True)
        until_shown(tmux, expected)
    subprocess.run([*tmux, "send-keys", "-t", "grove", "q"], check=True)
    assert exit_code(tmux, rc, 20) == "0"


def test_q_quits_at_once_while_the_api_server_hangs(
    tmux: list[str], tmp_path: Path, silent_server: int, loopback_kubeconfig
) -> None:  # type: ignore[no-untyped-def]
    """Requests in flight (up to --request-timeout 60) never hold the exit."""
    kubeconfig = loopback_kubeconfig(silent_server)
    rc = start(tmux, tmp_path, (100, 30), "-n", "default", "--kubeconfig", str(kubeconfig),
               "--request-timeout", "60")  # fmt: skip
    until_shown(tmux, "connecting")
    subprocess.run([*tmux, "send-keys", "-t", "grove", "q"], check=True)
    assert exit_code(tmux, rc, 10) == "0"
