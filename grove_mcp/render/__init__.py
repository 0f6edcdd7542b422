"""Report → output, by (report model, output format). Pure but for ``emit`` (a console)."""

from .describe import describe_text
from .output import emit
from .registry import OutputFormat, render, render_markdown, renderer

__all__ = ["OutputFormat", "describe_text", "emit", "render", "render_markdown", "renderer"]
