"""``kubectl grove plan``: store, show, history and diff of AIConfigurator plans.

``store`` is the only command that writes (a ConfigMap beside the PodCliqueSet); the plan file
is read and checked before any API call. ``diff`` exits 1 when the deployment drifts from the
plan.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import plan_api
from ..render.output import OutputFormat
from ..sources import Source
from ..stored_plans import plan_input_from_file
from .options import BundlePath, Context, Demo, Kubeconfig, Namespace, Output, Target, Timeout
from .run import handled_errors, run_report

plan_app = typer.Typer(
    name="plan",
    help="AIConfigurator plans kept beside a PodCliqueSet: store, show, history, diff.",
    no_args_is_help=True,
)

Name = Annotated[str, typer.Argument(help="PodCliqueSet name.", show_default=False)]
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


def _read(call: Callable[[Source, str | None, str], Any], help_text: str) -> Callable[..., None]:
    def command(
        name: Name,
        namespace: Namespace = None,
        context: Context = None,
        kubeconfig: Kubeconfig = None,
        output: Output = OutputFormat.text,
        demo: Demo = False,
        bundle: BundlePath = None,
        request_timeout: Timeout = 15.0,
    ) -> None:
        target = Target(namespace, context, kubeconfig, output, demo, bundle, request_timeout)
        run_report(target, name, lambda src: call(src, namespace, name))

    command.__doc__ = help_text
    return command


plan_app.command("show")(
    _read(
        plan_api.plan_show,
        "The current plan stored for a PodCliqueSet: model, configuration, "
        "expected performance, SLA targets.",
    )
)
plan_app.command("history")(
    _read(
        plan_api.plan_history,
        "The plans stored for a PodCliqueSet (the last 10), newest "
        "first, with what changed between them.",
    )
)
plan_app.command("diff")(
    _read(
        plan_api.plan_diff,
        "The stored plan against the deployed PodCliqueSet: workers, TP, "
        "GPUs, backend, image, topology constraint, each with a verdict. Exit 1 on drift.",
    )
)


@plan_app.command("store")
def store(
    name: Name,
    file: PlanFile,
    namespace: Namespace = None,
    context: Context = None,
    kubeconfig: Kubeconfig = None,
    output: Output = OutputFormat.text,
    demo: Demo = False,
    bundle: BundlePath = None,
    request_timeout: Timeout = 15.0,
) -> None:
    """Store a plan beside an existing PodCliqueSet (writes ConfigMap <name>-aic-plan; the last
    10 plans are kept; storing the current plan again changes nothing)."""
    target = Target(namespace, context, kubeconfig, output, demo, bundle, request_timeout)
    with handled_errors():
        plan = plan_input_from_file(file)  # refused before any API call when malformed
    run_report(target, name, lambda src: plan_api.plan_store(src, namespace, name, plan))
