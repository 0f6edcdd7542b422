"""Write a rendered report to a console, in the format chosen by the enum (never mixed into
logic)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from rich.console import Console

from .registry import OutputFormat, render


def emit(report: BaseModel, fmt: OutputFormat, console: Console) -> None:
    """Print one report to ``console`` in ``fmt`` (text: colour and emoji on a terminal)."""
    fancy = console.is_terminal and not console.no_color
    rendered: Any = render(report, fmt, fancy)
    if fmt is OutputFormat.text:
        console.print(rendered)
    elif fmt is OutputFormat.slack:
        message = {**rendered.payload(), "snippet": rendered.snippet}
        if rendered.snippet is not None:
            message["snippet_name"] = rendered.snippet_name
        text = json.dumps(message, indent=2, ensure_ascii=False)
        console.print(text, markup=False, highlight=False, soft_wrap=True, emoji=False)
    elif fmt in (OutputFormat.json, OutputFormat.yaml):  # escaped by their serialisers
        console.file.write(rendered if fmt is OutputFormat.yaml else rendered + "\n")
        console.file.flush()
    else:
        console.print(rendered, markup=False, highlight=False, soft_wrap=True)
