"""``build_server``: the MCP server over the shared core, configured by ``ServerConfig``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mcp.server.mcpserver import MCPServer

from .. import __version__
from ..sources.base import Source
from .config import ServerConfig
from .lifespan import GroveState, make_lifespan
from .prompts import register_prompts
from .resources import register_resources
from .subscriptions import register_subscriptions
from .tools import TOOLS, ToolSpec, refuse_unoffered, register_tools, selected

INSTRUCTIONS = """\
grove-mcp answers questions about AI-inference workloads run by the NVIDIA Grove operator
(PodCliqueSets, PodCliques, scaling groups, PodGangs, topology-aware gang scheduling).
Start with grove_list when you do not know the PodCliqueSet's name; grove_status for an
overview, grove_health for gang health, termination countdowns and pod problems, grove_topology
for placement, GPU use and consolidation advice; grove_plan_show and grove_plan_diff for the
stored AIConfigurator plan and whether what runs still matches it; grove_generate to plan a
new deployment with AIConfigurator (10-90 s; returns PodCliqueSet manifests, writes nothing).
Answers are bounded in size: pass gang=, clique= or limit= to drill into large workloads (a
`truncated` field says what was cut).
Every tool is read-only unless the operator enabled writes."""


def build_server(
    config: ServerConfig | None = None,
    *,
    source: Callable[[], Source] | None = None,
    tools: Sequence[ToolSpec] = TOOLS,
) -> MCPServer[GroveState]:
    """The configured server; ``source`` overrides how the source is opened (tests)."""
    config = config or ServerConfig()
    offered = selected(tools, allow_writes=config.allow_writes, enabled=config.enabled_tools)
    server: MCPServer[GroveState] = MCPServer(
        "grove-mcp",
        title="Grove inference operations",
        instructions=INSTRUCTIONS,
        version=__version__,
        log_level=config.log_level,  # type: ignore[arg-type]
        lifespan=make_lifespan(config, source or config.source_factory()),
        middleware=[refuse_unoffered(tools, offered)],
        # no subscriptions/listen: nothing publishes to it, so the 2026-07-28 wire must not
        # advertise subscribe or listChanged (handshake-era subscriptions: subscriptions.py)
        subscriptions=False,
    )
    register_tools(server, offered)
    register_prompts(server)
    register_resources(server)
    register_subscriptions(server)
    return server
