"""grove-mcp: operations toolkit for AI-inference workloads on NVIDIA Grove.

One typed core answers questions about PodCliqueSets from a live cluster, a diagnostic bundle
or the embedded demo: every capability is declared once in ``grove_mcp.core``'s table, and
``grove_mcp.core.run`` is its single exit. The MCP server, the ``kubectl grove`` CLI and the
Slack bot are thin front ends over it.
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed metadata when first asked for (importing
    ``importlib.metadata`` costs a CLI command that never shows the version ~50 ms)."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("grove-mcp")
    except PackageNotFoundError:  # running from a source tree without installation
        found = "0.0.0+source"
    globals()["__version__"] = found
    return found


__all__ = ["__version__"]
