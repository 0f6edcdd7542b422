"""``kubectl grove metrics`` and ``compare``: one window of the workload's metrics (scraped
through the pod proxy or the pod IPs, recorded in a bundle, or asked of Prometheus), with a
progress bar on stderr while the window elapses. Ctrl-C stops the wait."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .. import core
from ..errors import InvalidInput
from ..render import OutputFormat
from ..sources.scrape import DEFAULT_TIMEOUT, ScrapeVia
from .options import Name, Target, with_target

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..core import MetricsArgs


def _seconds(text: str) -> float:
    """``30``, ``30s``, ``2m``, ``1m30s`` → seconds; refused (exit 2) otherwise."""
    from ..grove.base import parse_duration

    try:
        number = float(text)
    except ValueError:
        try:
            found = parse_duration(text)
        except ValueError:
            found = None
        if found is None:
            raise typer.BadParameter(f"{text!r} is not a duration: give e.g. 30, 30s, 2m") from None
        number = found.total_seconds()
    if not 1 <= number <= 3600:
        raise typer.BadParameter(f"{text} is out of range: give 1s to 3600s")
    return number


Window = Annotated[
    float,
    typer.Option(
        "--window",
        help="Time between the first and last scrape: 30, 30s, 2m (1s to 1h).",
        parser=_seconds,
    ),
]
SinceStart = Annotated[
    bool,
    typer.Option("--since-start", help="Lifetime figures from one scrape, without waiting."),
]
Via = Annotated[
    ScrapeVia,
    typer.Option(
        "--scrape-via",
        help="auto: the pod IPs inside a cluster, else the API server's pod proxy.",
        case_sensitive=False,
    ),
]
Port = Annotated[
    int | None,
    typer.Option(
        "--metrics-port",
        help="Scrape this port (overrides what discovery finds; default: metrics.port of the "
        "config file).",
        min=1,
        max=65535,
    ),
]
MetricsPath = Annotated[
    str | None, typer.Option("--metrics-path", help="Scrape this path (default: the engine's).")
]
ScrapeTimeout = Annotated[
    float | None,
    typer.Option(
        "--scrape-timeout",
        help=f"Seconds to wait for each pod (default: metrics.scrape_timeout of the config file, "
        f"else {DEFAULT_TIMEOUT:g}).",
        min=0.5,
        show_default=False,
    ),
]
PrometheusUrl = Annotated[
    str | None,
    typer.Option(
        "--prometheus-url",
        help="Ask this Prometheus (PromQL over the window) instead of scraping the pods.",
    ),
]
PlanFile = Annotated[
    Path | None,
    typer.Option("--plan", help="A plan.json to judge against instead of the stored plan."),
]
WatchWindows = Annotated[
    bool, typer.Option("-w", "--watch", help="Redraw after every window until Ctrl-C.")
]


def metrics_args(
    window: float,
    since_start: bool,
    via: ScrapeVia,
    port: int | None,
    path: str | None,
    timeout: float | None,
    prometheus_url: str | None,
    plan: Path | None,
) -> MetricsArgs:
    """The window's arguments: the flags, else the config file's ``metrics`` keys."""
    from ..config import load_settings
    from ..core import MetricsArgs
    from ..planfile import read_plan

    if path is not None and not path.startswith("/"):
        raise InvalidInput(f"--metrics-path {path!r} must start with '/'.")
    configured = load_settings().config.metrics
    return MetricsArgs(
        window=window,
        since_start=since_start,
        scrape_via=via,
        port=port if port is not None else configured.port,
        path=path,
        timeout=timeout if timeout is not None else configured.scrape_timeout,
        prometheus_url=prometheus_url,
        plan=read_plan(plan) if plan is not None else None,
    )


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
    def command(
        target: Target,
        name: Name,
        window: Window = 30.0,
        since_start: SinceStart = False,
        scrape_via: Via = ScrapeVia.auto,
        metrics_port: Port = None,
        metrics_path: MetricsPath = None,
        scrape_timeout: ScrapeTimeout = None,
        prometheus_url: PrometheusUrl = None,
        plan: PlanFile = None,
        watch: WatchWindows = False,
    ) -> None:
        from .run import handled_errors

        with handled_errors():
            args = metrics_args(
                window, since_start, scrape_via, metrics_port, metrics_path,
                scrape_timeout, prometheus_url, plan,
            )  # fmt: skip
        _run(target, name, capability, args, watch)

    return command


NoMetrics = Annotated[
    bool,
    typer.Option("--no-metrics", help="Read no metrics window: faster; latency is not checked."),
]


@with_target
def diagnose(
    target: Target,
    name: Name,
    window: Window = 30.0,
    no_metrics: NoMetrics = False,
    scrape_via: Via = ScrapeVia.auto,
    metrics_port: Port = None,
    metrics_path: MetricsPath = None,
    scrape_timeout: ScrapeTimeout = None,
    prometheus_url: PrometheusUrl = None,
    plan: PlanFile = None,
) -> None:
    from ..core import MetricsArgs
    from .run import handled_errors

    with handled_errors():
        args = metrics_args(
            window, False, scrape_via, metrics_port, metrics_path,
            scrape_timeout, prometheus_url, plan,
        )  # fmt: skip
        args = MetricsArgs(**{**args.__dict__, "no_metrics": no_metrics})
    _run(target, name, "diagnose", args, watch=False)


metrics = metrics_command("metrics")
compare = metrics_command("compare")
