"""``kubectl grove diag``: capture a redacted bundle that every command reads offline
(``--bundle``). The core reads and redacts; this command writes the bundle where ``-o`` says (a
directory, or a ``.tar.gz``), then says what it holds. Exit 0 when every collector read
everything, 1 when something is missing (the summary and the manifest say what), 2+ on errors."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .. import core
from ..errors import InvalidInput
from ..render import OutputFormat
from .completion import complete_pcs_name
from .options import AllFlag, Context, Kubeconfig, Namespace, Target, Timeout
from .window import Window, _seconds

if TYPE_CHECKING:
    from ..reports.diag import DiagReport
    from ..sources.bundle import Bundle

OutPath = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        help="Where to write: a directory, or a file ending in .tar.gz (default: "
        "grove-diag-<namespace>-<name>-<time>.tar.gz here).",
        show_default=False,
    ),
]
Since = Annotated[
    float, typer.Option("--since", help="Events newer than this: 10m, 1h, 600.", parser=_seconds)
]
MetricsFlag = Annotated[
    bool,
    typer.Option("--metrics", help="Also scrape every engine pod twice, --window apart."),
]
Logs = Annotated[
    int, typer.Option("--logs", help="Log lines per container (0: none).", min=0, max=100_000)
]


def diag(
    name: Annotated[
        str | None,
        typer.Argument(
            help="PodCliqueSet name.", show_default=False, autocompletion=complete_pcs_name
        ),
    ] = None,
    all_: AllFlag = False,
    namespace: Namespace = None,
    context: Context = None,
    kubeconfig: Kubeconfig = None,
    output: OutPath = None,
    since: Since = 600.0,
    logs: Logs = 200,
    metrics: MetricsFlag = False,
    window: Window = 30.0,
    request_timeout: Timeout = 15.0,
) -> None:
    from rich.progress import Progress  # what the command runs is imported when it runs

    from ..core import DiagArgs
    from ..reports.diag import DiagReport
    from .run import error_console, exit_by_verdict, handled_errors, source_for, validate

    target = Target(namespace, context, kubeconfig, OutputFormat.text, False, None, request_timeout)
    with handled_errors():
        if all_ == bool(name):
            raise InvalidInput("Pass a PodCliqueSet name or --all to 'diag' (one of the two).")
        validate(target, name)
        if output is not None and output.exists() and not output.is_dir():
            raise InvalidInput(f"{output} exists: choose a new file name, or a directory.")
        source = source_for(target)
        with Progress(console=error_console(), transient=True) as bar:
            task = bar.add_task("capturing", total=1)

            def on_progress(done: int, total: int, what: str) -> None:
                bar.update(task, completed=done, total=total, description=what)

            def write(bundle: Bundle) -> str:
                path = output or Path(_default_name(bundle, name))
                if path.suffixes[-2:] == [".tar", ".gz"]:
                    return str(bundle.write_tar(path))
                return str(bundle.write(path))

            args = DiagArgs(
                write,
                since_seconds=since,
                log_lines=logs,
                metrics_window=window if metrics else None,
                on_progress=on_progress,
            )
            report = core.run("diag", source, namespace, name, args)
    assert isinstance(report, DiagReport)
    _print(report)
    exit_by_verdict(report)


def _print(report: DiagReport) -> None:
    from ..render import emit
    from .run import console

    emit(report, OutputFormat.text, console())


def _default_name(bundle: Bundle, name: str | None) -> str:
    stamp = bundle.manifest.captured_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"grove-diag-{bundle.manifest.namespace}-{name or 'all'}-{stamp}.tar.gz"
