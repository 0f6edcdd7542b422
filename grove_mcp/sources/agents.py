"""The programs that read a cluster, as the API server's audit log names them (User-Agent).

A module of its own so that a front end names itself without importing the Kubernetes client
(``sources.kube`` re-exports them)."""

CLI_AGENT = "kubectl-grove"
TUI_AGENT = "kubectl-grove-tui"
MCP_AGENT = "grove-mcp"
SLACK_AGENT = "grove-slack"
LIBRARY_AGENT = "grove-mcp-core"  # the core called directly (scripts, tests)

__all__ = ["CLI_AGENT", "LIBRARY_AGENT", "MCP_AGENT", "SLACK_AGENT", "TUI_AGENT"]
