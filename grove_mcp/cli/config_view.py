"""``kubectl grove config view``: the effective configuration and where each value came from."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table
from rich.text import Text

from ..config import ENV, Settings, load_settings
from .run import console, handled_errors

config_app = typer.Typer(
    name="config",
    help=f"The config file (~/.config/kubectl-grove/config.yaml, or ${ENV}): flags override "
    "it, it overrides the built-in defaults.",
    no_args_is_help=True,
)

FLAGS = {
    "defaults.namespace": "-n/--namespace",
    "defaults.operator_namespace": "",
    "metrics.scrape_timeout": "--scrape-timeout",
    "metrics.port": "--metrics-port",
    "tui.refresh_interval": "--refresh-interval",
    "tui.color_scheme": "--theme",
    "aiconfigurator.default_backend": "--backend",
    "slack": "grove-slack --config",
}


class ViewFormat(StrEnum):
    text = "text"
    yaml = "yaml"
    json = "json"


@config_app.command("view")
def view(
    output: Annotated[
        ViewFormat, typer.Option("-o", "--output", help="Output format.", case_sensitive=False)
    ] = ViewFormat.text,
) -> None:
    """Print the effective configuration: each key's value and where it came from (the file and
    line, or the default), and the flag that overrides it."""
    with handled_errors():
        settings = load_settings()
    if output is ViewFormat.text:
        console().print(_table(settings))
        return
    data = as_data(settings)
    text = (
        json.dumps(data, indent=2)
        if output is ViewFormat.json
        else yaml.safe_dump(data, sort_keys=False)
    )
    typer.echo(text.rstrip("\n"))


def as_data(settings: Settings) -> dict[str, Any]:
    return {
        "file": str(settings.path),
        "found": settings.found,
        "values": [
            {"key": key, "value": value, "from": origin, "flag": FLAGS.get(key)}
            for key, value, origin in settings.rows()
        ],
    }


def _table(settings: Settings) -> Table:
    found = "" if settings.found else "  (not found: built-in defaults)"
    table = Table(title=Text(f"Config file: {settings.path}{found}"), title_justify="left")
    for column in ("key", "value", "from", "overridden by"):
        table.add_column(column, no_wrap=column != "from")
    for key, value, origin in settings.rows():
        style = "" if origin == "default" else "bold"
        shown = "—" if value is None else str(value)
        table.add_row(key, Text(shown, style), origin, FLAGS.get(key, ""))
    return table
