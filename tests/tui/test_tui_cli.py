"""``kubectl grove tui`` refuses bad input before starting anything."""

from __future__ import annotations

from typer.testing import CliRunner

from grove_mcp.cli.app import app


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["tui", *args])


def test_a_bad_name_namespace_or_theme_is_refused_with_exit_2() -> None:
    for args, said in (
        (["Bad_Name", "--demo"], "not a valid PodCliqueSet name"),
        (["-n", "Bad_NS", "--demo"], "not a valid namespace"),
        (["--demo", "--theme", "purple"], "--theme is dark or light"),
        (["--demo", "--bundle", "x.tar.gz"], "either --demo or --bundle"),
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert said in result.output, (args, result.output)


def test_a_missing_bundle_is_refused_before_the_screen_opens(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run("--bundle", str(tmp_path / "absent.tar.gz"))
    assert result.exit_code == 4 and "absent.tar.gz" in result.output, result.output
