"""``kubectl grove plan store``: the only command that writes (a ConfigMap beside the
PodCliqueSet). The plan file is read and checked before any API call. The other ``plan``
commands are made from the capability table (``commands.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import core
from .options import Name, Target, with_target

PlanFile = Annotated[
    Path,
    typer.Option(
        "-f",
        "--file",
        help="plan.json written by 'kubectl grove generate', or the generated PodCliqueSet YAML "
        "(its plan annotation; also records the rendered image and topology constraint).",
        show_default=False,
    ),
]


@with_target
def store(target: Target, name: Name, file: PlanFile) -> None:
    from ..plans import plan_input_from_file
    from .run import handled_errors, run_report

    with handled_errors():
        plan = plan_input_from_file(file)  # refused before any API call when malformed
    ns = target.namespace
    run_report(target, name, lambda src: core.run("plan store", src, ns, name, plan))
