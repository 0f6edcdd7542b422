"""Child processes in tests: read their output with a deadline, and let Ctrl-C reach them.

A test waiting for a child's line must fail, not hang, when the line never comes. A test that
sends SIGINT must not depend on how the test run was started: a background job of a
non-interactive shell (``bash -c 'pytest ... &'``) runs with SIGINT ignored, and an ignored
signal stays ignored across fork and exec, so the child would never see the Ctrl-C.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any


def default_sigint() -> None:
    """``preexec_fn`` for a child that must get Ctrl-C whatever the test run inherited."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def interruptible(command: list[str], **popen: Any) -> Iterator[subprocess.Popen[str]]:
    """``command`` with text pipes on stdout and stderr and SIGINT at its default; killed at
    the end if it still runs (a failed test leaves nothing behind)."""
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
        **popen,
    ) as process:
        try:
            yield process
        finally:
            process.kill()


def read_until(pipe: IO[Any] | None, needle: str | None, timeout: float, why: str) -> str:
    """What the child wrote to ``pipe`` until ``needle`` appeared in it (None: until every
    writer closed the pipe), as text.

    Fails the test, saying ``why`` it waited and what it read, when ``timeout`` seconds pass
    first or the pipe closes before ``needle``. It reads the file descriptor itself, so
    ``communicate()`` afterwards gets the rest of the output.
    """
    assert pipe is not None, "the child's output is not a pipe"
    fd = pipe.fileno()
    data = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while needle is None or needle.encode() not in data:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                missing = "pipe still open" if needle is None else f"no {needle!r}"
                raise AssertionError(f"{why}: {missing} after {timeout} s; {_read(data)}")
            chunk = os.read(fd, 65536)
            if not chunk and needle is None:
                break
            if not chunk:
                raise AssertionError(f"{why}: the pipe closed before {needle!r}; {_read(data)}")
            data += chunk
    return data.decode(errors="replace")


def _read(data: bytes) -> str:
    return f"read: {data.decode(errors='replace')!r}"
