"""The registry finds a report's renderer in the module named after the report first (so a
command imports only its own renderer), and that shortcut picks what the whole format would."""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter
from pathlib import Path

import pytest

from grove_mcp.core import output_model, report_models
from grove_mcp.render import OutputFormat, registry

FORMATS = (OutputFormat.text, OutputFormat.markdown)


@pytest.mark.parametrize("fmt", FORMATS, ids=str)
def test_no_report_has_two_renderers_in_one_format(fmt):
    counts: Counter[type] = Counter()
    for info in pkgutil.iter_modules([str(Path(registry.__file__).parent)]):
        if info.name.startswith(registry._PREFIX[fmt]):
            module = importlib.import_module(f"grove_mcp.render.{info.name}")
            counts.update(list(getattr(module, "RENDERERS", {})))
    assert [m.__name__ for m, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("fmt", FORMATS, ids=str)
@pytest.mark.parametrize("model", report_models(), ids=lambda m: m.__name__)
def test_the_shortcut_finds_the_renderer_the_whole_format_has(model, fmt):
    every = registry._collect(registry._PREFIX[fmt])
    assert registry._own(model, fmt) is every[model]
    assert registry._own(output_model(model), fmt) is every[model]  # MCP's subclass: its base's


def test_a_status_report_looks_in_text_status_only():
    from grove_mcp.reports.status import StatusReport

    assert StatusReport in registry._module_renderers(OutputFormat.text, StatusReport.__module__)
    assert registry._module_renderers(OutputFormat.text, "grove_mcp.reports.common") == {}
