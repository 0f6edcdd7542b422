"""The access config: who each channel acts as; bad files are refused naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from grove_mcp.errors import ConfigError
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


def test_a_user_mapping_wins_over_the_channel_and_unmapped_is_none(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(GOOD)
    config = load_config(path)
    assert config.identity_for("C0123ABCD", "U9").user == "grove-slack:oncall"  # type: ignore[union-attr]
    assert config.identity_for("C0123ABCD", "U0456EFGH").user == "grove-slack:alice"  # type: ignore[union-attr]
    assert config.identity_for("C0OTHER01", "U9") is None
    assert config.alerts is not None and config.alerts.countdown_seconds == 45 * 60


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("channels: {C0123ABCD: {user: x, group: [g]}}", "channels.C0123ABCD.group"),
        ("channels: {general: {user: x}}", "not a Slack ID"),
        ("channels: {C0123ABCD: {user: 'system:admin'}}", "system:"),
        ("channels: {C0123ABCD: {user: x, groups: ['system:masters']}}", "system:"),
        ("default_namespace: Bad_NS", "default_namespace"),
        ("alerts: {channel: C1, namespaces: [a], countdown_below: soon}", "duration"),
        ("rate_limit: {per_user: 0}", "rate_limit.per_user"),
        ("- a list", "mapping"),
        ("channels: [unclosed", "not valid YAML"),
    ],
)
def test_bad_config_names_the_file_and_key(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"bad\.yaml") as caught:
        load_config(path)
    assert says in str(caught.value)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot read"):
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
