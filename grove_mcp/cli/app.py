"""The ``kubectl-grove`` Typer app: one command per capability of the table (``main`` starts it)."""

from __future__ import annotations

from collections.abc import Callable

import typer

from ..core import CAPABILITIES
from . import completion as shell_completion
from .commands import table_command
from .config_view import config_app
from .diag import diag
from .generate import generate
from .metrics import compare, diagnose, metrics
from .plan import store
from .replan import replan
from .tui import tui
from .validate import validate
from .version import version

app = typer.Typer(
    name="kubectl-grove",
    help="Operations toolkit for AI-inference workloads on NVIDIA Grove. Reads a live cluster "
    "(kubeconfig / --context / in-cluster), a diagnostic bundle (--bundle) or the embedded demo "
    "(--demo). Exit codes: 0 ok, 1 problems found, 2 invalid input, 3 not found, 4 errors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Capabilities with inputs of their own; every other command is made from the table.
HAND_WRITTEN: dict[str, Callable[..., None]] = {
    "plan store": store,
    "generate": generate,
    "validate": validate,
    "metrics": metrics,
    "compare": compare,
    "diagnose": diagnose,
    "replan": replan,
    "diag": diag,
}
GROUPS = {"plan": "AIConfigurator plans kept beside a PodCliqueSet: store, show, history, diff."}


def _register(root: typer.Typer) -> None:
    groups: dict[str, typer.Typer] = {}
    for cap in CAPABILITIES:
        command = HAND_WRITTEN.get(cap.name) or table_command(cap)
        *group, word = cap.words
        parent = root
        if group:
            if group[0] not in groups:
                groups[group[0]] = typer.Typer(
                    name=group[0],
                    help=GROUPS.get(group[0], f"The {group[0]} commands."),
                    no_args_is_help=True,
                )
                root.add_typer(groups[group[0]])
            parent = groups[group[0]]
        parent.command(word, help=cap.help)(command)


_register(app)


app.command()(tui)
app.add_typer(config_app)
app.command()(shell_completion.completion)


app.command()(version)
