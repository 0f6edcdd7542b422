"""Every reading capability through every front end, once, on a seeded namespace of the real
API server; what each front end showed is kept, for the audit (tests/e2e/test_zz_audit_live.py)
and the secrets grep (tests/e2e/test_secrets_everywhere_live.py).

- CLI (``kubectl-grove``): every reading command of the table, named and ``--all`` where
  offered, in each of ``formats``; ``validate`` and ``generate`` (a recorded AIConfigurator
  run) with the cluster named, so they dry-run there; ``diag``, unpacked; shell completion.
- MCP (``grove-mcp``): every tool but ``grove_plan_store`` (``grove_diag`` writes only a local
  file) and every resource, through the in-memory client.
- Slack (``grove-slack``): every ``/grove`` command, as signed requests, answered to the
  Web API stand-in (messages, responses, uploaded files).
- TUI (``kubectl-grove-tui``): the feed until its first live frame, then the y/d/l texts of
  the gang's first pod (``core.objects``, as the TUI's keys read them).
"""

from __future__ import annotations

import json
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from mcp import Client
from recorded_aic import Replay, flags
from slack_sdk import WebClient
from typer import Typer
from typer.testing import CliRunner

from grove_mcp import core
from grove_mcp.cli.app import app
from grove_mcp.cli.completion import workloads
from grove_mcp.cli.generate import generate_command
from grove_mcp.core import CAPABILITIES, Scope
from grove_mcp.errors import GroveError
from grove_mcp.mcp_server import TOOLS, ServerConfig, build_server
from grove_mcp.mcp_server.generate_tools import generate_tool
from grove_mcp.render import OutputFormat
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import SLACK_AGENT, TUI_AGENT
from grove_mcp.sources.live import LiveSource
from slack_bot.app import build_app
from slack_bot.commands import COMMANDS
from slack_bot.config import BotConfig, Identity, RateLimit
from slack_bot.executor import TrackingExecutor
from slack_bot.http import serve_in_thread
from slack_bot.signed import SlackSender
from slack_bot.standin import SlackStandIn

PCS = "my-inference"
AIC_RUN = "qwen3_32b_sglang_8gpu"
BOT_TOKEN, SIGNING_SECRET = "xoxb-drive-grove-slack", "drive-signing-secret"
CHANNEL, SLACK_USER = "C0DRIVE001", "U0DRIVE001"
# metrics, compare and diagnose wait one window: the shortest each front end takes
CLI_EXTRA = {
    "metrics": ["--since-start"],
    "compare": ["--window", "1"],
    "diagnose": ["--window", "1"],
    "replan": ["--window", "1"],
}
MCP_EXTRA = {"grove_metrics": {"since_start": True}, "grove_compare": {"window": 1},
             "grove_diagnose": {"window": 1}, "grove_replan": {"window": 1},
             "grove_diag": {"log_lines": 5}}  # fmt: skip
SLACK_EXTRA = {"metrics": " --window 5", "compare": " --window 5", "diagnose": " --no-metrics",
               "replan": " --window 5"}  # fmt: skip


@dataclass
class Shown:
    """What the front ends showed: (where, text), and the CLI's exit codes by command."""

    texts: list[tuple[str, str]] = field(default_factory=list)
    exits: dict[str, int] = field(default_factory=dict)

    def add(self, where: str, text: str) -> None:
        self.texts.append((where, text))


def manifest_file(folder: Path, namespace: str) -> Path:
    """The demo's PodCliqueSet as a manifest, for ``validate`` (no server-set metadata)."""
    obj = next(o for o in SCENARIOS["demo"]().objects if o["kind"] == "PodCliqueSet")
    body = {k: v for k, v in obj.items() if k != "status"}
    body["metadata"] = {"name": obj["metadata"]["name"], "namespace": namespace}
    path = folder / "pcs.yaml"
    path.write_text(yaml.safe_dump(body))
    return path


def drive_cli(
    kubeconfig: str, namespace: str, folder: Path, formats: tuple[OutputFormat, ...]
) -> Shown:
    shown = Shown()
    folder.mkdir(parents=True, exist_ok=True)
    runner = CliRunner()
    target = ["-n", namespace, "--kubeconfig", kubeconfig]

    def run(key: str, argv: list[str], cli: Typer = app) -> None:
        result = runner.invoke(cli, argv, env={"NO_COLOR": "1", "COLUMNS": "160"})
        shown.exits[key] = result.exit_code
        shown.add(f"cli {key}", result.stdout + result.stderr)

    for cap in CAPABILITIES:
        if cap.writes or cap.scope is Scope.none:
            continue
        words = cap.name.split()
        extra = CLI_EXTRA.get(cap.name, [])
        names = [[PCS]] if cap.scope is Scope.one else [[PCS], ["--all"]]
        if cap.scope is Scope.all:
            names = [[]]
        for name in names:
            for fmt in formats:
                argv = [*words, *name, *target, *extra, "-o", fmt.value]
                run(" ".join([cap.name, *name, "-o", fmt.value]), argv)
    run("validate", ["validate", "-f", str(manifest_file(folder, namespace)), *target])
    generate = Typer()
    generate.callback()(lambda: None)
    generate.command("generate")(generate_command(Replay(AIC_RUN)))
    argv = ["generate", "--save-dir", str(folder / "generate"), *target]
    names = {"ttft_ms": "--ttft", "tpot_ms": "--tpot", "request_latency_ms": "--request-latency"}
    for key, value in flags(AIC_RUN).items():
        argv += [names.get(key, "--" + key.replace("_", "-")), str(value)]
    run("generate", argv, generate)
    for saved in sorted((folder / "generate").glob("*")):
        shown.add(f"cli generate file {saved.name}", saved.read_text())
    bundle = folder / "diag.tar.gz"
    run("diag", ["diag", PCS, *target, "-o", str(bundle), "--logs", "20"])
    if bundle.exists():
        shown.texts += unpacked(bundle, "cli diag")
    lines = workloads({"kubeconfig": kubeconfig, "namespace": namespace})
    shown.add("cli completion", "\n".join(f"{w.name} {w.state}" for w in lines))
    return shown


def unpacked(bundle: Path, where: str) -> list[tuple[str, str]]:
    """Every file of a diag bundle (.tar.gz), as text."""
    with tarfile.open(bundle) as tar:
        return [
            (f"{where} {m.name}", tar.extractfile(m).read().decode("utf-8", "replace"))  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        ]


async def drive_mcp(kubeconfig: str, namespace: str, diag_dir: Path) -> Shown:
    shown = Shown()
    tools = tuple(
        generate_tool(Replay(AIC_RUN)) if t.name == "grove_generate" else t
        for t in TOOLS
        if t.name != "grove_plan_store"
    )
    config = ServerConfig(
        kubeconfig=kubeconfig, namespace=namespace, allow_writes=True, diag_dir=str(diag_dir)
    )
    diag_dir.mkdir(parents=True, exist_ok=True)
    manifest = manifest_file(diag_dir, namespace).read_text()
    async with Client(build_server(config, tools=tools)) as client:
        offered = [t.name for t in (await client.list_tools()).tools]
        assert "grove_plan_store" not in offered
        for tool in offered:
            if tool == "grove_list":
                arguments: dict[str, Any] = {}
            elif tool == "grove_generate":
                arguments = {**flags(AIC_RUN), "namespace": namespace}
            elif tool == "grove_validate":
                arguments = {"manifest": manifest}
            else:
                arguments = {"name": PCS, **MCP_EXTRA.get(tool, {})}
            result = await client.call_tool(tool, arguments)
            blocks = [getattr(b, "text", "") for b in result.content]
            shown.add(f"mcp {tool}", "\n".join(blocks) + json.dumps(result.structured_content))
        templates = (await client.list_resource_templates()).resource_templates
        for template in templates:
            uri = template.uri_template.format(namespace=namespace, name=PCS)
            answer = await client.read_resource(uri)
            shown.add(f"mcp {uri}", "\n".join(getattr(c, "text", "") for c in answer.contents))
    for bundle in sorted(diag_dir.glob("*.tar.gz")):
        shown.texts += unpacked(bundle, "mcp diag")
    return shown


def drive_slack(kubeconfig: str, namespace: str, user: str) -> Shown:
    """Every /grove command from a channel that acts as ``user`` (impersonated)."""
    shown = Shown()
    config = BotConfig(
        default_namespace=namespace,
        channels={CHANNEL: Identity(user=user)},
        rate_limit=RateLimit(per_user=100, per_channel=100),
    )
    source = LiveSource.connect(kubeconfig=kubeconfig, agent=SLACK_AGENT)  # as slack_bot.main
    executor = TrackingExecutor()
    with SlackStandIn(bot_token=BOT_TOKEN) as slack:
        client = WebClient(token=BOT_TOKEN, base_url=slack.base_url)
        bot = build_app(
            config,
            source,
            bot_token=BOT_TOKEN,
            signing_secret=SIGNING_SECRET,
            client=client,
            executor=executor,
        )
        with serve_in_thread(bot) as url:
            sender = SlackSender(url, SIGNING_SECRET, posted=slack.user_message)
            for command, cap in COMMANDS.items():
                text = command if cap.scope is Scope.all else f"{command} {PCS}"
                text += SLACK_EXTRA.get(command, "")
                answer = sender.command(text, CHANNEL, SLACK_USER, slack.response_url(CHANNEL))
                assert answer.status_code == 200, answer.text
                shown.add(f"slack ack {text}", answer.text)
            executor.wait_idle()
            sender.close()
        for call in slack.calls:  # what the bot sent (not the headers: its own token)
            shown.add(f"slack call {call.method}", json.dumps(call.body, default=str))
        for where, body in slack.responses:
            shown.add(f"slack response {where}", json.dumps(body))
        for file in slack.files:
            text = file.content.decode("utf-8", "replace")
            shown.add(f"slack file {file.filename}", f"{file.title}\n{text}")
    source.close()
    return shown


async def drive_tui(kubeconfig: str, namespace: str, seconds: float = 30.0) -> Shown:
    """The TUI's feed until a live frame, then y/d/l of one pod, as its keys read them."""
    from grove_mcp.tui.app import GroveTui
    from grove_mcp.tui.feed import Link, error_text

    shown = Shown()
    # no PodCliqueSet name: with one, the feed fails (frame_of wants the lists; see the report)
    app_ = GroveTui(LiveSource.connect(kubeconfig=kubeconfig, agent=TUI_AGENT), namespace)
    async with app_.run_test(size=(160, 50)) as pilot:
        began = time.monotonic()
        while not (app_.redraws and app_.link.link is Link.live):
            assert time.monotonic() - began < seconds, f"no live frame: {app_.link} {app_.redraws}"
            await pilot.pause(0.02)
        shown.add("tui screen", app_.export_screenshot())
    source = LiveSource.connect(kubeconfig=kubeconfig, agent=TUI_AGENT)
    pod = _a_pod(source, namespace)
    shown.add("tui y", core.object_yaml(core.read_object(source, "Pod", namespace, pod)))
    described = core.describe_object(source, "Pod", namespace, pod)
    shown.add("tui d", json.dumps([described.obj, described.events, described.notes], default=str))
    try:  # where no kubelet serves the node, the TUI shows the error, as here
        log = core.read_log(source, namespace, pod, None, 50)
        shown.add("tui l", f"{log.note}\n{log.text}")
    except GroveError as err:
        shown.add("tui l", error_text(err))
    source.close()
    return shown


def _a_pod(source: LiveSource, namespace: str) -> str:
    from grove_mcp.grove.kinds import POD

    selector = [("labelSelector", f"app.kubernetes.io/part-of={PCS}")]
    listed = source.kube.request("GET", POD, namespace, params=selector)
    running = [p for p in listed["items"] if (p.get("spec") or {}).get("nodeName")]
    return str((running or listed["items"])[0]["metadata"]["name"])
