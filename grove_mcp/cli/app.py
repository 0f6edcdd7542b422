"""The ``kubectl-grove`` Typer app: one command per capability of the table (``main`` starts it).

Every command's name is known at once (``--help``, completion and a mistyped name list them
all), but a command is built, and its module imported, when it is first looked up: running
``status`` builds ``status`` only, not the other nineteen commands (issue 15 P6).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup

from ..core import CAPABILITIES, Capability

# Capabilities with inputs of their own: the module (in this package) and function of their
# hand-written command; every other command is made from the table.
HAND_WRITTEN: dict[str, tuple[str, str]] = {
    "plan store": (".plan", "store"),
    "generate": (".generate", "generate"),
    "validate": (".validate", "validate"),
    "metrics": (".metrics", "metrics"),
    "compare": (".metrics", "compare"),
    "diagnose": (".metrics", "diagnose"),
    "replan": (".replan", "replan"),
    "diag": (".diag", "diag"),
}
# Commands that are no capability of the table, registered after the table's
OTHER_COMMANDS = {
    "tui": (".tui", "tui"),
    "completion": (".completion", "completion"),
    "version": (".version", "version"),
}
GROUPS = {"plan": "AIConfigurator plans kept beside a PodCliqueSet: store, show, history, diff."}


def _function(module: str, name: str) -> Callable[..., None]:
    function: Callable[..., None] = getattr(importlib.import_module(module, __package__), name)
    return function


def _command_function(cap: Capability) -> Callable[..., None]:
    if cap.name in HAND_WRITTEN:
        return _function(*HAND_WRITTEN[cap.name])
    from .commands import table_command

    return table_command(cap)


def _one_command(word: str, function: Callable[..., None], help: str | None) -> Any:
    """``function`` as the click command ``word``, as Typer builds it inside a group."""
    alone = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    alone.command(word, help=help)(function)
    return typer.main.get_command(alone)


def _table_command(cap: Capability) -> Callable[[], Any]:
    return lambda: _one_command(cap.name, _command_function(cap), cap.help)


def _other_command(word: str) -> Callable[[], Any]:
    return lambda: _one_command(word, _function(*OTHER_COMMANDS[word]), None)


def _table_group(word: str, caps: list[Capability]) -> Callable[[], Any]:
    def build() -> Any:
        group = typer.Typer(
            name=word, help=GROUPS.get(word, f"The {word} commands."), no_args_is_help=True
        )
        for cap in caps:
            group.command(cap.words[-1], help=cap.help)(_command_function(cap))
        return typer.main.get_group(group)

    return build


def _config_group() -> Any:
    from .config_view import config_app

    return typer.main.get_group(config_app)


def makers() -> dict[str, Callable[[], Any]]:
    """Each root command's name → how to build its click command, in the order Typer listed
    them when it built them all: the table's commands, the others, then the groups."""
    commands: dict[str, Callable[[], Any]] = {}
    groups: dict[str, list[Capability]] = {}
    for cap in CAPABILITIES:
        *group, _ = cap.words
        if group:
            groups.setdefault(group[0], []).append(cap)
        else:
            commands[cap.name] = _table_command(cap)
    commands |= {word: _other_command(word) for word in OTHER_COMMANDS}
    commands |= {word: _table_group(word, caps) for word, caps in groups.items()}
    commands["config"] = _config_group
    return commands


class LazyCommands(MutableMapping[str, Any]):
    """A group's commands by name: every name known, each command built on first use."""

    def __init__(self, makers: Mapping[str, Callable[[], Any]]) -> None:
        self._makers = dict(makers)
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = self._makers[name]()  # KeyError: no such command
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._makers.setdefault(name, lambda: command)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._makers[name]
        self._built.pop(name, None)

    def __contains__(self, name: object) -> bool:  # a name is known without building it
        return name in self._makers

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


class LazyGroup(TyperGroup):
    """The root group, its commands built on first use (``LazyCommands``)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(makers())


app = typer.Typer(
    name="kubectl-grove",
    help="Operations toolkit for AI-inference workloads on NVIDIA Grove. Reads a live cluster "
    "(kubeconfig / --context / in-cluster), a diagnostic bundle (--bundle) or the embedded demo "
    "(--demo). Exit codes: 0 ok, 1 problems found, 2 invalid input, 3 not found, 4 errors.",
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root() -> None:
    """Nothing to do before a command: with no command registered on it, Typer would make the
    app a single command rather than a group (``LazyGroup`` adds the commands)."""
