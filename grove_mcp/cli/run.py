"""Run one command: open the source, call the core, render, and turn the result into an exit code.

Exit codes: 0 all good · 1 the report found problems · 2 invalid input · 3 not found ·
4 cluster, permission or bundle errors. No stack traces reach users (GROVE_DEBUG=1 shows them).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.text import Text

from .. import core
from ..config import load_settings
from ..errors import GroveError, InvalidInput
from ..names import validate_namespace, validate_pcs_name
from ..render import OutputFormat, emit, render
from ..sources import Source, open_source
from ..sources.agents import CLI_AGENT
from .options import Target

EXIT_FINDINGS = 1


PIPE_WIDTH = 160


def console() -> Console:
    """Colour on a terminal, plain when piped or with NO_COLOR (rich honours both).

    Piped output is laid out PIPE_WIDTH wide (or $COLUMNS) rather than truncated to 80.
    """
    width = None if sys.stdout.isatty() else _columns()
    return Console(highlight=False, soft_wrap=False, width=width)


def _columns() -> int:
    try:
        return max(40, int(os.environ.get("COLUMNS", "")))
    except ValueError:
        return PIPE_WIDTH


def error_console() -> Console:
    return Console(stderr=True, highlight=False)


@contextmanager
def handled_errors() -> Iterator[None]:
    """Turn errors into a one-paragraph message and the exit code that classifies them."""
    try:
        yield
    except GroveError as err:  # its message is redacted where it was made
        message = Text.assemble(("Error: ", "bold red"), err.message)
        error_console().print(message, soft_wrap=True)
        raise typer.Exit(err.exit_code) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except Exception as err:  # a bug: say so plainly, keep the trace for GROVE_DEBUG
        if os.environ.get("GROVE_DEBUG"):
            raise
        bug = GroveError(
            f"{type(err).__name__}: {err}. Rerun with GROVE_DEBUG=1 for the traceback and "
            "report it."
        )
        error_console().print(Text.assemble(("Internal error: ", "bold red"), bug.message))
        raise typer.Exit(4) from None


def validate(target: Target, name: str | None) -> None:
    """Refuse bad input before any API call."""
    if target.namespace is not None:
        validate_namespace(target.namespace)
    if name is not None:
        validate_pcs_name(name)
    if target.demo and target.bundle:
        raise InvalidInput("Pass either --demo or --bundle, not both.")


def source_for(target: Target, agent: str = CLI_AGENT) -> Source:
    """The source the flags name; a cluster's default namespace is the config file's
    ``defaults.namespace`` when it sets one (else the kubeconfig context's), and Grove's
    operator is looked for in ``defaults.operator_namespace`` when it is set. ``agent``: the
    program the cluster's audit log names (the TUI's differs from the CLI's)."""
    defaults = load_settings().config.defaults
    return open_source(
        demo=target.demo,
        bundle=str(target.bundle) if target.bundle else None,
        kubeconfig=str(target.kubeconfig) if target.kubeconfig else None,
        context=target.context,
        timeout=target.timeout,
        namespace=defaults.namespace,
        operator_namespace=defaults.operator_namespace,
        agent=agent,
    )


def exit_by_verdict(report: BaseModel) -> None:
    """Exit 1 when the report's own verdict found problems (every front end reads it)."""
    if not report.summary.ok:  # type: ignore[attr-defined]
        raise typer.Exit(EXIT_FINDINGS)


def run_report(target: Target, name: str | None, call: Callable[[Source], BaseModel]) -> None:
    """One-shot report: fetch, print, exit 0 / 1 by its verdict."""
    with handled_errors():
        validate(target, name)
        report = call(source_for(target))
        emit(report, target.output, console())
    exit_by_verdict(report)


def retries_on_stderr(source: Source) -> core.Heard:
    """Say on stderr (never stdout, which may be JSON), once, that the watch lost the
    cluster and is retrying, and once that it is connected again."""
    lost = False

    def heard(err: GroveError | None, pause: float) -> None:
        nonlocal lost
        if err is not None and not lost:
            error_console().print(core.lost_text(source, err), soft_wrap=True, style="yellow")
        elif err is None and lost:
            error_console().print(core.BACK_TEXT, style="green")
        lost = err is not None

    return heard


def run_watch(
    target: Target, name: str | None, reports: Callable[[Source], Iterator[BaseModel]]
) -> None:
    """Redraw on every change until Ctrl-C; JSON/YAML print one document per change."""
    out = console()
    with handled_errors():
        validate(target, name)
        stream = reports(source_for(target))
        if target.output is not OutputFormat.text or not out.is_terminal:
            for report in stream:
                emit(report, target.output, out)
                sys.stdout.flush()
            return
        from rich.live import Live  # only a watch on a terminal redraws

        fancy = not out.no_color
        last = None
        try:
            with Live(console=out, screen=True, auto_refresh=False) as live:
                for last in stream:
                    live.update(render(last, OutputFormat.text, fancy), refresh=True)
        finally:
            if last is not None:  # the alternate screen is gone: leave the last frame
                out.print(render(last, OutputFormat.text, fancy))
