"""``grove-slack`` as a user starts it: --demo answers every command for real; a missing config
or token is a clear error (exit 2), never a traceback; tokens never reach the log."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from grove_mcp.reports.replan import proposal_file_names
from slack_bot.demo import COMMANDS, MENTIONS
from slack_bot.main import main
from slack_bot.secrets import LogRedaction, load_tokens


def test_demo_answers_every_command_and_writes_messages_and_the_heatmap(tmp_path: Path) -> None:
    assert main(["--demo", "--out", str(tmp_path)]) == 0
    exchanges = [json.loads(p.read_text()) for p in sorted(tmp_path.glob("[0-9][0-9]-*.json"))]
    assert len(exchanges) == len(COMMANDS) + len(MENTIONS) + 1  # and one button click
    assert all(e["http_status"] == 200 for e in exchanges)
    for exchange in exchanges:
        answered = exchange["responses"] or exchange["ack"] or exchange["calls"]
        assert answered, f"{exchange['title']} got no answer"
    manifest, plan = proposal_file_names("my-inference")  # the forced re-plan's proposal
    assert "kind: PodCliqueSet" in (tmp_path / manifest).read_text()
    assert json.loads((tmp_path / plan).read_text())
    png = tmp_path / "my-inference-topology.png"
    assert png.read_bytes().startswith(b"\x89PNG")
    index = (tmp_path / "index.md").read_text()
    assert index.count("https://app.slack.com/block-kit-builder/#") >= len(COMMANDS) - 2


def test_without_a_config_every_channel_would_be_refused_so_it_will_not_start(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--http"]) == 2
    assert "no access config" in capsys.readouterr().err


def test_a_missing_token_is_named_with_how_to_set_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("channels: {}\n")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)
    assert main(["--http", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN is not set" in err and "SLACK_BOT_TOKEN_FILE" in err


def test_tokens_come_from_files_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bot").write_text("xoxb-from-a-file\n")
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN_FILE", str(tmp_path / "bot"))
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cr3t")
    tokens = load_tokens()
    assert tokens.bot == "xoxb-from-a-file" and "xoxb" not in repr(tokens)


def test_the_log_never_shows_a_token(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("grove-slack-test")
    handler = caplog.handler
    handler.addFilter(LogRedaction())
    try:
        logger.warning("calling chat.postMessage with %s", "Bearer xoxb-1234567890-abcdefghij")
    finally:
        handler.removeFilter(handler.filters[-1])
    assert "xoxb-1234567890" not in caplog.text and "[REDACTED]" in caplog.text
