"""``kubectl grove tui``: the interactive terminal UI (the ``[tui]`` extra, Textual), started
on a cluster (watched), a bundle or the demo. Textual is imported only when it runs."""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from ..config import load_settings
from ..errors import InvalidInput
from ..render import OutputFormat
from ..sources.agents import TUI_AGENT
from .completion import complete_pcs_name
from .leave import leave_now
from .options import BundlePath, Context, Demo, Kubeconfig, Namespace, Target, Timeout
from .run import handled_errors, source_for, validate

OptionalName = typer.Argument(
    None,
    help="Only this PodCliqueSet (default: every one in the namespace).",
    show_default=False,
    autocompletion=complete_pcs_name,
)
Window = Annotated[
    float | None,
    typer.Option(
        "--refresh-interval",
        help="Seconds per metrics window (the metrics view only; the rest follows the watch API). "
        "Default: tui.refresh_interval of the config file, else 15.",
        min=5.0,
        show_default=False,
    ),
]
Theme = Annotated[
    str | None,
    typer.Option(
        "--theme",
        help="Colours for a dark or a light terminal: dark | light (default: tui.color_scheme "
        "of the config file, else dark).",
        show_default=False,
    ),
]


def tui(
    name: str | None = OptionalName,
    namespace: Namespace = None,
    context: Context = None,
    kubeconfig: Kubeconfig = None,
    demo: Demo = False,
    bundle: BundlePath = None,
    request_timeout: Timeout = 15.0,
    refresh_interval: Window = None,
    theme: Theme = None,
) -> None:
    """Live hierarchy, topology, health, metrics and rolling updates in the terminal
    (needs the [tui] extra: pip install 'grove-mcp[tui]')."""
    target = Target(
        namespace, context, kubeconfig, OutputFormat.text, demo, bundle, request_timeout
    )
    with handled_errors():
        validate(target, name)
        configured = load_settings().config.tui
        theme = theme or configured.color_scheme
        refresh_interval = refresh_interval or configured.refresh_interval
        if theme not in ("dark", "light"):
            raise InvalidInput(f"--theme is dark or light, not '{theme}'.")
        try:
            from ..tui.app import GroveTui
        except ImportError as err:
            raise InvalidInput(
                f"The TUI needs the [tui] extra ({err.name} is missing): "
                "pip install 'grove-mcp[tui]'."
            ) from None
        source = source_for(target, TUI_AGENT)
        where = "demo" if demo else (f"bundle {bundle}" if bundle else source.description)
        app = GroveTui(
            source,
            namespace or source.default_namespace,
            name,
            where=where,
            window=refresh_interval,
            light=theme == "light",
        )
    before = set(threading.enumerate())
    app.run()
    _leave_now_if_held(app.return_code or 0, before)
    if app.return_code:
        raise typer.Exit(app.return_code)


def _leave_now_if_held(code: int, before: set[threading.Thread]) -> None:
    """A LIST still in flight (a hung API server) would hold the interpreter's exit until its
    timeout: concurrent.futures joins the source's pool threads at exit. The TUI has restored
    the terminal and has nothing left to save, so it leaves without waiting for them. Only
    threads the TUI started count (``before`` holds those that ran already)."""
    held = [
        t
        for t in threading.enumerate()
        if t not in before and t.name.startswith("grove") and t.is_alive()
    ]
    if held:
        leave_now(code)
