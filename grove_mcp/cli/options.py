"""The kubectl-style options every command shares, declared once (``with_target``)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from ..render import OutputFormat
from .completion import complete_pcs_name

Namespace = Annotated[
    str | None,
    typer.Option("-n", "--namespace", help="Namespace (default: the context's, or the bundle's)."),
]
Context = Annotated[str | None, typer.Option("--context", help="Kubeconfig context to use.")]
Kubeconfig = Annotated[
    Path | None,
    typer.Option(
        "--kubeconfig",
        help="Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, else in-cluster).",
        envvar=None,
    ),
]
Output = Annotated[
    OutputFormat, typer.Option("-o", "--output", help="Output format.", case_sensitive=False)
]
Demo = Annotated[bool, typer.Option("--demo", help="Use the embedded demo instead of a cluster.")]
BundlePath = Annotated[
    Path | None,
    typer.Option(
        "--bundle", help="Read a diagnostic bundle (directory or .tar.gz) instead of a cluster."
    ),
]
Timeout = Annotated[
    float, typer.Option("--request-timeout", help="Seconds to wait for each API request.", min=0.5)
]
AllFlag = Annotated[bool, typer.Option("-A", "--all", help="Every PodCliqueSet in the namespace.")]
Name = Annotated[
    str,
    typer.Argument(help="PodCliqueSet name.", show_default=False, autocompletion=complete_pcs_name),
]
Watch = Annotated[
    bool,
    typer.Option(
        "-w", "--watch", help="Keep watching (Kubernetes watch API) and redraw on every change."
    ),
]


@dataclass(frozen=True)
class Target:
    """Where to read from and how to print: the parsed common options."""

    namespace: str | None
    context: str | None
    kubeconfig: Path | None
    output: OutputFormat
    demo: bool
    bundle: Path | None
    timeout: float


def _option(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


# Target's fields, in its order, as CLI options.
_TARGET_OPTIONS = (
    _option("namespace", Namespace, None),
    _option("context", Context, None),
    _option("kubeconfig", Kubeconfig, None),
    _option("output", Output, OutputFormat.text),
    _option("demo", Demo, False),
    _option("bundle", BundlePath, None),
    _option("request_timeout", Timeout, 15.0),
)


def with_target(command: Callable[..., None]) -> Callable[..., None]:
    """``command(target, ...its own arguments)`` as a CLI command that also takes the options
    every command shares; typer reads the combined signature."""
    own = [
        p
        for p in inspect.signature(command, eval_str=True).parameters.values()
        if p.name != "target"
    ]

    @functools.wraps(command)
    def with_options(**given: Any) -> None:
        shared = [given.pop(p.name) for p in _TARGET_OPTIONS]
        command(Target(*shared), **given)

    parameters = [*own, *_TARGET_OPTIONS]
    with_options.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    with_options.__annotations__ = {p.name: p.annotation for p in parameters}
    return with_options
