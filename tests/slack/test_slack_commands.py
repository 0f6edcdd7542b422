"""Slash-command parsing: the commands come from the capability table, the options are the
CLI's names, and anything else gets the closest valid command."""

from __future__ import annotations

import pytest

from grove_mcp.core import CAPABILITIES
from slack_bot.commands import COMMANDS, Command, NotACommand, help_text, parse


def test_every_reading_capability_of_the_table_is_a_command_and_no_writer_is() -> None:
    readers = {c.name for c in CAPABILITIES if not c.writes and c.scope.value != "none"}
    assert set(COMMANDS) == readers
    assert "plan store" not in COMMANDS and "generate" not in COMMANDS
    for name in ("status", "topology", "health", "metrics", "compare", "diagnose"):
        assert name in COMMANDS
    assert {"plan show", "plan diff", "list"} <= set(COMMANDS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("health my-inference -n prod", Command("health", "my-inference", "prod")),
        ("status --all", Command("status", all=True)),
        ("topology -A -n ml", Command("topology", namespace="ml", all=True)),
        ("plan show qwen --namespace=ml", Command("plan show", "qwen", "ml")),
        ("PLAN DIFF qwen", Command("plan diff", "qwen")),
        ("diagnose qwen --no-metrics", Command("diagnose", "qwen", no_metrics=True)),
        ("metrics qwen --window 2m", Command("metrics", "qwen", window=120.0)),
        ("replan qwen --force --window 5s", Command("replan", "qwen", window=5.0, force=True)),
        ("list", Command("list")),
        ("", Command("help")),
        ("help", Command("help")),
    ],
)
def test_commands_parse(text: str, expected: Command) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("helth my-inference", "health"),
        ("plan shw qwen", "plan show"),
        ("diagnos qwen", "diagnose"),
        ("status", "status NAME"),
        ("plan shwo qwen", "plan show"),
    ],
)
def test_unknown_input_names_the_closest_command(text: str, suggestion: str | None) -> None:
    with pytest.raises(NotACommand) as caught:
        parse(text)
    assert caught.value.suggestion == suggestion


@pytest.mark.parametrize(
    ("text", "why"), [("plan store qwen", "never writes"), ("generate", "AIConfigurator")]
)
def test_writes_and_file_commands_are_refused_saying_why(text: str, why: str) -> None:
    with pytest.raises(NotACommand, match=why) as caught:
        parse(text)
    assert caught.value.suggestion is None


@pytest.mark.parametrize(
    "text",
    [
        "health My_Inference",  # not a DNS label
        "health x -n Bad_NS",
        "health x --window 30s",  # not an option of health
        "health x --force",  # only replan takes --force
        "diagnose x --force",
        "replan x --no-metrics",  # replan needs its window
        "metrics x --window 2h",  # beyond what a chat answer waits
        "list my-inference",
        "status a b",
        "status a --all",
        "health 'unclosed",
        "health x -n",
    ],
)
def test_bad_input_is_refused_before_any_call(text: str) -> None:
    with pytest.raises(NotACommand):
        parse(text)


def test_a_command_reads_back_as_typed_and_parses_to_itself() -> None:
    for command in (
        Command("health", "my-inference", "prod"),
        Command("metrics", "qwen", "ml", window=45.0),
        Command("diagnose", "qwen", no_metrics=True),
        Command("replan", "qwen", "ml", window=60.0, force=True),
        Command("status", all=True),
    ):
        assert parse(command.text()) == command


def test_long_commands_are_the_metrics_window_ones() -> None:
    assert parse("diagnose x").long and parse("metrics x").long and parse("compare x").long
    assert not parse("diagnose x --no-metrics").long and not parse("health x").long


def test_help_lists_every_command_and_the_suggestion() -> None:
    text = help_text("'helth' is not a /grove command.", "health")
    assert "Did you mean `/grove health`?" in text
    for name in COMMANDS:
        assert f"`{name}" in text


def test_a_window_that_is_a_flag_is_not_a_duration():
    """Found by fuzzing: '--window -n' answered HTTP 500 (parse_duration's ValueError)."""
    from slack_bot.commands import NotACommand, parse

    with pytest.raises(NotACommand, match="not a duration"):
        parse("metrics my-inference --window -n")


def test_a_follow_up_drops_replan_force() -> None:
    """A button made from a forced re-plan answer runs its own command, never ``--force``."""
    forced = parse("replan qwen -n ml --force")
    assert forced.retarget("replan") == Command("replan", "qwen", "ml")
