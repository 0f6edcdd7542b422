"""The kubectl-style options every command shares, declared once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from ..render import OutputFormat

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
Name = Annotated[str, typer.Argument(help="PodCliqueSet name.", show_default=False)]
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
