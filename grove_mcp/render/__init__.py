"""Report → output, by (report model, output format). Pure but for ``emit`` (a console).

Each name is imported when first used (``grove_mcp.lazy``): the CLI's options read
``OutputFormat`` without importing the renderers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import exports

if TYPE_CHECKING:
    from .describe import describe_text
    from .output import emit
    from .registry import OutputFormat, render, render_markdown, renderer

_WHERE = {
    "describe_text": ".describe",
    "emit": ".output",
    **dict.fromkeys(("OutputFormat", "render", "render_markdown", "renderer"), ".registry"),
}
__getattr__ = exports(__name__, _WHERE)
__all__ = ["OutputFormat", "describe_text", "emit", "render", "render_markdown", "renderer"]
