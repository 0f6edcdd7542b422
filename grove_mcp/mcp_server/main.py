"""``grove-mcp``: run the MCP server over stdio (default) or streamable HTTP (``--http``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..config import load_settings
from ..core.budget import BUDGET_BYTES
from ..errors import GroveError, InvalidInput
from .app import build_server
from .config import DEFAULT_TOOL_TIMEOUT, ServerConfig
from .http import TOKEN_ENV, HttpSettings, build_http_app, uvicorn_options


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grove-mcp",
        description="MCP server for NVIDIA Grove inference workloads (read-only by default).",
    )
    p.add_argument("--version", action="version", version=f"grove-mcp {__version__}")
    src = p.add_argument_group("source (default: the live cluster of the current kubeconfig)")
    src.add_argument("--demo", action="store_true", help="Serve the embedded demo bundle.")
    src.add_argument("--bundle", metavar="PATH", help="Serve a diagnostic bundle (dir or .tar.gz).")
    src.add_argument(
        "--kubeconfig",
        metavar="PATH",
        help="Kubeconfig (default: $KUBECONFIG, ~/.kube/config, else in-cluster).",
    )
    src.add_argument("--context", help="Kubeconfig context to use.")
    src.add_argument("-n", "--namespace", help="Default namespace for calls that name none.")
    src.add_argument("--request-timeout", type=float, metavar="S", help="Seconds per API request.")
    src.add_argument(
        "--tool-timeout",
        type=float,
        default=DEFAULT_TOOL_TIMEOUT,
        metavar="S",
        help=f"Seconds one tool call may take (default {DEFAULT_TOOL_TIMEOUT:g}).",
    )
    safety = p.add_argument_group("safety")
    safety.add_argument(
        "--allow-writes",
        action="store_true",
        help="Offer tools that change the cluster (grove_plan_store) or write files (grove_diag).",
    )
    safety.add_argument(
        "--diag-dir",
        default="grove-diag",
        help="Where grove_diag (offered with --allow-writes) writes its bundles.",
    )
    safety.add_argument(
        "--enabled-tools", metavar="A,B", help="Offer only these tools (comma-separated)."
    )
    safety.add_argument(
        "--max-answer-bytes",
        type=int,
        default=BUDGET_BYTES,
        metavar="N",
        help=f"Response budget for text and for structured content (default {BUDGET_BYTES}).",
    )
    http = p.add_argument_group("streamable HTTP (default transport: stdio)")
    http.add_argument("--http", action="store_true", help="Serve streamable HTTP instead of stdio.")
    http.add_argument("--host", default="127.0.0.1", help="Bind address (default 127.0.0.1).")
    http.add_argument("--port", type=int, default=8000, help="Port (default 8000).")
    http.add_argument("--path", default="/mcp", help="Endpoint path (default /mcp).")
    http.add_argument(
        "--token-file",
        metavar="PATH",
        help=f"File holding the bearer token clients must send (or set ${TOKEN_ENV}); "
        "required unless the bind address is loopback.",
    )
    http.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="HOST[:PORT|:*]",
        help="Host header value clients use (repeatable); '*' disables DNS-rebinding checks.",
    )
    http.add_argument(
        "--rate-limit",
        type=int,
        default=120,
        metavar="N",
        help="Requests per minute per client (0: off).",
    )
    http.add_argument(
        "--burst", type=int, default=40, metavar="N", help="Requests a client may send at once."
    )
    http.add_argument(
        "--max-request-bytes",
        type=int,
        default=256 * 1024,
        metavar="N",
        help="Largest request body.",
    )
    http.add_argument(
        "--read-timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="Seconds a client has to send a whole request, head and body (default 10).",
    )
    http.add_argument(
        "--max-connections",
        type=int,
        default=64,
        metavar="N",
        help="Open connections per client address (default 64).",
    )
    p.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return p


def config_from(args: argparse.Namespace) -> ServerConfig:
    if args.demo and args.bundle:
        raise InvalidInput("Pass either --demo or --bundle, not both.")
    if args.bundle and not Path(args.bundle).exists():
        raise InvalidInput(f"--bundle {args.bundle}: no such file or directory.")
    enabled = None
    if args.enabled_tools is not None:
        enabled = frozenset(n.strip() for n in args.enabled_tools.split(",") if n.strip())
    configured = load_settings().config
    return ServerConfig(
        demo=args.demo,
        bundle=args.bundle,
        kubeconfig=args.kubeconfig,
        context=args.context,
        request_timeout=args.request_timeout,
        namespace=args.namespace,
        allow_writes=args.allow_writes,
        enabled_tools=enabled,
        budget_bytes=args.max_answer_bytes,
        tool_timeout=args.tool_timeout,
        log_level=args.log_level,
        diag_dir=args.diag_dir,
        cluster_namespace=configured.defaults.namespace,
        operator_namespace=configured.defaults.operator_namespace,
        metrics_port=configured.metrics.port,
        scrape_timeout=configured.metrics.scrape_timeout,
    )


def http_settings_from(args: argparse.Namespace) -> HttpSettings:
    token = os.environ.get(TOKEN_ENV) or None
    if args.token_file:
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except OSError as err:
            raise InvalidInput(f"--token-file {args.token_file}: {err.strerror}.") from None
    return HttpSettings(
        host=args.host,
        port=args.port,
        path=args.path,
        token=token,
        allowed_hosts=tuple(args.allowed_host),
        rate_per_minute=args.rate_limit,
        burst=args.burst,
        max_request_bytes=args.max_request_bytes,
        read_seconds=args.read_timeout,
        connections_per_client=args.max_connections,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        server = build_server(config_from(args))
        if not args.http:
            server.run("stdio")
            return 0
        settings = http_settings_from(args)
        app = build_http_app(server, settings)
    except GroveError as err:
        print(f"grove-mcp: {err}", file=sys.stderr)
        return err.exit_code
    import uvicorn

    uvicorn.run(app, log_level=args.log_level.lower(), **uvicorn_options(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
