"""The metrics window's flags, declared once for ``metrics``, ``compare``, ``diagnose`` and
``replan`` (``diag`` takes ``--window`` too): ``--window``, ``--plan``, and how the pods are
read, which ``with_scrape`` puts where a command's ``scrape: ScrapeFlags`` parameter stands.
``metrics_args`` makes the window's arguments of them."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import InvalidInput
from ..sources.scrape import DEFAULT_TIMEOUT, ScrapeVia

if TYPE_CHECKING:
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


@dataclass(frozen=True)
class ScrapeFlags:
    """How the window reads the pods, as given (None: the config file's, or discovery's)."""

    via: ScrapeVia = ScrapeVia.auto
    port: int | None = None
    path: str | None = None
    timeout: float | None = None
    prometheus_url: str | None = None


#: No flag given: the default of a command's ``scrape`` parameter, and of the options.
SCRAPE = ScrapeFlags()
# ScrapeFlags' fields, in its order, as CLI options (by the parameter names they always had).
_SCRAPE_OPTIONS = (
    ("scrape_via", Via),
    ("metrics_port", Port),
    ("metrics_path", MetricsPath),
    ("scrape_timeout", ScrapeTimeout),
    ("prometheus_url", PrometheusUrl),
)


def with_scrape(command: Callable[..., None]) -> Callable[..., None]:
    """``command(..., scrape: ScrapeFlags, ...)`` as a CLI command that takes the scrape
    options in ``scrape``'s place; typer reads the combined signature."""
    own = list(inspect.signature(command, eval_str=True).parameters.values())
    at = next(i for i, p in enumerate(own) if p.name == "scrape")
    options = [
        inspect.Parameter(name, own[at].kind, default=default, annotation=annotation)
        for (name, annotation), default in zip(_SCRAPE_OPTIONS, astuple(SCRAPE), strict=True)
    ]

    @functools.wraps(command)
    def with_options(*args: Any, **given: Any) -> None:
        scrape = ScrapeFlags(*(given.pop(name) for name, _ in _SCRAPE_OPTIONS))
        command(*args, scrape=scrape, **given)

    parameters = [*own[:at], *options, *own[at + 1 :]]
    with_options.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    with_options.__annotations__ = {p.name: p.annotation for p in parameters}
    return with_options


def metrics_args(
    window: float, since_start: bool, scrape: ScrapeFlags, plan: Path | None
) -> MetricsArgs:
    """The window's arguments: the flags, else the config file's ``metrics`` keys."""
    from ..config import load_settings
    from ..core import MetricsArgs
    from ..planfile import read_plan

    if scrape.path is not None and not scrape.path.startswith("/"):
        raise InvalidInput(f"--metrics-path {scrape.path!r} must start with '/'.")
    configured = load_settings().config.metrics
    return MetricsArgs(
        window=window,
        since_start=since_start,
        scrape_via=scrape.via,
        port=scrape.port if scrape.port is not None else configured.port,
        path=scrape.path,
        timeout=scrape.timeout if scrape.timeout is not None else configured.scrape_timeout,
        prometheus_url=scrape.prometheus_url,
        plan=read_plan(plan) if plan is not None else None,
    )
