"""Shell completion as shells and kubectl run it: real processes, real bash, the embedded demo,
and a loopback cluster that refuses or never answers (no candidates, no error, within the
budget)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from grove_mcp.cli import completion
from grove_mcp.cli.app import app
from grove_mcp.sources import demo_bundle_path

REPO = Path(__file__).resolve().parents[2]  # the grove_mcp under test, for child processes
STATES = "1/2 gangs healthy"  # the demo's one-line state, shown beside the name


def _env(bin_dir: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "HOME": os.environ.get("HOME", "/root"),
        "NO_COLOR": "1",
        **extra,
    }


def _run(
    command: list[str], bin_dir: Path, timeout: float = 60, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env=_env(bin_dir, **extra)
    )


def bash_complete(bin_dir: Path, *cases: tuple[list[str], int], **extra: str) -> list[list[str]]:
    """COMPREPLY for each (COMP_WORDS, COMP_CWORD) after bash sourced the printed script and
    ran the function it registered for TAB: one bash, one script, one run per case."""
    script = [
        "source <(kubectl-grove completion bash) || exit 9",
        'func=$(complete -p kubectl-grove | sed -E "s/.* -F ([^ ]+) .*/\\1/")',
    ]
    for words, cword in cases:
        array = " ".join(f"'{w}'" for w in words)
        script += [
            f"COMP_WORDS=({array}); COMP_CWORD={cword}; COMPREPLY=()",
            '"$func" kubectl-grove; printf "%s\\n" "${COMPREPLY[@]}"; echo ---',
        ]
    done = _run(["bash", "--norc", "--noprofile", "-c", "\n".join(script)], bin_dir, **extra)
    assert done.returncode == 0 and done.stderr == "", done
    replies = done.stdout.split("---\n")
    assert replies[-1] == "" and len(replies) == len(cases) + 1, done.stdout
    return [[line for line in reply.splitlines() if line] for reply in replies[:-1]]


# --- the scripts ----------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_gets_a_script_naming_the_program_and_its_protocol(shell: str) -> None:
    result = CliRunner().invoke(app, ["completion", shell])
    assert result.exit_code == 0, result.output
    assert "kubectl-grove" in result.stdout
    assert f"_KUBECTL_GROVE_COMPLETE=complete_{shell}" in result.stdout


def test_an_unknown_shell_is_refused_with_the_list() -> None:
    result = CliRunner().invoke(app, ["completion", "tcsh"])
    assert result.exit_code == 2
    assert all(shell in result.output for shell in ("tcsh", "bash", "zsh", "fish"))


# --- bash, for real -------------------------------------------------------------------------


def test_bash_completes_command_names(bin_dir: Path) -> None:
    assert bash_complete(
        bin_dir,
        (["kubectl-grove", "st"], 1),
        (["kubectl-grove", "plan", "s"], 2),
        (["kubectl-grove", "completion", "z"], 2),
        (["kubectl-grove", "-n", "ns", "to"], 3),
    ) == [["status"], ["show", "store"], ["zsh"], ["topology"]]


def test_bash_completes_names_from_the_demo_with_flags_before_or_after(bin_dir: Path) -> None:
    bundle = str(demo_bundle_path())
    assert bash_complete(
        bin_dir,
        (["kubectl-grove", "status", "my", "--demo"], 2),  # the flag after the cursor
        (["kubectl-grove", "-n", "vllm-disagg", "topology", "--demo", ""], 5),
        (["kubectl-grove", "health", "--bundle", bundle, "m"], 4),
        (["kubectl-grove", "plan", "show", "--demo", "my"], 4),
        (["kubectl-grove", "health", "x", "--demo"], 2),  # no name starts with x
        (["kubectl-grove", "status", "--demo", "-n", "elsewhere", ""], 5),
    ) == [["my-inference"]] * 4 + [[], []]


# --- zsh and fish: the protocol their scripts speak -----------------------------------------


def test_zsh_and_fish_protocols_give_names_with_their_state(bin_dir: Path) -> None:
    line = "kubectl-grove status --demo m"
    zsh = _run(
        ["kubectl-grove"],
        bin_dir,
        _KUBECTL_GROVE_COMPLETE="complete_zsh",
        _TYPER_COMPLETE_ARGS=line,
    )
    assert zsh.returncode == 0 and zsh.stderr == "", zsh
    assert zsh.stdout.startswith("_arguments") and '"my-inference":"1/2' in zsh.stdout
    fish = _run(
        ["kubectl-grove"],
        bin_dir,
        _KUBECTL_GROVE_COMPLETE="complete_fish",
        _TYPER_COMPLETE_ARGS=line,
        _TYPER_COMPLETE_FISH_ACTION="get-args",
    )
    assert fish.returncode == 0 and fish.stderr == "", fish
    name, state = fish.stdout.strip().split("\t")
    assert name == "my-inference" and state.startswith(STATES)


# --- kubectl's plugin completion ------------------------------------------------------------


def test_kubectl_complete_grove_prints_candidates_then_the_directive(bin_dir: Path) -> None:
    done = _run(["kubectl_complete-grove", "status", "--demo", ""], bin_dir)
    assert done.returncode == 0 and done.stderr == "", done
    *candidates, directive = done.stdout.splitlines()
    assert directive == ":4"  # no file names
    assert [c.split("\t")[0] for c in candidates] == ["my-inference"]
    assert candidates[0].split("\t")[1].startswith(STATES)
    commands = _run(["kubectl_complete-grove", "-n", "x", "to"], bin_dir).stdout.splitlines()
    assert [c.split("\t")[0] for c in commands] == ["topology", ":4"]
    # a file name: the shell completes it
    assert _run(["kubectl_complete-grove", "status", "--kubeconfig", ""], bin_dir).stdout == ":0\n"
    assert _run(["kubectl_complete-grove", "status", "--bogus", ""], bin_dir).stdout == ":4\n"


def test_kubectl_runs_it_for_kubectl_grove(bin_dir: Path) -> None:
    kubectl = shutil.which("kubectl", path="/usr/bin:/bin")
    if kubectl is None:
        pytest.skip("kubectl is not installed (Debian: apt-get install kubectl)")
    done = _run([kubectl, "__complete", "grove", "health", "--demo", "my"], bin_dir)
    assert done.returncode == 0, done
    assert done.stdout.splitlines()[0].split("\t")[0] == "my-inference"
    assert done.stdout.splitlines()[-1] == ":4"


# --- every command that takes a PodCliqueSet name -------------------------------------------

NEW_NAME = {"generate"}  # names a PodCliqueSet yet to be made


def _name_commands(group: typer.core.TyperGroup, words: list[str]) -> Iterator[list[str]]:
    for word, command in group.commands.items():
        if isinstance(command, typer.core.TyperGroup):
            yield from _name_commands(command, [*words, word])
        elif any(p.name == "name" for p in command.params):
            yield [*words, word]


LIVE_ONLY = {"diag"}  # it captures a cluster and takes no --demo (its names: tests/e2e)


def test_every_command_taking_a_podcliqueset_name_completes_it() -> None:
    root = typer.main.get_command(app)
    assert isinstance(root, typer.core.TyperGroup)
    commands = {" ".join(words): words for words in _name_commands(root, [])}
    assert {"status", "topology", "health", "metrics", "plan show", "plan store"} <= set(commands)
    for joined, words in commands.items():
        found, _ = completion.completions([*words, "--demo"], "")
        names = [item.value for item in found]
        expected = [] if joined in NEW_NAME | LIVE_ONLY else ["my-inference"]
        assert names == expected, joined


# --- an unreachable cluster: nothing, quietly, quickly --------------------------------------


def test_a_refusing_cluster_gives_no_candidates(refusing_port: int, loopback_kubeconfig) -> None:  # type: ignore[no-untyped-def]
    kubeconfig = loopback_kubeconfig(refusing_port)
    began = time.monotonic()
    assert completion.workloads({"kubeconfig": kubeconfig}) == []
    assert time.monotonic() - began < completion.BUDGET_SECONDS


def test_a_silent_cluster_gives_nothing_within_the_budget(
    silent_server: int, loopback_kubeconfig
) -> None:  # type: ignore[no-untyped-def]
    kubeconfig = loopback_kubeconfig(silent_server)
    began = time.monotonic()
    assert completion.workloads({"kubeconfig": kubeconfig}) == []
    took = time.monotonic() - began
    assert completion.BUDGET_SECONDS - 0.1 < took < completion.BUDGET_SECONDS + 0.5


def test_a_completion_process_ends_with_the_budget_not_the_requests(
    silent_server: int, bin_dir: Path, loopback_kubeconfig
) -> None:
    """The LISTs in flight are abandoned when the budget runs out (each would wait out its
    own timeout, and one of them queues behind another)."""
    kubeconfig = loopback_kubeconfig(silent_server)
    # start-up with the app imported, as a completion has it (plain `version` skips the app)
    started = ["kubectl-grove", "version", "--help"]
    startup = _seconds(lambda: _run(started, bin_dir))
    line = f"kubectl-grove status --kubeconfig {kubeconfig} "
    found: list[subprocess.CompletedProcess[str]] = []
    took = _seconds(
        lambda: found.append(
            _run(
                ["kubectl-grove"],
                bin_dir,
                COMP_WORDS=line,
                COMP_CWORD="4",
                _KUBECTL_GROVE_COMPLETE="complete_bash",
            )
        )
    )
    startup = max(startup, _seconds(lambda: _run(started, bin_dir)))
    (done,) = found
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "", "")
    assert took < startup + completion.BUDGET_SECONDS + 1.0, (took, startup)


def test_bash_shows_nothing_for_a_refusing_cluster(
    refusing_port: int, bin_dir: Path, loopback_kubeconfig
) -> None:
    words = ["kubectl-grove", "status", "--kubeconfig", str(loopback_kubeconfig(refusing_port))]
    assert bash_complete(bin_dir, ([*words, "m"], 4)) == [[]]


def _seconds(call: Callable[[], object]) -> float:
    began = time.monotonic()
    call()
    return time.monotonic() - began
