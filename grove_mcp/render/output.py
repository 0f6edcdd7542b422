"""Output formats chosen by an enum (never mixed into logic): text, json, yaml."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import yaml
from pydantic import BaseModel
from rich.console import Console

from .text import render_text


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    yaml = "yaml"


def to_json(report: BaseModel) -> str:
    return report.model_dump_json(indent=2)


def to_yaml(report: BaseModel) -> str:
    data = json.loads(report.model_dump_json())
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def emit(report: Any, fmt: OutputFormat, console: Console) -> None:
    """Write one report to the console in the chosen format."""
    if fmt is OutputFormat.json:
        console.print(to_json(report), markup=False, highlight=False, soft_wrap=True)
    elif fmt is OutputFormat.yaml:
        console.print(to_yaml(report), markup=False, highlight=False, soft_wrap=True, end="")
    else:
        console.print(render_text(report, fancy=console.is_terminal and not console.no_color))
