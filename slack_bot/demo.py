"""``grove-slack --demo``: the bot answers every command on the embedded demo, for real.

A local Slack stand-in plays Slack's Web API; the bot runs in HTTP mode on loopback and gets
the signed requests Slack would send (slash commands, a mention, a button click). What the
stand-in received is written to a directory: one JSON per message (the Block Kit payload), the
files (heatmap PNG, a re-plan's PodCliqueSet and plan.json, full-report snippets), and
``index.md`` with a Block Kit Builder link per message so a person can look at each one as
Slack would show it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from slack_sdk import WebClient

from grove_mcp.sources import demo_source

from .app import build_app
from .config import BotConfig, Identity, RateLimit
from .executor import TrackingExecutor
from .http import serve_in_thread
from .signed import SlackSender
from .standin import SlackStandIn

CHANNEL, USER = "C0DEMO0001", "U0DEMO0001"
TOKEN, SECRET = "xoxb-grove-slack-demo", "grove-slack-demo-signing-secret"
NAME = "my-inference"
COMMANDS = (
    "help",
    "list",
    f"status {NAME}",
    f"topology {NAME}",
    f"health {NAME}",
    f"metrics {NAME}",
    f"compare {NAME}",
    f"diagnose {NAME}",
    f"plan show {NAME}",
    f"plan diff {NAME}",
    f"replan {NAME}",  # not steady: no proposal (AIConfigurator's recorded answers on the demo)
    f"replan {NAME} --force",  # a proposal, its PodCliqueSet and plan.json uploaded
    "status --all",
    "helth my-inference",
)
MENTIONS = ("why is my-inference slow?", "is it healthy?")
BUILDER = "https://app.slack.com/block-kit-builder/#"


def demo_config() -> BotConfig:
    return BotConfig(
        channels={CHANNEL: Identity(user="grove-slack:demo", groups=("grove-slack-viewers",))},
        rate_limit=RateLimit(per_user=1000, per_channel=1000),
    )


def run_demo(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    executor = TrackingExecutor()
    exchanges: list[dict[str, Any]] = []
    with SlackStandIn(bot_token=TOKEN) as slack:
        client = WebClient(token=TOKEN, base_url=slack.base_url)
        app = build_app(
            demo_config(),
            demo_source(),
            bot_token=TOKEN,
            signing_secret=SECRET,
            client=client,
            executor=executor,
        )
        with serve_in_thread(app) as url:
            sender = SlackSender(url, SECRET, posted=slack.user_message)
            try:
                for text in COMMANDS:
                    exchanges.append(_exchange(slack, executor, f"/grove {text}", sender, text))
                for text in MENTIONS:
                    exchanges.append(_exchange(slack, executor, f"@grove {text}", sender, text))
                health = next(e for e in exchanges if e["title"] == f"/grove health {NAME}")
                exchanges.append(_click_follow_up(slack, executor, sender, health["response_url"]))
            finally:
                sender.close()
        _write(out, exchanges, slack)
    print(f"grove-slack demo: {len(exchanges)} exchanges written to {out}/ (open index.md)")
    return 0


def _exchange(
    slack: SlackStandIn, executor: TrackingExecutor, title: str, sender: SlackSender, text: str
) -> dict[str, Any]:
    first = len(slack.calls)
    answered = len(slack.responses)
    url = slack.response_url(CHANNEL)
    started = time.perf_counter()
    if title.startswith("/grove"):
        ack = sender.command(text, CHANNEL, USER, url)
    else:
        ack = sender.mention(text, CHANNEL, USER)
    acked = time.perf_counter() - started
    executor.wait_idle()
    return {
        "title": title,
        "response_url": url,
        "ack_ms": round(acked * 1000, 1),
        "answered_ms": round((time.perf_counter() - started) * 1000, 1),
        "http_status": ack.status_code,
        "ack": ack.json()
        if ack.content and ack.headers.get("content-type", "").startswith("application/json")
        else None,
        "responses": [body for _, body in slack.responses[answered:]],
        "calls": [{"method": c.method, "body": c.body} for c in slack.calls[first:]],
    }


def _click_follow_up(
    slack: SlackStandIn, executor: TrackingExecutor, sender: SlackSender, url: str
) -> dict[str, Any]:
    """Click the first follow-up button under the health answer."""
    health = slack.message_of(url)
    assert health is not None and health.get("blocks"), "the health answer was not posted"
    actions = next(b for b in health["blocks"] if b.get("type") == "actions")
    button = actions["elements"][0]
    first = len(slack.calls)
    ack = sender.click(button, CHANNEL, USER, message_ts=health["ts"])
    executor.wait_idle()
    return {
        "title": f"button: {button['text']['text']}",
        "http_status": ack.status_code,
        "ack": None,
        "responses": [],
        "calls": [{"method": c.method, "body": c.body} for c in slack.calls[first:]],
    }


def _messages(exchange: dict[str, Any]) -> list[dict[str, Any]]:
    found = [r for r in exchange["responses"] if r.get("blocks")]
    found += [
        c["body"]
        for c in exchange["calls"]
        if c["method"] in ("chat.postMessage", "chat.update") and c["body"].get("blocks")
    ]
    return found


def _write(out: Path, exchanges: list[dict[str, Any]], slack: SlackStandIn) -> None:
    lines = [
        "# grove-slack demo",
        "",
        "What the bot posted, per request (open a link to see it as Slack shows it).",
        "",
    ]
    for i, exchange in enumerate(exchanges, 1):
        stem = f"{i:02d}-" + "".join(c if c.isalnum() else "-" for c in exchange["title"]).strip(
            "-"
        )
        (out / f"{stem}.json").write_text(json.dumps(exchange, indent=2, default=str))
        timing = (
            f", acknowledged in {exchange['ack_ms']:g} ms, answered in {exchange['answered_ms']:g} ms"
            if "ack_ms" in exchange
            else ""
        )
        lines.append(f"## {exchange['title']} (HTTP {exchange['http_status']}{timing})")
        if exchange["ack"]:
            lines.append(
                f"- answered to the sender only: {str(exchange['ack'].get('text', ''))[:120]}…"
            )
        for message in _messages(exchange):
            blocks = message.get("blocks")
            if isinstance(blocks, str):
                blocks = json.loads(blocks)
            link = BUILDER + quote(json.dumps({"blocks": blocks}, separators=(",", ":")))
            lines.append(f"- [{str(message.get('text', ''))[:100]}]({link})")
        lines.append("")
    for file in slack.files:
        (out / file.filename).write_bytes(file.content)
        lines.append(f"- file: [{file.filename}]({file.filename})")
    (out / "index.md").write_text("\n".join(lines) + "\n")
