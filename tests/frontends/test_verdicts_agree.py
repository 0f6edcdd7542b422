"""Every front end shows the report's own verdict: on every scenario and every capability, the
CLI's exit code and text, the MCP tool's structured content and Markdown header, and the Slack
message's severity marker say what the core's ``summary`` says (and fail alike when the core raises). ``plan
store`` needs a live cluster: tests/e2e/test_plan_live.py checks its front ends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from recorded_aic import Replay, flags
from typer import Typer
from typer.testing import CliRunner

from grove_mcp import aic, core
from grove_mcp.cli.app import app
from grove_mcp.cli.generate import generate_command
from grove_mcp.core import CAPABILITIES, Capability, Scope
from grove_mcp.errors import GroveError
from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.mcp_server.generate_tools import generate_tool
from grove_mcp.render import OutputFormat, render
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import BundleSource

READS = [c for c in CAPABILITIES if c.args is None]
SLACK_MARK = {"info": ":information_source:", "warning": ":warning:", "critical": ":red_circle:"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def core_verdict(cap: Capability, source: Any, name: str | None = None) -> dict[str, Any]:
    """The core's summary as JSON, or the error's code and exit code (``source`` is a bundle
    source, or ``generate``'s arguments)."""
    try:
        if isinstance(source, aic.GenerateArgs):
            report = core.run(cap, None, args=source)
        else:
            report = core.run(cap, source, None, name)
    except GroveError as err:
        return {"error": err.code, "exit": err.exit_code}
    summary: dict[str, Any] = report.model_dump(mode="json")["summary"]
    slack = render(report, OutputFormat.slack)
    mark = ":white_check_mark:" if summary["ok"] else SLACK_MARK[summary["severity"]]
    assert slack.blocks[0]["text"]["text"].startswith(mark + " ")
    assert slack.blocks[1]["fields"][0]["text"].startswith(f"*Verdict*\n{mark} ")
    assert not summary["ok"] or summary["severity"] == "info"
    return summary


def cli_agrees(cap: Capability, bundle: Path, name: str | None, verdict: dict[str, Any]) -> None:
    target = [name] if name else (["--all"] if cap.scope is Scope.both else [])
    argv = [*cap.words, *target, "--bundle", str(bundle)]
    result = CliRunner().invoke(app, argv, env={"NO_COLOR": "1", "COLUMNS": "400"})
    if "error" in verdict:
        assert result.exit_code == verdict["exit"], result.output
        return
    assert result.exit_code == (0 if verdict["ok"] else 1), result.output
    assert verdict["text"] in result.stdout, "the text output does not show the verdict"


async def mcp_agrees(cap: Capability, source: BundleSource, name: str, verdict: dict) -> None:
    server = build_server(ServerConfig(), source=lambda: source)
    async with Client(server) as client:
        result = await client.call_tool(
            cap.tool, {"name": name} if cap.scope is not Scope.all else {}
        )
    text = result.content[0].text
    if "error" in verdict:
        assert result.is_error and text.endswith(f"[{verdict['error']}]"), text
        return
    assert not result.is_error, text
    assert result.structured_content["summary"] == verdict
    mark = "OK" if verdict["ok"] else "NOT OK"
    assert f"**{mark}: {verdict['text']}**" in text


CASES = [
    (scenario, cap, mode)
    for scenario in sorted(SCENARIOS)
    for cap in READS
    for mode in (["one", "all"] if cap.scope is Scope.both else [cap.scope.value])
]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("scenario", "cap", "mode"), CASES, ids=lambda v: getattr(v, "name", str(v))
)
async def test_front_ends_agree_with_the_report_verdict(scenario, cap, mode, tmp_path):
    bundle = SCENARIOS[scenario]()
    source = BundleSource(bundle)
    name = core.run("list", source).model_dump()["items"][0]["name"]
    target = name if mode == "one" else None
    verdict = core_verdict(cap, source, target)
    cli_agrees(cap, bundle.write(tmp_path / "bundle"), target, verdict)
    if mode != "all" or cap.scope is Scope.all:  # MCP tools are about one PodCliqueSet or a list
        await mcp_agrees(cap, source, name, verdict)


def test_the_scenarios_cover_ok_and_not_ok_verdicts():
    """The agreement above means something only if both verdicts occur."""
    seen = {
        core_verdict(cap, BundleSource(SCENARIOS[s]()), None).get("ok")
        for s in ("demo", "healthy")
        for cap in READS
        if cap.scope is Scope.both
    }
    assert seen == {True, False}


@pytest.mark.anyio
@pytest.mark.parametrize("fixture", ["qwen3_32b_sglang_8gpu", "qwen3_32b_sglang_8gpu_tpot2"])
async def test_generate_front_ends_agree(fixture, tmp_path):
    args = aic.GenerateArgs(aic.make_request(**flags(fixture)), run=Replay(fixture))
    verdict = core_verdict(core.capability("generate"), args)
    cli = Typer()
    cli.callback()(lambda: None)
    cli.command("generate")(generate_command(Replay(fixture)))
    argv = ["generate", "--save-dir", str(tmp_path)]
    names = {"ttft_ms": "--ttft", "tpot_ms": "--tpot", "request_latency_ms": "--request-latency"}
    for key, value in flags(fixture).items():
        argv += [names.get(key, "--" + key.replace("_", "-")), str(value)]
    result = CliRunner().invoke(cli, argv, env={"NO_COLOR": "1", "COLUMNS": "400"})
    assert result.exit_code == (0 if verdict["ok"] else 1), result.output
    assert verdict["text"] in result.stdout
    server = build_server(ServerConfig(demo=True), tools=(generate_tool(Replay(fixture)),))
    async with Client(server) as client:
        answer = await client.call_tool("grove_generate", flags(fixture))
    assert answer.structured_content["summary"] == verdict
    mark = "OK" if verdict["ok"] else "NOT OK"
    assert f"**{mark}: {verdict['text']}**" in answer.content[0].text


def test_generate_fixtures_cover_both_verdicts():
    seen = {
        core.run(
            "generate", None, args=aic.GenerateArgs(aic.make_request(**flags(f)), run=Replay(f))
        ).model_dump()["summary"]["ok"]
        for f in ("qwen3_32b_sglang_8gpu", "qwen3_32b_sglang_8gpu_tpot2")
    }
    assert seen == {True, False}
