"""The MCP server: Grove capabilities as typed tools, prompts and resources for AI assistants.

``build_server(ServerConfig(...))`` gives the configured ``MCPServer``; ``main`` is the
``grove-mcp`` command (stdio by default, streamable HTTP with ``--http``).
"""

from .app import build_server
from .config import ServerConfig
from .main import main
from .tools import TOOLS, ToolSpec

__all__ = ["TOOLS", "ServerConfig", "ToolSpec", "build_server", "main"]
