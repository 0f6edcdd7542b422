"""``kubectl grove plan``: store, show, history and diff of AIConfigurator plans."""

from __future__ import annotations

import typer

plan_app = typer.Typer(
    name="plan",
    help="AIConfigurator plans kept beside a PodCliqueSet: store, show, history, diff.",
    no_args_is_help=True,
)
