"""A planted credential reaches every capability's report as built, and leaves grove-mcp
nowhere: not in the table's output in any format, not in the CLI's output or the files
``generate`` writes, not in an MCP answer. (``plan store``, which needs a live cluster, is
checked the same way in tests/e2e/test_redaction_live.py.)"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from recorded_aic import Replay, flags
from samples import shown
from typer import Typer
from typer.testing import CliRunner

from grove_mcp import aic, core
from grove_mcp.cli.app import app
from grove_mcp.cli.generate import generate_command
from grove_mcp.core import CAPABILITIES, Capability, Inputs, Scope
from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.redact import MASK
from grove_mcp.render import OutputFormat, render
from grove_mcp.scenarios import demo
from grove_mcp.snapshot import fetch_snapshot
from grove_mcp.sources import BundleSource
from grove_mcp.sources.bundle import Bundle

SECRET = "xoxb-0123456789-plantedsecret"  # a Slack bot token's shape; also a valid DNS label
PCS = "my-inference"
QWEN_8 = "qwen3_32b_sglang_8gpu"


def _plant(obj: dict[str, Any]) -> dict[str, Any]:
    """The object with the secret where a careless user or a chatty controller puts one."""
    obj = copy.deepcopy(obj)
    kind, labels = obj["kind"], obj["metadata"].get("labels") or {}
    if kind == "Node" and labels.get("topology.kubernetes.io/rack") == "rack-a":
        labels["topology.kubernetes.io/rack"] = SECRET  # a domain name in the topology tree
    elif kind == "Event":
        obj["message"] = f"{obj.get('message', '')} token={SECRET}"
    elif kind == "Pod":
        for container in obj["spec"]["containers"]:
            container.setdefault("args", []).append(f"--api-key={SECRET}")
        for cond in obj.get("status", {}).get("conditions") or []:
            if cond.get("message"):
                cond["message"] += f" (scheduler cache token={SECRET})"
    elif kind == "PodClique":
        for cond in obj.get("status", {}).get("conditions") or []:
            if cond.get("type") == "MinAvailableBreached" and cond.get("status") == "True":
                cond["reason"] = f"{cond.get('reason')} {SECRET}"
                cond["message"] = f"{cond.get('message', '')} {SECRET}"
    elif kind == "ConfigMap" and "plan.json" in obj.get("data", {}):
        plan = json.loads(obj["data"]["plan.json"])
        plan.update(name=SECRET, model=f"org/{SECRET}")
        obj["data"]["plan.json"] = json.dumps(plan)
    return obj


def planted() -> Bundle:
    bundle = demo()
    return replace(bundle, objects=tuple(_plant(o) for o in bundle.objects))


def planted_source() -> BundleSource:
    return BundleSource(planted(), label=f"bundle sent by ops (token={SECRET})")


def _name(cap: Capability) -> str | None:
    return None if cap.scope is Scope.all else PCS


READS = [c for c in CAPABILITIES if c.args is None]
# Reports that show nothing of the objects but their names: the secret reaches them through
# the source's label (a bundle's, in every report's header).
THROUGH_THE_SOURCE_LABEL = {"list"}


@pytest.mark.parametrize("cap", READS, ids=lambda c: c.name)
def test_the_secret_reaches_the_report_and_the_exit_removes_it(cap):
    source = planted_source() if cap.name in THROUGH_THE_SOURCE_LABEL else BundleSource(planted())
    request = cap.snapshot_request(source.default_namespace, _name(cap))
    assert request is not None
    raw = cap.build(Inputs(fetch_snapshot(source, request), _name(cap)))
    assert SECRET in raw.model_dump_json(), "plant the secret where this report shows it"

    report = core.run(cap, planted_source(), None, _name(cap))
    assert SECRET not in report.model_dump_json() and MASK in report.model_dump_json()
    for fmt in OutputFormat:
        assert SECRET not in shown(render(report, fmt, fancy=True)), fmt


def test_generate_redacts_the_report_and_the_files_it_writes(tmp_path: Path):
    args = aic.GenerateArgs(
        aic.make_request(**flags(QWEN_8)),
        aic.RenderOptions(env={"HF_TOKEN": SECRET}),
        save_dir=tmp_path,
        run=Replay(QWEN_8),
    )
    assert SECRET in aic.generate_from(args).model_dump_json()  # the manifest carries it
    report = core.run("generate", None, args=args)
    assert SECRET not in report.model_dump_json()
    assert any("credentials" in note for note in report.notes)

    argv = ["--env", f"HF_TOKEN={SECRET}", "--save-dir", str(tmp_path / "cli")]
    names = {"ttft_ms": "--ttft", "tpot_ms": "--tpot", "request_latency_ms": "--request-latency"}
    for key, value in flags(QWEN_8).items():
        argv += [names.get(key, "--" + key.replace("_", "-")), str(value)]
    cli = Typer()
    cli.callback()(lambda: None)
    cli.command("generate")(generate_command(Replay(QWEN_8)))
    result = CliRunner().invoke(cli, ["generate", *argv], env={"NO_COLOR": "1"})
    assert result.exit_code in (0, 1), result.output
    files = sorted((tmp_path / "cli").iterdir())
    assert len(files) == 4
    for path in files:
        assert SECRET not in path.read_text(), path.name
    assert SECRET not in result.stdout + result.stderr
    assert "look like credentials" in result.stderr  # the files will not apply as written

    named = ["generate", *argv, "--name", SECRET, "--save-dir", str(tmp_path / "named")]
    refused = CliRunner().invoke(cli, named, env={"NO_COLOR": "1"})
    assert refused.exit_code == 2 and "Pass another --name" in refused.stderr
    assert not list((tmp_path / "named").iterdir())  # nothing written under a masked name
    assert SECRET not in refused.stdout + refused.stderr


def test_cli_output_and_errors_carry_no_secret(tmp_path: Path):
    bundle = planted().write(tmp_path / "bundle")
    for words in (["health", PCS], ["plan", "show", PCS], ["status", f"nope-{SECRET}"]):
        result = CliRunner().invoke(app, [*words, "--bundle", str(bundle)], env={"NO_COLOR": "1"})
        assert result.exit_code in (0, 1, 2, 3), result.output
        assert SECRET not in result.stdout + result.stderr, words


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_mcp_answers_carry_no_secret(anyio_backend):
    source = planted_source()
    server = build_server(ServerConfig(), source=lambda: source)
    progress: list[str] = []

    async def on_progress(_done: float, _total: float | None, message: str | None) -> None:
        progress.append(message or "")

    async with Client(server) as client:
        for tool in ("grove_health", "grove_topology", "grove_plan_diff"):
            result = await client.call_tool(tool, {"name": PCS}, progress_callback=on_progress)
            assert not result.is_error
            assert SECRET not in result.content[0].text + json.dumps(result.structured_content)
        missing = await client.call_tool("grove_status", {"name": f"x-{SECRET}"})
        assert missing.is_error and SECRET not in missing.content[0].text
    assert any("Reading bundle sent by ops" in m for m in progress), progress
    assert not [m for m in progress if SECRET in m]
