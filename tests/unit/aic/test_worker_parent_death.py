"""The AIConfigurator child dies with its parent, even when the parent is killed hard."""

from __future__ import annotations

import os
import signal
import sys

import pytest
from child_process import interruptible, read_until
from recorded_aic import alive

# The child does what the worker does first, says so, then stays busy (as during a 90 s
# search) without reading stdin, whose EOF would end it anyway. Both share the test's stdout
# pipe: it closes when both are gone.
CHILD = (
    "from grove_mcp.aic.worker import _die_with_parent; _die_with_parent(); "
    "print('armed', flush=True); import signal; signal.pause()"
)
PARENT = (
    "import signal, subprocess, sys\n"
    f"child = subprocess.Popen([sys.executable, '-c', {CHILD!r}])\n"
    "print(child.pid, flush=True)\n"
    "signal.pause()\n"
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_worker_exits_when_its_parent_is_killed():
    with interruptible([sys.executable, "-c", PARENT]) as parent:
        started = read_until(parent.stdout, "armed", 30, "the worker arming its death signal")
        child = next(int(word) for word in started.split() if word.isdigit())
        parent.kill()
        parent.wait()
        try:
            read_until(parent.stdout, None, 15, "the worker outlived its SIGKILLed parent")
        finally:
            if alive(child):
                os.kill(child, signal.SIGKILL)
