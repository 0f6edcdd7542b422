"""Leaving at once, for the commands that may still have a LIST in flight when done."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn


def leave_now(code: int) -> NoReturn:
    """Exit at once, flushing only stdout and stderr: a LIST still in flight (concurrent.futures
    joins the source's pool threads at exit) is abandoned, not waited for until its timeout."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)
