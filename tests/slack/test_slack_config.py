"""The access config: who each channel acts as; bad files are refused naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from grove_mcp.errors import ConfigError, SettingsError
from slack_bot.config import load_config
from slack_bot.ratelimit import RateLimiter

GOOD = """
default_namespace: vllm-disagg
channels:
  C0123ABCD: {user: "grove-slack:oncall", groups: [grove-slack-viewers]}
users:
  U0456EFGH: {user: "grove-slack:alice", groups: [grove-slack-ml-team]}
alerts: {channel: C0123ABCD, namespaces: [vllm-disagg], countdown_below: 45m}
"""


def test_a_channel_acts_as_its_own_identity_and_a_user_only_in_dms(tmp_path: Path) -> None:
    """Answers in a channel are seen by the whole channel: a user's own (wider) identity is
    never used there, and an unmapped channel is refused even for a mapped user."""
    path = tmp_path / "c.yaml"
    path.write_text(GOOD)
    config = load_config(path)
    oncall = config.identity_for("C0123ABCD", "U0456EFGH")
    assert oncall is not None and oncall.user == "grove-slack:oncall"
    assert config.identity_for("C0OTHER01", "U0456EFGH") is None
    alice = config.identity_for("D0DIRECT1", "U0456EFGH")
    assert alice is not None and alice.user == "grove-slack:alice"
    assert config.identity_for("D0DIRECT1", "U9") is None
    assert config.alerts is not None and config.alerts.countdown_seconds == 45 * 60


def test_the_alert_channel_must_be_mapped(tmp_path: Path) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text("alerts: {channel: C0NOWHERE1, namespaces: [a]}\n")
    with pytest.raises(SettingsError, match=r"alerts\.channel C0NOWHERE1 is not under channels"):
        load_config(path)


def test_an_empty_token_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slack_bot.secrets import load_tokens

    (tmp_path / "empty").write_text("\n")
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN_FILE", str(tmp_path / "empty"))
    with pytest.raises(ConfigError, match="is empty"):
        load_tokens()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("channels: {C0123ABCD: {user: x, group: [g]}}", "channels.C0123ABCD.group"),
        ("channels: {general: {user: x}}", "not a Slack ID"),
        ("channels: {C0123ABCD: {user: 'system:admin'}}", "system:"),
        ("channels: {C0123ABCD: {user: x, groups: ['system:masters']}}", "system:"),
        ("default_namespace: Bad_NS", "default_namespace"),
        ("alerts: {channel: C1, namespaces: [a], countdown_below: soon}", "duration"),
        (
            "channels: {C0123ABCD: {user: x}}\nalerts: {channel: C0OTHER01, namespaces: [a]}",
            "alerts.channel",
        ),
        ("rate_limit: {per_user: 0}", "rate_limit.per_user"),
        ("- a list", "mapping"),
        ("channels: [unclosed", "not valid YAML"),
    ],
)
def test_bad_config_names_the_file_and_key(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=r"bad\.yaml:\d+: ") as caught:
        load_config(path)
    assert says in str(caught.value)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="Cannot read"):
        load_config(tmp_path / "missing.yaml")


def test_the_rate_limit_holds_per_user_and_per_channel() -> None:
    from slack_bot.config import RateLimit

    now = [0.0]
    limiter = RateLimiter(RateLimit(per_user=2, per_channel=3, per_seconds=60), lambda: now[0])
    assert limiter.check("U1", "C1") is None and limiter.check("U1", "C1") is None
    refused = limiter.check("U1", "C1")
    assert refused is not None and "you asked 2 times" in refused and "60 s" in refused
    assert limiter.check("U2", "C1") is None  # another user, same channel: third of three
    refused = limiter.check("U3", "C1")
    assert refused is not None and "this channel" in refused
    assert limiter.check("U3", "C2") is None  # the user is fine elsewhere
    now[0] = 61.0  # the window has passed
    assert limiter.check("U1", "C1") is None
