"""The TUI's pop-ups: a scrolling text (YAML, describe, logs that follow), a one-line prompt
(filter, namespace) and the help."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

FOLLOW_SECONDS = 2.0

KEYS = (
    ("1 … 5", "switch view: hierarchy, topology, health, metrics, updates"),
    ("↑ ↓  j k", "move; Enter expands or collapses a row (the mouse works too)"),
    ("/", "filter by name (Esc clears)"),
    ("n", "switch namespace"),
    ("y", "YAML of the selected object"),
    ("d", "describe the selected object (conditions, events)"),
    ("l", "logs of the selected pod (last lines, follows on a cluster)"),
    ("r", "re-list now"),
    ("?", "this help"),
    ("q", "quit"),
)


class TextScreen(ModalScreen[None]):
    """Scrolling text over the app; ``follow`` re-reads it every few seconds (logs)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "close"),
        Binding("j", "scroll(1)", show=False),
        Binding("k", "scroll(-1)", show=False),
    ]
    DEFAULT_CSS = """
    TextScreen { align: center middle; }
    TextScreen > Vertical { width: 100%; height: 100%; border: round $accent; }
    TextScreen #title { dock: top; height: 1; text-style: bold; padding: 0 1; }
    TextScreen #body { padding: 0 1; }
    """

    def __init__(self, title: str, text: str, follow: Callable[[], str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.follow = follow
        self.closed = threading.Event()

    def compose(self) -> ComposeResult:
        with Vertical():
            hint = "  (following; Esc closes)" if self.follow else "  (Esc closes)"
            yield Static(Text(self.title_text + hint), id="title")
            with VerticalScroll(id="body"):
                yield Static(Text(self.text), id="text")

    def on_mount(self) -> None:
        if self.follow is not None:
            self.query_one("#body", VerticalScroll).scroll_end(animate=False)
            name = "grove-tui-follow"
            threading.Thread(
                target=self._follow, args=(self.follow,), name=name, daemon=True
            ).start()

    def on_unmount(self) -> None:
        self.closed.set()

    def _follow(self, read: Callable[[], str]) -> None:
        """Re-read every FOLLOW_SECONDS, one read at a time (a slow API never piles them up),
        until the pop-up closes."""
        while not self.closed.wait(FOLLOW_SECONDS):
            text = read()
            if self.closed.is_set():
                return
            with suppress(RuntimeError):  # the app closed meanwhile
                self.app.call_from_thread(self._show, text)

    def _show(self, text: str) -> None:
        if self.closed.is_set() or text == self.text:
            return
        body = self.query_one("#body", VerticalScroll)
        at_end = body.scroll_y >= body.max_scroll_y
        self.text = text
        self.query_one("#text", Static).update(Text(text))
        if at_end:
            body.scroll_end(animate=False)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#body", VerticalScroll).scroll_relative(y=lines, animate=False)


class PromptScreen(ModalScreen[str | None]):
    """One line of input; Enter answers it, Esc answers None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]
    DEFAULT_CSS = """
    PromptScreen { align: center bottom; }
    PromptScreen > Vertical { width: 100%; height: 5; border-top: solid $accent; }
    """

    def __init__(self, label: str, value: str = "") -> None:
        super().__init__()
        self.label = label
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.label)
            yield Input(value=self.value, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


def help_text() -> str:
    width = max(len(key) for key, _ in KEYS)
    lines = [f"  {key.ljust(width)}   {what}" for key, what in KEYS]
    return "\n".join(
        [
            "kubectl grove tui: live PodCliqueSets, gangs, placement, health and metrics.",
            "",
            *lines,
            "",
            "Updates come from the Kubernetes watch API (metrics: one window after another).",
            "A lost connection is retried with backoff; the header says so.",
        ]
    )
