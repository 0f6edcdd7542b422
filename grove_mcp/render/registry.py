"""Renderers looked up by (report model, output format): the one place that pairs them.

A report's subclasses (e.g. the MCP output model with its ``truncated`` field) use their base
report's renderer. Every (report model of the capability table, format) pair has a renderer; a
test checks it. Renderers are pure: report in, text (or a rich renderable, or Slack blocks) out.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import pkgutil
from collections.abc import Callable
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel


class OutputFormat(StrEnum):
    text = "text"  # terminal: a rich renderable (colour and emoji when ``fancy``)
    json = "json"  # the report's JSON: the contract shared by CLI, MCP and bundles
    yaml = "yaml"
    markdown = "markdown"  # compact Markdown (MCP text content)
    slack = (
        "slack"  # a slack.SlackMessage: Block Kit within the budget, the Markdown if it overflows
    )


Renderer = Callable[[Any, bool], Any]  # (report, fancy) → rendered


def to_json(report: BaseModel, _fancy: bool = False) -> str:
    return report.model_dump_json(indent=2)


def to_yaml(report: BaseModel, _fancy: bool = False) -> str:
    import yaml

    data = json.loads(report.model_dump_json())
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _plain(render: Callable[[Any], Any]) -> Renderer:
    return lambda report, _fancy: render(report)


@cache
def _collect(prefix: str) -> dict[type[BaseModel], Any]:
    """The ``RENDERERS`` of every module of this package named ``<prefix>…``: adding a report's
    renderer is adding its module (e.g. ``text_metrics.py``), nothing here. Collected on first
    use: a command that prints text imports no Markdown renderer."""
    found: dict[type[BaseModel], Any] = {}
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name.startswith(prefix):
            loaded = importlib.import_module(f"{__package__}.{module.name}")
            found |= getattr(loaded, "RENDERERS", {})
    return found


@cache
def _module_renderers(fmt: OutputFormat, report_module: str) -> dict[type[BaseModel], Any]:
    """The ``RENDERERS`` of the module named after a report's module (``reports/status.py`` →
    ``text_status.py``), or none: a command imports only the renderer of its report."""
    name = f"{__package__}.{fmt.value}_{report_module.rpartition('.')[2]}"
    if importlib.util.find_spec(name) is None:
        return {}
    found: dict[type[BaseModel], Any] = getattr(importlib.import_module(name), "RENDERERS", {})
    return found


def _slack(report: BaseModel, _fancy: bool = False) -> Any:
    from . import slack

    return slack.message(report)


# The formats every report has (one with a Markdown renderer), and the others' module prefixes.
_ANY_REPORT: dict[OutputFormat, Renderer] = {
    OutputFormat.json: to_json,
    OutputFormat.yaml: to_yaml,
    OutputFormat.slack: _slack,
}
_PREFIX = {OutputFormat.text: "text_", OutputFormat.markdown: "markdown"}


def _own(model: type[BaseModel], fmt: OutputFormat) -> Any:
    """The renderer registered for ``model`` or its nearest base report in ``fmt``, or None:
    each class is looked up in the module named after it first, then in all of the format."""
    for cls in model.__mro__:
        own = _module_renderers(fmt, cls.__module__)
        if cls not in own:
            own = _collect(_PREFIX[fmt])
        if cls in own:
            return own[cls]
    return None


def renderer(model: type[BaseModel], fmt: OutputFormat) -> Renderer:
    """The renderer of ``model`` (or of the nearest base report) in ``fmt``."""
    if fmt in _ANY_REPORT:
        if _own(model, OutputFormat.markdown) is not None:
            return _ANY_REPORT[fmt]
    elif (own := _own(model, fmt)) is not None:
        return own if fmt is OutputFormat.text else _plain(own)
    raise TypeError(f"no {fmt} renderer for {model.__name__}")


def render(report: BaseModel, fmt: OutputFormat, fancy: bool = False) -> Any:
    """``report`` in ``fmt``: text gives a rich renderable, slack a ``SlackMessage``, the rest
    a string. ``fancy`` adds emoji headings to text (colour is the console's)."""
    return renderer(type(report), fmt)(report, fancy)


def render_markdown(report: BaseModel) -> str:
    """The compact Markdown of a report (MCP text content, size budgets)."""
    text: str = render(report, OutputFormat.markdown)
    return text
