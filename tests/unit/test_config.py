"""The config file: where it is, what it may hold, errors by file, line and key, origins."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from grove_mcp.cli.app import app
from grove_mcp.config import ENV, config_path, load_settings
from grove_mcp.errors import InvalidInput, SettingsError


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Write the config file named by $KUBECTL_GROVE_CONFIG."""
    path = tmp_path / "config.yaml"
    monkeypatch.setenv(ENV, str(path))

    def write(text: str) -> Path:
        path.write_text(text)
        return path

    return write


def test_the_path_follows_xdg_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_path() == (tmp_path / "xdg" / "kubectl-grove" / "config.yaml", False)
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config_path()[0] == tmp_path / "home" / ".config" / "kubectl-grove" / "config.yaml"
    monkeypatch.setenv(ENV, str(tmp_path / "mine.yaml"))
    assert config_path() == (tmp_path / "mine.yaml", True)


def test_no_file_means_the_defaults_but_a_named_missing_file_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    settings = load_settings()
    assert not settings.found and settings.config.metrics.scrape_timeout == 5.0
    assert all(origin == "default" for _, _, origin in settings.rows())
    monkeypatch.setenv(ENV, str(tmp_path / "absent.yaml"))
    with pytest.raises(SettingsError, match=r"\$KUBECTL_GROVE_CONFIG names .*absent\.yaml"):
        load_settings()


def test_values_and_where_they_came_from(config) -> None:  # type: ignore[no-untyped-def]
    path = config(
        "# mine\ndefaults:\n  namespace: prod\n  operator_namespace: grove-system\n"
        "metrics:\n  port: 9400\ntui: {color_scheme: light}\naiconfigurator:\n"
        "  default_backend: vllm\n"
    )
    settings = load_settings()
    c = settings.config
    assert (c.defaults.namespace, c.defaults.operator_namespace) == ("prod", "grove-system")
    assert (c.metrics.port, c.tui.color_scheme, c.aiconfigurator.default_backend) == (
        9400,
        "light",
        "vllm",
    )
    origins = {key: origin for key, _, origin in settings.rows()}
    assert origins["defaults.namespace"] == f"{path}:3"
    assert origins["metrics.port"] == f"{path}:6"
    assert origins["tui.color_scheme"] == f"{path}:7"
    assert origins["metrics.scrape_timeout"] == "default"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("defaults:\n  namespace: prod\n  nmespace: x\n", ":3: defaults.nmespace: unknown key"),
        ("metrics:\n  port: 99999\n", ":2: metrics.port: Input should be less than or equal"),
        ("tui:\n  color_scheme: pink\n", ":2: tui.color_scheme: Input should be 'dark' or"),
        ("defaults:\n  namespace: Bad_NS\n", ":2: defaults.namespace:"),
        ("telemetry: on\n", ":1: telemetry: unknown key"),
        ("defaults:\n  namespace: [unclosed\n", ": not valid YAML"),
        ("- a list\n", ":1: the config file must be a mapping"),
        ("aiconfigurator: {default_backend: tensorflow}\n", ":1: aiconfigurator.default_backend"),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_line_and_key(config, text: str, says: str) -> None:  # type: ignore[no-untyped-def]
    path = config(text)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert caught.value.message.startswith(str(path)), caught.value.message
    assert says in caught.value.message, caught.value.message


def test_config_view_shows_each_value_and_its_origin(config) -> None:  # type: ignore[no-untyped-def]
    path = config("defaults:\n  namespace: prod\n")
    result = CliRunner().invoke(app, ["config", "view", "-o", "yaml"])
    assert result.exit_code == 0, result.output
    assert f"from: {path}:2" in result.output and "value: prod" in result.output
    text = CliRunner().invoke(app, ["config", "view"], env={"COLUMNS": "160"})
    assert "defaults.namespace" in text.output and f"{path}:2" in text.output
    assert "-n/--namespace" in text.output


def test_a_bad_file_fails_every_command_with_exit_2_and_the_line(config) -> None:  # type: ignore[no-untyped-def]
    path = config("defaults:\n  namespace: prod\n  bogus: 1\n")
    for args in (["config", "view"], ["status", "my-inference", "--demo"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert f"{path}:3: defaults.bogus: unknown key" in result.output


def test_metrics_flags_override_the_file_which_overrides_the_defaults(config) -> None:  # type: ignore[no-untyped-def]
    from grove_mcp.cli.window import ScrapeFlags
    from grove_mcp.cli.window import metrics_args as _args
    from grove_mcp.sources.scrape import ScrapeVia

    config("metrics:\n  port: 9400\n  scrape_timeout: 2.5\n")
    from_file = _args(30, False, ScrapeFlags(ScrapeVia.auto, None, None, None, None), None)
    assert (from_file.port, from_file.timeout) == (9400, 2.5)
    flags = _args(30, False, ScrapeFlags(ScrapeVia.auto, 8000, None, 9.0, None), None)
    assert (flags.port, flags.timeout) == (8000, 9.0)


def test_generate_takes_its_backend_from_the_file_and_says_so_when_none(config) -> None:  # type: ignore[no-untyped-def]
    from grove_mcp.cli.generate import _configured_backend

    path = config("defaults: {}\n")
    with pytest.raises(InvalidInput, match=rf"--backend .*{path.name}"):
        _configured_backend()
    config("aiconfigurator: {default_backend: trtllm}\n")
    assert _configured_backend() == "trtllm"


def test_the_tui_takes_its_refresh_interval_and_colours_from_the_file(
    config, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from grove_mcp.tui.app import GroveTui

    started: list[GroveTui] = []
    monkeypatch.setattr(GroveTui, "run", lambda self: started.append(self))
    config("tui:\n  refresh_interval: 42\n  color_scheme: light\n")
    assert CliRunner().invoke(app, ["tui", "--demo"]).exit_code == 0
    assert (started[-1].window, started[-1].light) == (42, True)
    assert CliRunner().invoke(app, ["tui", "--demo", "--theme", "dark"]).exit_code == 0
    assert started[-1].light is False  # the flag wins


def test_grove_slack_reads_the_slack_section_with_lines_and_defaults(config) -> None:  # type: ignore[no-untyped-def]
    from slack_bot.config import config_from_settings

    config(
        "defaults:\n  namespace: prod\nslack:\n  channels:\n"
        "    C0123ABCD: {user: 'grove-slack:oncall'}\n"
    )
    bot = config_from_settings(load_settings())
    assert bot is not None and bot.default_namespace == "prod"
    assert bot.channels["C0123ABCD"].user == "grove-slack:oncall"
    path = config("slack:\n  channels:\n    C0123ABCD: {user: x, group: [g]}\n")
    with pytest.raises(SettingsError, match=rf"{path}:3: slack\.channels\.C0123ABCD\.group"):
        config_from_settings(load_settings())


def test_grove_mcp_reads_the_same_file(config) -> None:  # type: ignore[no-untyped-def]
    from grove_mcp.mcp_server.main import config_from, parser

    config(
        "defaults: {namespace: prod, operator_namespace: gs}\nmetrics: {port: 9400, scrape_timeout: 3}\n"
    )
    server = config_from(parser().parse_args(["--demo"]))
    assert (server.cluster_namespace, server.operator_namespace) == ("prod", "gs")
    assert (server.metrics_port, server.scrape_timeout) == (9400, 3.0)
