"""``kubectl grove tui``: the Textual app. Five views of one namespace's PodCliqueSets, kept
current by the Kubernetes watch API in a thread worker (metrics: one window after another in
another), redrawn at most ``1 / REDRAW_SECONDS`` times a second however fast events come."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress
from threading import Event
from typing import ClassVar, TypeVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import ContentSwitcher, Static, Tree
from textual.widgets.tree import TreeNode

from .. import core
from ..errors import GroveError
from ..names import validate_namespace
from ..render.describe import describe_text
from ..sources import Source
from . import panes
from .feed import (
    Frame,
    Link,
    LinkState,
    MetricsResult,
    error_text,
    is_live,
    metrics_windows,
    watch_frames,
)
from .hierarchy import Row, Selected, rows
from .screens import PromptScreen, TextScreen, help_text

T = TypeVar("T")
Reader = Callable[[Selected], str]
REDRAW_SECONDS = 0.2
LOG_LINES = 200
VIEWS = (
    ("hierarchy", "Hierarchy"),
    ("topology", "Topology"),
    ("health", "Health"),
    ("metrics", "Metrics"),
    ("updates", "Updates"),
)


class GroveTui(App[None]):
    """The app: header, one view at a time, a status line."""

    TITLE = "kubectl grove tui"
    CSS = """
    #header { height: 2; background: $panel; padding: 0 1; }
    #status { dock: bottom; height: auto; max-height: 3; padding: 0 1; background: $panel; }
    ContentSwitcher { height: 1fr; }
    #hierarchy { height: 1fr; }
    .pane { height: 1fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(str(i), f"show('{view}')", label, show=False)
            for i, (view, label) in enumerate(VIEWS, 1)
        ),
        Binding("j", "move(1)", show=False),
        Binding("k", "move(-1)", show=False),
        Binding("slash", "filter", "filter", show=False),
        Binding("n", "namespace", "namespace", show=False),
        Binding("y", "yaml", "yaml", show=False),
        Binding("d", "describe", "describe", show=False),
        Binding("l", "logs", "logs", show=False),
        Binding("r", "relist", "re-list", show=False),
        Binding("question_mark", "help", "help", show=False),
        Binding("escape", "clear_filter", show=False),
        Binding("q", "quit", "quit", show=False),
    ]

    def __init__(
        self,
        source: Source,
        namespace: str,
        pcs: str | None = None,
        where: str | None = None,
        window: float = 15.0,
        light: bool = False,
    ) -> None:
        super().__init__()
        self.source = source
        self.namespace = namespace
        self.pcs = pcs
        self.where = where or source.description
        self.window = window
        self.live = is_live(source)
        self.light = light
        self.view = "hierarchy"
        self.needle = ""
        self.frame: Frame | None = None
        self.link = LinkState(Link.connecting)
        self.message = ""
        self.metrics = panes.MetricsHistory()
        self.redraws = 0  # frames drawn (tests wait on it)
        self.frames = 0  # frames received from the feed (a repeated one counts)
        self._pending: Frame | None = None
        self._stale: set[str] = set()
        self._stop = Event()
        self._metrics_pcs: str | None = pcs

    # --- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        with ContentSwitcher(initial="hierarchy"):
            tree: Tree[Selected] = Tree("PodCliqueSets", id="hierarchy")
            tree.show_root = False
            tree.guide_depth = 3
            yield tree
            for view, _ in VIEWS[1:]:
                with VerticalScroll(id=view, classes="pane"):
                    yield Static(Text("Waiting for the first snapshot …", "dim"), id=f"{view}-body")
        yield Static(id="status")

    def on_mount(self) -> None:
        if self.light:
            self.theme = "textual-light"
        self._draw_chrome()
        self.set_interval(REDRAW_SECONDS, self._draw_pending)
        self.set_interval(1.0, self._tick)
        self._start()

    def on_unmount(self) -> None:
        self._stop.set()

    # --- data ----------------------------------------------------------------------------------

    def _start(self) -> None:
        """(Re)start the watch and the metrics windows for the current namespace."""
        self._stop.set()
        stop = self._stop = Event()
        namespace, pcs = self.namespace, self.pcs
        offer, link = self._from_thread(self._offer, stop), self._from_thread(self._set_link, stop)
        metrics = self._from_thread(self._got_metrics, stop)
        _thread("feed", lambda: watch_frames(self.source, namespace, pcs, offer, link, stop))
        _thread(
            "metrics",
            lambda: metrics_windows(
                self.source, namespace, lambda: self._metrics_pcs, self.window, metrics, stop
            ),
        )

    def _from_thread(self, method: Callable[[T], None], stop: Event) -> Callable[[T], None]:
        """A callback for a worker thread that runs ``method`` on the app's loop, unless the
        worker's ``stop`` is set by then (a namespace switch, a re-list, quitting): a frame of
        the previous namespace never lands after the switch."""

        def on_loop(value: T) -> None:
            if not stop.is_set():
                method(value)

        def call(value: T) -> None:
            if stop.is_set() or not self.is_running:
                return
            with suppress(RuntimeError):  # the app closed meanwhile
                self.call_from_thread(on_loop, value)

        return call

    def _offer(self, frame: Frame) -> None:
        self.frames += 1
        self._pending = frame  # drawn by the next _draw_pending: at most one redraw per interval

    def _set_link(self, state: LinkState) -> None:
        self.link = state
        self._draw_chrome()

    def _got_metrics(self, result: MetricsResult) -> None:
        self.metrics.add(result)
        self._draw("metrics") if self.view == "metrics" else self._stale.add("metrics")

    def _aim_metrics(self) -> None:
        """The PodCliqueSet whose metrics to read next (kept on the loop, read by the metrics
        thread): the one asked for, the selected one, else the first."""
        selected, frame = self._selected(), self.frame
        first = frame.status.items[0].overview.name if frame and frame.status.items else None
        self._metrics_pcs = self.pcs or (selected.pcs if selected else None) or first

    def on_tree_node_highlighted(self) -> None:
        self._aim_metrics()

    def _draw_pending(self) -> None:
        if self._pending is None:
            return
        frame, self._pending = self._pending, None
        self.frame = frame
        self._stale = {view for view, _ in VIEWS}
        self._draw(self.view)
        self._draw_chrome()
        self._aim_metrics()
        self.redraws += 1

    def _tick(self) -> None:
        """Countdowns move every second on a cluster; the header's clock too."""
        if self.live and self.view == "health" and self.frame is not None:
            self._draw("health")

    # --- drawing -------------------------------------------------------------------------------

    def _draw_chrome(self) -> None:
        self.query_one("#header", Static).update(self._header())
        said = self.message or self.link.message
        ok = not self.message and self.link.link is Link.live  # "connected again"
        status = (
            Text(said, "green" if ok else "red")
            if said
            else Text(
                "? help · / filter · n namespace · y yaml · d describe · l logs · r re-list", "dim"
            )
        )
        self.query_one("#status", Static).update(status)

    def _header(self) -> Text:
        line = Text.assemble(("grove", "bold"), f" · {self.where} · ns ", (self.namespace, "bold"))
        if self.pcs:
            line.append(f" · {self.pcs}")
        if self.needle:
            line.append(f" · filter '{self.needle}'", "yellow")
        line.append(" · ")
        line.append_text(self._link_text())
        gap = "  " if self.size.width >= 90 else " "
        keys = Text.from_markup(
            gap.join(
                f"[@click=app.show('{view}')]{'[reverse]' if view == self.view else ''}"
                f"\\[{i}] {label}{'[/reverse]' if view == self.view else ''}[/]"
                for i, (view, label) in enumerate(VIEWS, 1)
            )
            + f"{gap}[@click=app.help]\\[?] help[/]{gap}[@click=app.quit]\\[q]uit[/]"
        )
        header = Text("\n").join([line, keys])
        header.no_wrap, header.overflow = True, "ellipsis"  # two lines, whatever the width
        return header

    def _link_text(self) -> Text:
        link, frame = self.link.link, self.frame
        at = frame.as_of.strftime("%H:%M:%S") if frame else None
        if link is Link.static:
            when = frame.as_of.strftime("%Y-%m-%d %H:%M:%SZ") if frame else "?"
            return Text(f"captured at {when}", "cyan")
        if link is Link.live:
            return Text(f"● watching · updated {at}", "green")
        if link is Link.lost:
            retry_in = self.link.retry_in
            retry = (
                ""
                if retry_in is None
                else (f", reconnecting in {retry_in:g}s" if retry_in else ", reconnecting now")
            )
            return Text(f"○ connection lost{retry}" + (f" · last {at}" if at else ""), "red")
        return Text("connecting …", "yellow")

    def _draw(self, view: str) -> None:
        self._stale.discard(view)
        try:
            if view == "hierarchy":
                self._draw_tree()
            else:
                self.query_one(f"#{view}-body", Static).update(self._pane(view))
        except Exception as err:
            self.message = f"cannot draw {view}: {error_text(err)}"
            self._draw_chrome()

    def _pane(self, view: str) -> RenderableType:
        if view == "metrics":
            return panes.metrics_pane(self.metrics, self.live, self.window)
        frame = self.frame
        if frame is None:
            return Text("Waiting for the first snapshot …", "dim")
        if view == "topology":
            return panes.topology_pane(frame, self.needle)
        if view == "health":
            return panes.health_pane(frame, frame.now(self.live), self.needle)
        return panes.updates_pane(frame, self.needle)

    def _draw_tree(self) -> None:
        """Rebuild the tree from the frame, keeping what was expanded and the cursor's row."""
        tree = self.query_one("#hierarchy", Tree)
        if self.frame is None:
            return
        expanded, first = self._expanded(tree.root), not tree.root.children
        cursor = tree.cursor_node.data if tree.cursor_node is not None else None
        tree.clear()
        placed = _Placing(expanded, first, cursor, open_all=bool(self.needle))
        for row in rows(self.frame, self.needle):
            placed.add(tree.root, row, shown=True)
        tree.cursor_line = placed.cursor_line  # the same object's row, else the first

    def _expanded(self, node: TreeNode[Selected]) -> set[Selected]:
        found: set[Selected] = set()
        for child in node.children:
            if child.is_expanded and child.data is not None:
                found.add(child.data)
            found |= self._expanded(child)
        return found

    def _selected(self) -> Selected | None:
        node = self.query_one("#hierarchy", Tree).cursor_node
        return node.data if node is not None else None

    # --- actions -------------------------------------------------------------------------------

    def action_show(self, view: str) -> None:
        self.view = view
        self.query_one(ContentSwitcher).current = view
        if view in self._stale or view == "metrics":
            self._draw(view)
        target = self.query_one("#hierarchy") if view == "hierarchy" else self.query_one(f"#{view}")
        target.focus()
        self._draw_chrome()

    def action_move(self, lines: int) -> None:
        if self.view == "hierarchy":
            tree = self.query_one("#hierarchy", Tree)
            tree.action_cursor_down() if lines > 0 else tree.action_cursor_up()
        else:
            self.query_one(f"#{self.view}", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_filter(self) -> None:
        def apply(answer: str | None) -> None:
            if answer is not None:
                self.needle = answer
                self._redraw_all()

        self.push_screen(PromptScreen("Filter by name (empty: no filter):", self.needle), apply)

    def action_clear_filter(self) -> None:
        """Esc: clear the filter and the status line's message."""
        self._say("")
        if self.needle:
            self.needle = ""
            self._redraw_all()

    def _redraw_all(self) -> None:
        self._stale = {view for view, _ in VIEWS}
        self._draw(self.view)
        self._draw_chrome()

    def action_namespace(self) -> None:
        def switch(answer: str | None) -> None:
            if not answer or answer == self.namespace:
                return
            try:
                validate_namespace(answer)
            except GroveError as err:
                self.message = err.message
                self._draw_chrome()
                return
            self.namespace = answer
            self._restart()

        self.push_screen(PromptScreen("Namespace:", self.namespace), switch)

    def action_relist(self) -> None:
        self._restart()

    def _restart(self) -> None:
        self.frame, self._pending = None, None
        self.metrics = panes.MetricsHistory()
        self.query_one("#hierarchy", Tree).clear()
        for view, _ in VIEWS[1:]:
            self.query_one(f"#{view}-body", Static).update(
                Text("Waiting for the first snapshot …", "dim")
            )
        self.link, self.message = LinkState(Link.connecting), ""
        self._draw_chrome()
        self._start()

    def action_help(self) -> None:
        self.push_screen(TextScreen("Keys", help_text()))

    def action_yaml(self) -> None:
        self._open(
            lambda s: core.object_yaml(core.read_object(self.source, s.kind, s.namespace, s.name)),
            "YAML",
        )

    def action_describe(self) -> None:
        self._open(
            lambda s: describe_text(core.describe_object(self.source, s.kind, s.namespace, s.name)),
            "describe",
        )

    def action_logs(self) -> None:
        selected = self._selected()
        if selected is not None and selected.kind != "Pod":
            self._say("Logs are per pod: select a pod in the hierarchy (expand a PodClique).")
            return
        self._open(self._log_text, "logs", follow=self.live)

    def _log_text(self, selected: Selected) -> str:
        log = core.read_log(self.source, selected.namespace, selected.name, None, LOG_LINES)
        note = f"[{log.note}]\n" if log.note else ""
        return note + log.text

    def _open(self, read: Reader, what: str, follow: bool = False) -> None:
        """Read the selected object's ``what`` in a worker, then show it in a pop-up."""
        selected = self._selected()
        if selected is None:
            self._say("Select a row in the hierarchy (press 1) first.")
            return
        title = f"{what}: {selected.kind} {selected.namespace}/{selected.name}"

        stop, shown = self._stop, self._from_thread(self._show_text, self._stop)
        said = self._from_thread(self._say, stop)

        def work() -> None:
            try:
                text = read(selected)
            except Exception as err:
                said(f"{what} of {selected.name}: {error_text(err)}")
                return
            again = (lambda: _safe(read, selected)) if follow else None
            shown(TextScreen(title, text, again))

        self._say("")
        _thread("open", work)

    def _show_text(self, screen: TextScreen) -> None:
        """Pop it up, unless another pop-up is open already (keys pressed in a row)."""
        if not isinstance(self.screen, TextScreen | PromptScreen):
            self.push_screen(screen)

    def _say(self, message: str) -> None:
        self.message = message
        self._draw_chrome()


class _Placing:
    """Adds rows to the tree: expanded as before (a first build, or a filter, opens the
    PodCliqueSets and gangs; a filter opens everything), counting the visible lines to find
    the cursor's row at once (not after a refresh: no flicker, nothing to wait for)."""

    def __init__(
        self, expanded: set[Selected], first: bool, cursor: Selected | None, open_all: bool
    ) -> None:
        self.expanded, self.first, self.cursor, self.open_all = expanded, first, cursor, open_all
        self.lines = 0
        self.cursor_line = 0

    def add(self, parent: TreeNode[Selected], row: Row, shown: bool) -> None:
        if shown:
            if row.key == self.cursor:
                self.cursor_line = self.lines
            self.lines += 1
        if not row.children:
            parent.add_leaf(row.label, data=row.key)
            return
        opened = (
            self.open_all
            or row.key in self.expanded
            or (self.first and row.key.kind in ("PodCliqueSet", "PodGang"))
        )
        node = parent.add(row.label, data=row.key, expand=opened)
        for child in row.children:
            self.add(node, child, shown and opened)


def _thread(name: str, work: Callable[[], None]) -> None:
    """Run ``work`` on a daemon thread: quitting never waits for a request in flight (Textual's
    thread workers would hold the exit until each one's timeout)."""
    threading.Thread(target=work, name=f"grove-tui-{name}", daemon=True).start()


def _safe(read: Reader, selected: Selected) -> str:
    try:
        return str(read(selected))
    except Exception as err:
        return f"[cannot read: {error_text(err)}]"
