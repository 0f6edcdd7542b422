"""Shell completion for ``kubectl-grove`` and ``kubectl grove``.

* ``kubectl grove completion bash|zsh|fish`` prints the shell's script (Typer's scripts and
  protocol: the script reruns ``kubectl-grove`` with ``_KUBECTL_GROVE_COMPLETE=complete_<shell>``).
* PodCliqueSet names come from where the line points (``-n``, ``--context``, ``--kubeconfig``,
  ``--demo``, ``--bundle``, typed before the name or, in bash, after it) through the core's
  ``list`` report, within ``BUDGET_SECONDS``: a cluster that cannot answer in time gives no
  candidates, never an error.
* ``kubectl_complete-grove`` answers kubectl's plugin completion (kubectl >= 1.26): the words
  after ``kubectl grove`` in; one candidate per line, then cobra's directive, out.

A completion request exits as soon as its answer is printed (``os._exit``): a LIST still in
flight when the budget ran out is abandoned, not waited for. Typer vendors Click, so its
completion classes come from ``typer._click``.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer._click.shell_completion import (
    CompletionItem,
    _resolve_context,
    _resolve_incomplete,
    add_completion_class,
    split_arg_string,
)
from typer._completion_classes import BashComplete, FishComplete, ZshComplete
from typer.completion import get_completion_script

from .. import core
from .leave import leave_now
from .main import COMPLETE_VAR  # the entry point checks it before importing this module

if TYPE_CHECKING:
    from ..reports.listing import WorkloadLine

PROG = "kubectl-grove"
BUDGET_SECONDS = 1.5  # the whole name lookup: kubeconfig, connection and LISTs
NO_FILE_COMP = 4  # cobra's ShellCompDirectiveNoFileComp
FILE_COMP = 0  # cobra's ShellCompDirectiveDefault: the shell completes file names
# Options that say where names come from; bash also passes those typed after the cursor.
_TARGET_FLAGS = {
    "-n": 1, "--namespace": 1, "--context": 1, "--kubeconfig": 1, "--bundle": 1, "--demo": 0
}  # fmt: skip


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion(
    shell: Annotated[
        Shell, typer.Argument(help="bash, zsh or fish.", show_default=False, case_sensitive=False)
    ],
) -> None:
    """Print the shell completion script, e.g. source <(kubectl-grove completion bash)."""
    typer.echo(script(shell))


def script(shell: Shell) -> str:
    return get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell.value)


# --- PodCliqueSet names ---------------------------------------------------------------------


def complete_pcs_name(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Typer's ``autocompletion`` for a PodCliqueSet name: the names (with their one-line
    state) in the namespace the line points at, that start with ``incomplete``."""
    return [(w.name, w.state) for w in workloads(ctx.params) if w.name.startswith(incomplete)]


def workloads(params: Mapping[str, Any], budget: float = BUDGET_SECONDS) -> list[WorkloadLine]:
    """The PodCliqueSets of the ``list`` report for the parsed options ``params``, or none
    when the source cannot be read (or not within ``budget`` seconds)."""
    from ..reports.listing import WorkloadList
    from ..sources import open_source
    from ..sources.agents import CLI_AGENT

    found: list[WorkloadLine] = []

    def look() -> None:
        try:
            source = open_source(
                demo=bool(params.get("demo")),
                bundle=_text(params.get("bundle")),
                kubeconfig=_text(params.get("kubeconfig")),
                context=params.get("context"),
                timeout=budget,
                agent=CLI_AGENT,
            )
            report = core.run("list", source, params.get("namespace"))
            if isinstance(report, WorkloadList):
                found.extend(report.items)
        except BaseException:  # completion prints candidates or nothing, never an error
            found.clear()

    worker = threading.Thread(target=look, name="grove-complete", daemon=True)
    worker.start()
    worker.join(budget)
    return [] if worker.is_alive() else list(found)


def _text(value: object) -> str | None:
    return str(value) if value else None


# --- the shells' protocol -------------------------------------------------------------------


def completions(args: list[str], incomplete: str) -> tuple[list[CompletionItem], bool]:
    """What completes ``incomplete`` after the complete words ``args`` (the program name not
    included), and whether that word is a file name (for the shell to complete). kubectl's
    habit of flags before the command is honoured. Never raises."""
    from .app import app  # the app registers this module's command

    try:
        cli = typer.main.get_command(app)
        args = _hoisted(args)
        ctx = _resolve_context(cli, {}, PROG, args)
        target, incomplete = _resolve_incomplete(ctx, args, incomplete)
        found = [item for item in target.shell_complete(ctx, incomplete) if item.type == "plain"]
    except Exception:  # an unknown option, a bad value: no candidates
        return [], False
    described = getattr(target, "type_descriptor", None)
    return found, bool(described and (described.is_path or described.is_file))


def _hoisted(args: list[str]) -> list[str]:
    """``-n ns status …`` as ``status -n ns …`` (``hoist_global_flags``), the flags put before
    the first option after the command, so that a flag still waiting for its value stays last."""
    from .main import hoist_global_flags

    moved = hoist_global_flags(args)
    cut = next((k for k in range(1, len(args)) if moved == args[k:] + args[:k]), 0)
    if not cut:
        return args
    flags, rest = args[:cut], args[cut:]
    first_option = next((i for i, w in enumerate(rest) if w.startswith("-")), len(rest))
    return rest[:first_option] + flags + rest[first_option:]


def _candidates(args: list[str], incomplete: str) -> list[CompletionItem]:
    return completions(args, incomplete)[0]


class _Bash(BashComplete):
    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        after = _target_flags(_words_after_cursor())
        found = _candidates(args + after, incomplete) if after else []
        return found or _candidates(args, incomplete)


class _Zsh(ZshComplete):
    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        return _candidates(args, incomplete)


class _Fish(FishComplete):
    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        return _candidates(args, incomplete)


for _cls, _name in ((_Bash, "bash"), (_Zsh, "zsh"), (_Fish, "fish")):
    add_completion_class(_cls, _name)


def _words_after_cursor() -> list[str]:
    words = split_arg_string(os.environ.get("COMP_WORDS", ""))
    try:
        return words[int(os.environ.get("COMP_CWORD", "")) + 1 :]
    except ValueError:
        return []


def _target_flags(words: list[str]) -> list[str]:
    """The options among ``words`` that say where names come from, with their values."""
    kept: list[str] = []
    index = 0
    while index < len(words):
        flag = words[index].split("=", 1)[0]
        takes = _TARGET_FLAGS.get(flag)
        if takes is None:
            index += 1
            continue
        width = 1 if takes == 0 or "=" in words[index] else 2
        if len(words[index : index + width]) == width:
            kept += words[index : index + width]
        index += width
    return kept


def requested() -> bool:
    """Whether a shell's completion script started this process."""
    return bool(os.environ.get(COMPLETE_VAR))


def answer(app: Callable[..., Any]) -> NoReturn:
    """Answer the shell's completion request (Typer reads it from the environment) and exit."""
    code = 0
    try:
        app(args=[], prog_name=PROG, complete_var=COMPLETE_VAR)
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0
    except BaseException:
        code = 1
    leave_now(code)


def kubectl_complete() -> NoReturn:
    """``kubectl_complete-grove ARG... INCOMPLETE``, run by kubectl to complete
    ``kubectl grove ARG... INCOMPLETE``: candidates (``value<TAB>help``), then ``:directive``."""
    *args, incomplete = sys.argv[1:] or [""]
    items, files = completions(args, incomplete)
    lines = [f"{i.value}\t{_one_line(i.help)}" if i.help else i.value for i in items]
    directive = FILE_COMP if files else NO_FILE_COMP
    print("\n".join([*lines, f":{directive}"]))
    leave_now(0)


def _one_line(text: str) -> str:
    return " ".join(text.split())
