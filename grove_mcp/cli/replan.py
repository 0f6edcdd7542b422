"""``kubectl grove replan``: one metrics window, then AIConfigurator calibrated on the deployed
configuration and run again with the observed traffic; the proposal on stdout, and with
--save-dir its PodCliqueSet and plan.json as files. Writes nothing to the cluster. Progress on
stderr; Ctrl-C stops the window or the AIConfigurator child (exit 130)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .. import aic
from ..errors import InvalidInput
from .options import Name, Target, with_target
from .run import console, error_console, exit_by_verdict, handled_errors, source_for, validate
from .window import SCRAPE, PlanFile, ScrapeFlags, Window, metrics_args, with_scrape

if TYPE_CHECKING:
    from ..core import ReplanArgs
    from ..reports.replan import ReplanReport

_PANEL = "Re-plan"


def _opt(*names: str, help: str, **kw: Any) -> Any:
    return typer.Option(*names, help=help, rich_help_panel=_PANEL, show_default=False, **kw)


TotalGpus = Annotated[
    int | None, _opt("--total-gpus", help="GPU budget (default: the GPUs deployed).", min=1)
]
SaveDir = Annotated[
    Path | None,
    _opt("--save-dir", help="Write the proposal's PodCliqueSet and plan.json here."),
]
Force = Annotated[
    bool,
    _opt("--force", help="Show a proposal even when the deployment is not steady (marked so)."),
]
Model = Annotated[str | None, _opt("--model", help="Model (instead of the plan's).")]
System = Annotated[str | None, _opt("--system", help="AIConfigurator system (plan's).")]
Backend = Annotated[str | None, _opt("--backend", help="sglang, vllm or trtllm (plan's).")]
Ttft = Annotated[float | None, _opt("--ttft", help="TTFT target, ms (plan's SLA).", min=0.001)]
Tpot = Annotated[float | None, _opt("--tpot", help="TPOT target, ms (plan's SLA).", min=0.001)]
Timeout = Annotated[
    float,
    _opt(
        "--timeout",
        help=f"Seconds per AIConfigurator run (default {aic.DEFAULT_TIMEOUT_S:g}).",
        min=10,
    ),
]


def write_files(report: ReplanReport) -> list[str]:
    """The proposal's manifest and plan.json where the (redacted) report says; the paths."""
    from ..planfile import dump_plan
    from ..redact import MASK

    p = report.proposal
    if p is None or not p.file or not p.plan_file:
        return []
    if MASK in p.file or MASK in p.plan_file:
        raise InvalidInput("The PodCliqueSet's name looks like a credential: files not written.")
    Path(p.file).write_text(p.manifest, encoding="utf-8")
    Path(p.plan_file).write_text(dump_plan(p.plan), encoding="utf-8")
    return [p.file, p.plan_file]


def _run(target: Target, name: str, args: ReplanArgs) -> ReplanReport:
    from .. import core
    from ..core import ReplanArgs
    from ..reports.replan import ReplanReport
    from .progress import progress_display, run_cancellable, window_progress

    source = source_for(target)
    title = f"replan {name}: collecting a {args.window:g}s window"

    def work(cancel: threading.Event, on_window: Callable[[float, str], None]) -> Any:
        with progress_display(error_console()) as on_aic:
            given = ReplanArgs(
                **{
                    **args.__dict__,
                    "on_progress": on_window,
                    "cancel": cancel,
                    "on_aic_progress": on_aic,
                }
            )
            return core.run("replan", source, target.namespace, name, given)

    with window_progress(error_console(), title) as on_window:
        report = run_cancellable(lambda cancel: work(cancel, on_window))
    assert isinstance(report, ReplanReport)
    return core.check_proposal(report, source)


@with_target
@with_scrape
def replan(
    target: Target,
    name: Name,
    window: Window = 30.0,
    total_gpus: TotalGpus = None,
    save_dir: SaveDir = None,
    force: Force = False,
    plan: PlanFile = None,
    model: Model = None,
    system: System = None,
    backend: Backend = None,
    ttft: Ttft = None,
    tpot: Tpot = None,
    timeout: Timeout = aic.DEFAULT_TIMEOUT_S,
    scrape: ScrapeFlags = SCRAPE,
) -> None:
    """Re-plan for the traffic really served (see kubectl grove replan --help)."""
    with handled_errors():
        validate(target, name)
        window_args = metrics_args(window, False, scrape, plan)
        from ..core import Assumptions, ReplanArgs
        from ..render import emit
        from .generate import prepare_dir

        assumptions = Assumptions(model, system, backend, ttft, tpot).validated()
        directory = prepare_dir(save_dir) if save_dir is not None else None
        args = ReplanArgs(
            **window_args.__dict__,
            assumptions=assumptions,
            total_gpus=total_gpus,
            force=force,
            save_dir=directory,
            timeout_s=timeout,
            **demo_runners(target),
        )
        report = _run(target, name, args)
        for path in write_files(report):
            error_console().print(f"Wrote {path}", soft_wrap=True)
        if directory is not None and report.proposal is None:
            error_console().print(f"No proposal, so nothing was written to {directory}.")
        emit(report, target.output, console())
    exit_by_verdict(report)


def demo_runners(target: Target) -> dict[str, Any]:
    """With --demo, AIConfigurator's answers recorded for the demo (no install needed)."""
    if not target.demo:
        return {}
    from ..demo import recorded_aiconfigurator

    return recorded_aiconfigurator()
