"""Progress of a long call on stderr (stdout carries only the report), and Ctrl-C that cancels it.

On a terminal: a rich progress bar fed by ``AicProgress`` events (the runner also sends a
heartbeat each second, so the elapsed time keeps moving). Elsewhere: one plain line per step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..aic import AicProgress

T = TypeVar("T")
ProgressCallback = Callable[[AicProgress], None]
CANCEL_GRACE_S = 15.0  # the runner notices within 1 s, then gives the child 3 s to exit


@contextmanager
def progress_display(console: Console) -> Iterator[ProgressCallback]:
    """A callback for ``on_progress``: a transient bar on a terminal, else plain lines."""
    if not console.is_terminal:
        yield _plain_lines(console)
        return
    with _bar(console, "starting AIConfigurator") as update:
        yield lambda p: update(p.fraction, p.message)


@contextmanager
def _bar(console: Console, title: str) -> Iterator[Callable[[float, str], None]]:
    """A transient progress bar: ``update(fraction, line)``."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(title, total=1.0)
        yield lambda fraction, line: bar.update(task, completed=fraction, description=line)


def _plain_lines(console: Console) -> ProgressCallback:
    """One line per new step; heartbeats (same step, later time) print nothing."""
    last: list[str] = [""]

    def show(p: AicProgress) -> None:
        if p.message != last[0]:
            last[0] = p.message
            console.print(
                f"[{p.elapsed_s:6.1f}s] {p.message}", markup=False, highlight=False, soft_wrap=True
            )

    return show


def run_cancellable(work: Callable[[threading.Event], T]) -> T:
    """``work(cancel)`` in a worker thread; Ctrl-C sets ``cancel`` and waits for ``work`` to
    stop its child process, then re-raises KeyboardInterrupt.

    The main thread waits on an Event, not ``Thread.join``: a join interrupted by Ctrl-C can
    return at once the next time, before the child is stopped."""
    cancel, done = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["result"] = work(cancel)
        except BaseException as exc:  # handed to the main thread as is
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, name="grove-mcp-generate", daemon=True).start()
    try:
        done.wait()
    except KeyboardInterrupt:
        cancel.set()
        done.wait(CANCEL_GRACE_S)
        raise
    if "error" in outcome:
        raise outcome["error"]
    result: T = outcome["result"]
    return result


@contextmanager
def window_progress(console: Console, title: str) -> Iterator[Callable[[float, str], None]]:
    """A callback ``(fraction, line)`` for a metrics window: a transient bar on a terminal, else
    one plain line per step."""
    if not console.is_terminal:
        yield lambda _f, line: console.print(line, markup=False, highlight=False, soft_wrap=True)
        return
    with _bar(console, title) as update:
        yield update
