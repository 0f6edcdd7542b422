"""grove-mcp: operations toolkit for AI-inference workloads on NVIDIA Grove.

One typed core answers questions about PodCliqueSets from a live cluster, a diagnostic bundle
or the embedded demo: every capability is declared once in ``grove_mcp.core``'s table, and
``grove_mcp.core.run`` is its single exit. The MCP server, the ``kubectl grove`` CLI and the
Slack bot are thin front ends over it.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("grove-mcp")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
