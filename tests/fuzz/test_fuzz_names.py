"""PodCliqueSet names and namespaces, as the core and the CLI receive them (MCP's are in
test_mcp_args, Slack's in test_slack): a name that is no DNS label is refused as invalid
input, before anything is read; any other gets a report or "not found"."""

from __future__ import annotations

from fuzz_strategies import NAMES
from fuzz_worlds import NAMED, demo
from fuzzing import check_message, examples, outcome, tally
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from grove_mcp import core
from grove_mcp.cli.app import app
from grove_mcp.errors import GroveError, InvalidInput
from grove_mcp.names import validate_namespace, validate_object_name, validate_pcs_name

runner = CliRunner()


@settings(max_examples=examples(3))
@given(capability=st.sampled_from(NAMED), name=NAMES, namespace=st.none() | NAMES)
def test_core_takes_any_name(capability: str, name: str, namespace: str | None) -> None:
    result = outcome(core.run, capability, demo(), namespace, name)
    tally("core name", result)
    # "" is "not given" (the source's default namespace), as MCP clients often say it
    bad = [
        v
        for v, check in ((name, validate_pcs_name), (namespace, validate_namespace))
        if v != "" and v is not None and isinstance(outcome(check, v), GroveError)
    ]
    if bad:
        assert isinstance(result, InvalidInput), f"{bad} was not refused: {result!r}"


@settings(max_examples=examples(5))
@given(value=NAMES)
def test_name_validators_refuse_with_a_message(value: str) -> None:
    for check in (validate_namespace, validate_object_name, validate_pcs_name):
        result = outcome(check, value)
        assert isinstance(result, GroveError) or result == value


@settings(max_examples=examples(1))
@given(
    command=st.sampled_from(["status", "health", "topology", "plan show"]),
    name=NAMES,
    namespace=st.none() | NAMES,
)
def test_cli_takes_any_name(command: str, name: str, namespace: str | None) -> None:
    args = [*command.split(), name, "--demo", "-o", "json"]
    args += ["-n", namespace] if namespace is not None else []
    # GROVE_DEBUG: a bug raises (CliRunner keeps it) instead of printing "Internal error"
    result = runner.invoke(app, args, env={"NO_COLOR": "1", "GROVE_DEBUG": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1, 2, 3, 4), result.output
    tally("cli name", f"exit {result.exit_code}")
    if result.exit_code >= 2:
        check_message(result.output, f"exit {result.exit_code}")
