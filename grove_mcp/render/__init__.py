"""Report → output, by (report model, output format). Pure but for ``emit`` (a console)."""

from .output import emit
from .registry import OutputFormat, render, render_markdown, renderer

__all__ = ["OutputFormat", "emit", "render", "render_markdown", "renderer"]
