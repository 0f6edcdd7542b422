"""The AIConfigurator child dies with its parent, even when the parent is killed hard."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

# The child does what the worker does first, then stays busy (as during a 90 s search) without
# reading stdin, whose EOF would end it anyway.
CHILD = (
    "from grove_mcp.aic.worker import _die_with_parent; _die_with_parent(); "
    "import time; time.sleep(120)"
)
PARENT = (
    "import subprocess, sys, time\n"
    f"child = subprocess.Popen([sys.executable, '-c', {CHILD!r}])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(120)\n"
)


def _gone(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split(")")[-1].split()[0] in ("Z", "X")  # zombie: it exited
    except (FileNotFoundError, ProcessLookupError):
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_worker_exits_when_its_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    time.sleep(1.0)  # let the child import grove_mcp and arm the signal
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 15
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling /proc with a deadline: there is no event for another's exit
    alive = not _gone(child)
    if alive:
        os.kill(child, 9)
    assert not alive, "the worker outlived its SIGKILLed parent"
