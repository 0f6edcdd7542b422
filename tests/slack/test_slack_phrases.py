"""Mentions and DMs map deterministically to commands (documented patterns, no LLM)."""

from __future__ import annotations

import pytest

from slack_bot.commands import Command
from slack_bot.phrases import Ambiguous, NotUnderstood, Understood, understand


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("<@U0BOT> why is my-inference slow?", Command("diagnose", "my-inference")),
        ("what's wrong with qwen", Command("diagnose", "qwen")),
        ("my-inference seems slow", Command("diagnose", "my-inference")),
        ("is qwen healthy", Command("health", "qwen")),
        ("Is qwen healthy in ml-team?", Command("health", "qwen", "ml-team")),
        ("where did my-inference land?", Command("topology", "my-inference")),
        ("where are the my-inference pods running", Command("topology", "my-inference")),
        ("is my-inference meeting its SLA?", Command("compare", "my-inference")),
        ("how fast is qwen", Command("metrics", "qwen")),
        ("status of qwen in namespace prod", Command("status", "qwen", "prod")),
        ("what was planned for qwen", Command("plan show", "qwen")),
        ("what is running", Command("list")),
        ("<@U0BOT> health my-inference -n prod", Command("health", "my-inference", "prod")),
    ],
)
def test_phrases_map_to_commands(text: str, command: Command) -> None:
    assert understand(text) == Understood(command)


def test_the_default_namespace_fills_in_when_none_is_named() -> None:
    assert understand("is qwen healthy", "ml") == Understood(Command("health", "qwen", "ml"))
    assert understand("is qwen healthy in prod", "ml") == Understood(
        Command("health", "qwen", "prod")
    )


@pytest.mark.parametrize("text", ["is qwen healthy in abc-", "is qwen healthy in the morning"])
def test_an_invalid_or_wordy_namespace_is_not_taken(text: str) -> None:
    assert understand(text, "ml") == Understood(Command("health", "qwen", "ml"))


def test_two_readings_are_ambiguous_and_offer_both() -> None:
    reading = understand("is qwen healthy, and why is llama slow")
    assert isinstance(reading, Ambiguous)
    assert {(c.capability, c.name) for c in reading.choices} == {
        ("health", "qwen"),
        ("diagnose", "llama"),
    }


def test_an_intent_without_a_name_asks_which_and_offers_the_list() -> None:
    reading = understand("why is it slow?")
    assert isinstance(reading, Ambiguous)
    assert [c.capability for c in reading.choices] == ["list"]
    assert "Which PodCliqueSet" in reading.question


def test_a_typo_in_a_command_suggests_the_command() -> None:
    assert understand("helth my-inference") == NotUnderstood(
        "'helth' is not a /grove command.", "health my-inference"
    )
    assert understand("hello there") == NotUnderstood("I did not understand that.")


def test_the_same_text_always_reads_the_same() -> None:
    text = "why is my-inference slow in prod"
    assert len({repr(understand(text)) for _ in range(20)}) == 1
