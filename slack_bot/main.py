"""``grove-slack``: the Slack bot, in HTTP mode (production), Socket Mode (a laptop, behind a
firewall) or ``--demo`` (against a local Slack stand-in on the embedded demo)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from grove_mcp.config import load_settings
from grove_mcp.errors import GroveError
from grove_mcp.sources import open_source
from grove_mcp.sources.kube import SLACK_AGENT

from .app import build_app
from .config import config_from_settings, load_config
from .secrets import LogRedaction, load_tokens

log = logging.getLogger("grove_slack")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grove-slack",
        description="The grove-mcp Slack bot: /grove status|topology|health|metrics|compare|"
        "diagnose|replan|plan show|plan diff|list, mentions, buttons and alerts. Tokens come "
        "from SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN (or *_FILE); see "
        "docs/slack.md.",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--http", action="store_true", help="HTTP mode (default): an ASGI server.")
    mode.add_argument("--socket", action="store_true", help="Socket Mode (needs SLACK_APP_TOKEN).")
    mode.add_argument(
        "--demo",
        action="store_true",
        help="Answer every command on the embedded demo through a local Slack stand-in, and "
        "write the messages (Block Kit JSON) and the heatmap PNG to --out.",
    )
    p.add_argument("--host", default="127.0.0.1", help="HTTP mode: address to listen on.")
    p.add_argument("--port", type=int, default=3000, help="HTTP mode: port (default 3000).")
    p.add_argument(
        "--config",
        default=os.environ.get("GROVE_SLACK_CONFIG"),
        help="The access config (channel → Kubernetes identity); $GROVE_SLACK_CONFIG.",
    )
    p.add_argument("--kubeconfig", help="Kubeconfig file (default: $KUBECONFIG, ~/.kube/config).")
    p.add_argument("--context", help="Kubeconfig context to use.")
    p.add_argument("--bundle", help="Answer from a diagnostic bundle instead of a cluster.")
    p.add_argument("--no-alerts", action="store_true", help="Do not watch for gang alerts.")
    p.add_argument("--out", default="grove-slack-demo", help="--demo: where to write messages.")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(LogRedaction())
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    try:
        if args.demo:
            from .demo import run_demo

            return run_demo(Path(args.out))
        return _serve(args)
    except GroveError as err:
        print(f"grove-slack: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _serve(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = load_config(args.config) if args.config else config_from_settings(settings)
    if config is None:
        print(
            "grove-slack: no access config: pass --config, set GROVE_SLACK_CONFIG, or add a "
            f"slack: section to {settings.path} (it maps channels to Kubernetes identities; "
            "without it every channel is refused).",
            file=sys.stderr,
        )
        return 2
    tokens = load_tokens(socket_mode=args.socket)
    source = open_source(
        bundle=args.bundle,
        kubeconfig=args.kubeconfig,
        context=args.context,
        namespace=settings.config.defaults.namespace,
        operator_namespace=settings.config.defaults.operator_namespace,
        agent=SLACK_AGENT,
    )
    app = build_app(config, source, bot_token=tokens.bot, signing_secret=tokens.signing_secret)
    if config.alerts is not None and not args.no_alerts:
        from .access import Access
        from .alerts import AlertWatcher

        AlertWatcher(config.alerts, Access(config, source), app.client).start()
        log.info("alerts: watching %s", ", ".join(config.alerts.namespaces))
    if args.socket:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        from .http import serve_health

        assert tokens.app is not None
        serve_health(args.host, args.port)  # /healthz for the probes; Slack is dialled out
        log.info("grove-slack: Socket Mode (/healthz on %s:%d)", args.host, args.port)
        SocketModeHandler(app, tokens.app).start()
        return 0
    from .http import serve

    log.info("grove-slack: HTTP mode on %s:%d (/slack/events, /healthz)", args.host, args.port)
    serve(app, args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
