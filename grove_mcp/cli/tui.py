"""``kubectl grove tui``: the interactive terminal UI (the ``[tui]`` extra, Textual), started
on a cluster (watched), a bundle or the demo. Textual is imported only when it runs."""

from __future__ import annotations

import os
import sys
import threading
from typing import Annotated

import typer

from ..errors import InvalidInput
from ..render import OutputFormat
from .options import BundlePath, Context, Demo, Kubeconfig, Namespace, Target, Timeout
from .run import handled_errors, source_for, validate

OptionalName = typer.Argument(
    None, help="Only this PodCliqueSet (default: every one in the namespace).", show_default=False
)
Window = Annotated[
    float,
    typer.Option(
        "--refresh-interval",
        help="Seconds per metrics window (the metrics view only; the rest follows the watch API).",
        min=5.0,
    ),
]
Theme = Annotated[
    str, typer.Option("--theme", help="Colours for a dark or a light terminal: dark | light.")
]


def tui(
    name: str | None = OptionalName,
    namespace: Namespace = None,
    context: Context = None,
    kubeconfig: Kubeconfig = None,
    demo: Demo = False,
    bundle: BundlePath = None,
    request_timeout: Timeout = 15.0,
    refresh_interval: Window = 15.0,
    theme: Theme = "dark",
) -> None:
    """Live hierarchy, topology, health, metrics and rolling updates in the terminal
    (needs the [tui] extra: pip install 'grove-mcp[tui]')."""
    target = Target(
        namespace, context, kubeconfig, OutputFormat.text, demo, bundle, request_timeout
    )
    with handled_errors():
        validate(target, name)
        if theme not in ("dark", "light"):
            raise InvalidInput(f"--theme is dark or light, not '{theme}'.")
        try:
            from ..tui.app import GroveTui
        except ImportError as err:
            raise InvalidInput(
                f"The TUI needs the [tui] extra ({err.name} is missing): "
                "pip install 'grove-mcp[tui]'."
            ) from None
        source = source_for(target)
        where = "demo" if demo else (f"bundle {bundle}" if bundle else source.description)
        app = GroveTui(
            source,
            namespace or source.default_namespace,
            name,
            where=where,
            window=refresh_interval,
            light=theme == "light",
        )
    app.run()
    _leave_now_if_held(app.return_code or 0)
    if app.return_code:
        raise typer.Exit(app.return_code)


def _leave_now_if_held(code: int) -> None:
    """A LIST still in flight (a hung API server) would hold the interpreter's exit until its
    timeout: concurrent.futures joins the source's pool threads at exit. The TUI has restored
    the terminal and has nothing left to save, so it leaves without waiting for them."""
    held = [t for t in threading.enumerate() if t.name.startswith("grove") and t.is_alive()]
    if held:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
