"""The capability table is the one declaration of every capability: the CLI, the MCP tools,
resources and prompts, the renderers and the README are made from it or agree with it."""

from __future__ import annotations

import inspect
import re
import typing
from typing import Any

import pytest
import typer
import yaml
from samples import samples, shown

from grove_mcp.cli.app import HAND_WRITTEN, app
from grove_mcp.core import CAPABILITIES, Scope, capability, output_model, report_models
from grove_mcp.mcp_server import TOOLS
from grove_mcp.mcp_server.app import INSTRUCTIONS
from grove_mcp.mcp_server.prompts import prompts_dir
from grove_mcp.mcp_server.resources import resource_capabilities
from grove_mcp.render import OutputFormat, render
from grove_mcp.render.slack_mrkdwn import esc
from tools.readme_commands import README, command_table

# Named in the diagnose prompt as "if the server offers them"; the metrics issue adds them.
ANNOUNCED_TOOLS = {"grove_metrics", "grove_compare"}


def cli_commands(group: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf command of a (typer's vendored) click group, by its words."""
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found |= cli_commands(command, f"{prefix}{name} ")
        else:
            found[prefix + name] = command
    return found


def test_the_cli_has_one_command_per_capability_with_the_table_help():
    commands = cli_commands(typer.main.get_group(app))
    # besides the table: the version, the TUI (several capabilities at once), the config file
    assert set(commands) == {c.name for c in CAPABILITIES} | {
        "version",
        "tui",
        "config view",
        "completion",
    }
    for cap in CAPABILITIES:
        assert commands[cap.name].help == cap.help, cap.name


def test_only_capabilities_with_inputs_have_hand_written_commands():
    assert set(HAND_WRITTEN) == {c.name for c in CAPABILITIES if c.args is not None}


@pytest.mark.parametrize("cap", CAPABILITIES, ids=lambda c: c.name)
def test_cli_arguments_follow_the_scope(cap):
    params = {p.name: p for p in cli_commands(typer.main.get_group(app))[cap.name].params}
    takes_name = "name" in params and params["name"].param_type_name == "argument"
    assert takes_name == (cap.scope in (Scope.one, Scope.both))
    assert ("all_" in params) == (cap.scope is Scope.both)
    assert ("watch" in params) == (cap.watch or cap.repeats)


def test_every_tool_is_a_capability_of_the_table():
    by_tool = {c.tool: c for c in CAPABILITIES}
    assert sorted(s.name for s in TOOLS) == sorted(by_tool)
    for spec in TOOLS:
        cap = by_tool[spec.name]
        assert spec.writes == cap.writes, spec.name
        assert spec.annotations.read_only_hint is (not cap.writes), spec.name
        returned = typing.get_type_hints(spec.fn, include_extras=True)["return"]
        schema_model = typing.get_args(returned)[1]
        assert issubclass(schema_model, cap.report), spec.name  # the report, plus `truncated`
        name = inspect.signature(spec.fn).parameters.get("name")
        takes_a_name = name is not None and name.default is inspect.Parameter.empty
        assert takes_a_name == (cap.scope in (Scope.one, Scope.both)), spec.name


def test_resources_are_the_read_only_capabilities_about_one_workload():
    names = {c.name for c in resource_capabilities()}
    assert {"status", "topology", "health", "plan show", "plan history", "plan diff"} <= names
    excluded = {c.name for c in CAPABILITIES if c.writes or c.args or c.scope is Scope.all}
    assert {"list", "generate", "plan store"} <= excluded
    assert not names & excluded


def test_prompts_and_instructions_name_only_tools_of_the_table():
    tools = {c.tool for c in CAPABILITIES}
    texts = [p.read_text(encoding="utf-8") for p in sorted(prompts_dir().glob("*.md"))]
    named = set(re.findall(r"\bgrove_[a-z_]+", "\n".join([INSTRUCTIONS, *texts])))
    assert named - tools <= ANNOUNCED_TOOLS, named - tools - ANNOUNCED_TOOLS
    assert named & tools, "the prompts name no tool at all"


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=str)
@pytest.mark.parametrize("model", report_models(), ids=lambda m: m.__name__)
def test_every_report_renders_in_every_format_with_its_verdict(model, fmt):
    report = samples()[model]
    text = shown(render(report, fmt, fancy=False))
    verdict = report.summary  # type: ignore[attr-defined]
    if fmt in (OutputFormat.json, OutputFormat.yaml):
        assert yaml.safe_load(text)["summary"] == verdict.model_dump(mode="json")
    elif fmt is OutputFormat.slack:  # mrkdwn: report text escaped (&, <, >)
        assert esc(verdict.text.split(" | ")[0]) in text, "the verdict is not shown"
    else:
        assert verdict.text.split(" | ")[0] in text, "the verdict is not shown"
    as_mcp_output = output_model(model).model_validate(report.model_dump())  # + `truncated`
    if fmt in (OutputFormat.json, OutputFormat.yaml):
        assert "truncated" in shown(render(as_mcp_output, fmt))
    else:
        assert shown(render(as_mcp_output, fmt)) == text


def test_readme_command_table_is_generated_from_the_table():
    assert command_table() in README.read_text(encoding="utf-8"), (
        "README.md's command table is stale: python -m tools.readme_commands --write"
    )


def test_capability_names_are_cli_words_and_tool_names():
    for cap in CAPABILITIES:
        assert re.fullmatch(r"[a-z]+( [a-z]+)?", cap.name), cap.name
        assert re.fullmatch(r"grove_[a-z_]+", cap.tool)


def test_the_tui_views_are_capabilities_of_the_table():
    """The TUI's live views are the table's watchable reports, and its metrics view the
    metrics capability: a screen without a capability behind it would be a copy."""
    from grove_mcp.tui import feed

    for name in feed.VIEWS:
        assert capability(name).watch, name
    assert capability("metrics").report is feed.MetricsReport
