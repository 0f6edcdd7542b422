"""Every front end shows the report's own verdict: on every scenario and every capability, the
CLI's exit code and JSON, the MCP tool's structured content and Markdown header, and the Slack
colour say what the core's ``summary`` says (and fail alike when the core raises)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from typer.testing import CliRunner

from grove_mcp import core
from grove_mcp.cli.main import app
from grove_mcp.core import CAPABILITIES, Capability, Scope
from grove_mcp.errors import GroveError
from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.render import OutputFormat, render
from grove_mcp.render.slack import COLOURS
from grove_mcp.reports.common import Severity
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import BundleSource

READS = [c for c in CAPABILITIES if c.args is None]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def core_verdict(cap: Capability, source: BundleSource, name: str | None) -> dict[str, Any]:
    """The core's summary as JSON, or the error's code and exit code."""
    try:
        report = core.run(cap, source, None, name)
    except GroveError as err:
        return {"error": err.code, "exit": err.exit_code}
    summary: dict[str, Any] = report.model_dump(mode="json")["summary"]
    colour = render(report, OutputFormat.slack)["attachments"][0]["color"]
    assert colour == (COLOURS[Severity.info] if summary["ok"] else COLOURS[summary["severity"]])
    assert not summary["ok"] or summary["severity"] == "info"
    return summary


def cli_agrees(cap: Capability, bundle: Path, name: str | None, verdict: dict[str, Any]) -> None:
    target = [name] if name else (["--all"] if cap.scope is Scope.both else [])
    argv = [*cap.words, *target, "--bundle", str(bundle), "-o", "json"]
    result = CliRunner().invoke(app, argv, env={"NO_COLOR": "1"})
    if "error" in verdict:
        assert result.exit_code == verdict["exit"], result.output
        return
    assert result.exit_code == (0 if verdict["ok"] else 1), result.output
    assert json.loads(result.stdout)["summary"] == verdict


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
