"""CLI commands made from the capability table: one per capability without inputs of its own.

A capability's scope decides its arguments: a required PodCliqueSet name (one), a name or
``--all`` (both), none (all); ``--watch`` where the table says it can watch. Capabilities with
inputs of their own (``plan store``, ``generate``) have hand-written commands, checked against
the table by a test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from .. import core
from ..core.table import Scope
from ..errors import InvalidInput
from .completion import complete_pcs_name
from .options import AllFlag, Name, Target, Watch, with_target

if TYPE_CHECKING:
    from ..core import Capability

OptionalName = typer.Argument(
    None, help="PodCliqueSet name.", show_default=False, autocompletion=complete_pcs_name
)


def _name(name: str | None, all_: bool, command: str) -> str | None:
    if all_ and name:
        raise InvalidInput(f"Pass a PodCliqueSet name or --all to '{command}', not both.")
    if not all_ and not name:
        raise InvalidInput(
            f"'{command}' needs a PodCliqueSet name (or --all). "
            "'kubectl grove list' shows what exists."
        )
    return name


def _one_or_all(cap: Capability) -> Callable[..., None]:
    @with_target
    def command(
        target: Target,
        name: str | None = OptionalName,
        all_: AllFlag = False,
        watch: Watch = False,
    ) -> None:
        from .run import (  # on use: registering stays cheap
            handled_errors,
            retries_on_stderr,
            run_report,
            run_watch,
        )

        with handled_errors():
            name = _name(name, all_, cap.name)
        ns = target.namespace
        if watch:
            run_watch(
                target, name, lambda src: core.watch(cap, src, ns, name, retries_on_stderr(src))
            )
        else:
            run_report(target, name, lambda src: core.run(cap, src, ns, name))

    return command


def _one(cap: Capability) -> Callable[..., None]:
    @with_target
    def command(target: Target, name: Name) -> None:
        from .run import run_report

        run_report(target, name, lambda src: core.run(cap, src, target.namespace, name))

    return command


def _all(cap: Capability) -> Callable[..., None]:
    @with_target
    def command(target: Target) -> None:
        from .run import run_report

        run_report(target, None, lambda src: core.run(cap, src, target.namespace))

    return command


_BY_SCOPE = {Scope.both: _one_or_all, Scope.one: _one, Scope.all: _all}


def table_command(cap: Capability) -> Callable[..., None]:
    """The command of a capability that takes no input of its own."""
    if cap.args is not None or cap.scope not in _BY_SCOPE:
        raise TypeError(f"'{cap.name}' needs a hand-written command")
    return _BY_SCOPE[cap.scope](cap)
