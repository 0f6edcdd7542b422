"""``kubectl-grove`` (``kubectl grove`` once on PATH): status, topology and health of Grove workloads."""

from __future__ import annotations

import sys

import typer

from .. import __version__, api
from ..errors import InvalidInput
from ..render.output import OutputFormat
from .generate import generate
from .options import (
    AllFlag,
    BundlePath,
    Context,
    Demo,
    Kubeconfig,
    Namespace,
    Output,
    Target,
    Timeout,
    Watch,
)
from .plan import plan_app
from .run import handled_errors, run_report, run_watch

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

NameArg = typer.Argument(None, help="PodCliqueSet name.", show_default=False)


def _name(name: str | None, all_: bool, command: str) -> str | None:
    if all_ and name:
        raise InvalidInput(f"Pass a PodCliqueSet name or --all to '{command}', not both.")
    if not all_ and not name:
        raise InvalidInput(
            f"'{command}' needs a PodCliqueSet name (or --all). "
            "'kubectl grove list' shows what exists."
        )
    return name


REPORTS = {
    "status": (api.status, "Overview, clique statuses, gangs (state, placement) and a summary."),
    "topology": (
        api.topology,
        "Where the pods landed: topology tree with GPU use, verdicts and consolidation advice.",
    ),
    "health": (
        api.health,
        "Gang health: cliques vs minAvailable, Grove's termination countdown, issues.",
    ),
}


def _report_command(report: str) -> None:
    """Register one report command; the three share their options and their flow."""
    call, help_text = REPORTS[report]

    def command(
        name: str | None = NameArg,
        all_: AllFlag = False,
        watch: Watch = False,
        namespace: Namespace = None,
        context: Context = None,
        kubeconfig: Kubeconfig = None,
        output: Output = OutputFormat.text,
        demo: Demo = False,
        bundle: BundlePath = None,
        request_timeout: Timeout = 15.0,
    ) -> None:
        target = Target(namespace, context, kubeconfig, output, demo, bundle, request_timeout)
        with handled_errors():
            name = _name(name, all_, report)
        if watch:
            run_watch(target, name, lambda src: api.watch(src, report, namespace, name))
        else:
            run_report(target, name, lambda src: call(src, namespace, name))

    app.command(report, help=help_text)(command)


for _report in REPORTS:
    _report_command(_report)


@app.command("list")
def list_(
    namespace: Namespace = None,
    context: Context = None,
    kubeconfig: Kubeconfig = None,
    output: Output = OutputFormat.text,
    demo: Demo = False,
    bundle: BundlePath = None,
    request_timeout: Timeout = 15.0,
) -> None:
    """PodCliqueSets in the namespace, each with a one-line state."""
    target = Target(namespace, context, kubeconfig, output, demo, bundle, request_timeout)
    run_report(target, None, lambda src: api.list_workloads(src, namespace))


app.add_typer(plan_app)
app.command("generate")(generate)


@app.command()
def version() -> None:
    """Print the grove-mcp version."""
    typer.echo(f"kubectl-grove (grove-mcp) {__version__}")


GLOBAL_FLAGS = ("-n", "--namespace", "--context", "--kubeconfig")


def hoist_global_flags(argv: list[str]) -> list[str]:
    """kubectl habit: ``kubectl grove -n ns status x`` means ``status x -n ns``. Flags given
    before the command are moved after it (options are accepted anywhere after it)."""
    hoisted: list[str] = []
    rest = list(argv)
    while rest and rest[0].startswith("-"):
        flag = rest[0].split("=", 1)[0]
        if flag not in GLOBAL_FLAGS:
            break
        take = 1 if "=" in rest[0] else 2
        hoisted += rest[:take]
        rest = rest[take:]
    return rest + hoisted if hoisted and rest else argv


def main() -> None:
    app(args=hoist_global_flags(sys.argv[1:]))


if __name__ == "__main__":
    main()
