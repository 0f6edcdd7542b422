"""``kubectl grove metrics``, ``compare`` and ``diagnose``: one window of the workload's metrics
(scraped through the pod proxy or the pod IPs, recorded in a bundle, or asked of Prometheus;
the flags: window.py), with a progress bar on stderr while the window elapses. Ctrl-C stops
the wait."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from .. import core
from ..errors import InvalidInput
from ..render import OutputFormat
from .options import Name, Target, with_target
from .window import SCRAPE, PlanFile, ScrapeFlags, Window, metrics_args, with_scrape

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..core import MetricsArgs


SinceStart = Annotated[
    bool,
    typer.Option("--since-start", help="Lifetime figures from one scrape, without waiting."),
]
WatchWindows = Annotated[
    bool, typer.Option("-w", "--watch", help="Redraw after every window until Ctrl-C.")
]


def _one_window(target: Target, name: str, capability: str, args: MetricsArgs) -> BaseModel:
    from ..core import MetricsArgs
    from .progress import run_cancellable, window_progress
    from .run import error_console, source_for

    source = source_for(target)
    title = f"{capability} {name}: collecting a {args.window:g}s window"

    def work(cancel: threading.Event, on_progress: Callable[[float, str], None]) -> BaseModel:
        given = MetricsArgs(**{**args.__dict__, "on_progress": on_progress, "cancel": cancel})
        return core.run(capability, source, target.namespace, name, given)

    with window_progress(error_console(), title) as on_progress:
        return run_cancellable(lambda cancel: work(cancel, on_progress))


def _run(target: Target, name: str, capability: str, args: MetricsArgs, watch: bool) -> None:
    """One window (or one after the other with --watch), printed; exit by the verdict."""
    from ..render import emit
    from .run import console, exit_by_verdict, handled_errors, source_for, validate

    with handled_errors():
        validate(target, name)
        if watch and (target.demo or target.bundle):
            raise InvalidInput("--watch needs a live cluster: a bundle's recording is fixed.")
        if args.no_metrics:
            report = core.run(capability, source_for(target), target.namespace, name, args)
        else:
            report = _one_window(target, name, capability, args)
        emit(report, target.output, console())
        while watch:
            report = _one_window(target, name, capability, args)
            if target.output is OutputFormat.text:
                console().clear()
            emit(report, target.output, console())
    exit_by_verdict(report)


def metrics_command(capability: str) -> Callable[..., None]:
    @with_target
    @with_scrape
    def command(
        target: Target,
        name: Name,
        window: Window = 30.0,
        since_start: SinceStart = False,
        scrape: ScrapeFlags = SCRAPE,
        plan: PlanFile = None,
        watch: WatchWindows = False,
    ) -> None:
        from .run import handled_errors

        with handled_errors():
            args = metrics_args(window, since_start, scrape, plan)
        _run(target, name, capability, args, watch)

    return command


NoMetrics = Annotated[
    bool,
    typer.Option("--no-metrics", help="Read no metrics window: faster; latency is not checked."),
]


@with_target
@with_scrape
def diagnose(
    target: Target,
    name: Name,
    window: Window = 30.0,
    no_metrics: NoMetrics = False,
    scrape: ScrapeFlags = SCRAPE,
    plan: PlanFile = None,
) -> None:
    from ..core import MetricsArgs
    from .run import handled_errors

    with handled_errors():
        args = metrics_args(window, False, scrape, plan)
        args = MetricsArgs(**{**args.__dict__, "no_metrics": no_metrics})
    _run(target, name, "diagnose", args, watch=False)


metrics = metrics_command("metrics")
compare = metrics_command("compare")
