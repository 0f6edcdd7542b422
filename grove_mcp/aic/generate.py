"""``generate``: run AIConfigurator, check the SLA, render PodCliqueSets with their plan.json.

The capability table calls ``generate_from(GenerateArgs)`` (CLI with a progress bar, MCP with
progress notifications). Nothing is written here: the report carries each manifest and plan
with the path it is meant for (``save_dir``), and the CLI writes them once the report has been
redacted. Pure parts, usable on a recorded ``AicRun``: ``mode_plans.build_plans`` and
``report.build_report``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..reports.generate import GenerateReport, GenerateTimings
from ..snapshot import Snapshot
from .cluster_fit import fit_to_cluster
from .manifests import RenderOptions
from .mode_plans import build_plans
from .protocol import AicProgress, AicRun
from .report import build_report
from .request import PlanRequest
from .runner import DEFAULT_TIMEOUT_S, ProgressCallback, run_aiconfigurator


@dataclass(frozen=True)
class GenerateArgs:
    """Everything ``generate`` takes: the request, how to render, and how to run."""

    request: PlanRequest
    options: RenderOptions | None = None
    save_dir: Path | None = None  # where the files are meant to go (the CLI writes them)
    on_progress: ProgressCallback | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    cancel: threading.Event | None = None
    run: Callable[..., AicRun] = run_aiconfigurator


def generate_from(args: GenerateArgs, snapshot: Snapshot | None = None) -> GenerateReport:
    """``generate`` with its arguments in one value (the capability table's builder);
    ``snapshot``: the cluster the manifests are for, when one was given."""
    return generate(
        args.request,
        args.options,
        snapshot=snapshot,
        save_dir=args.save_dir,
        on_progress=args.on_progress,
        timeout_s=args.timeout_s,
        cancel=args.cancel,
        run=args.run,
    )


def generate(
    request: PlanRequest,
    options: RenderOptions | None = None,
    *,
    save_dir: str | Path | None = None,
    on_progress: ProgressCallback | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    cancel: threading.Event | None = None,
    run: Callable[..., AicRun] = run_aiconfigurator,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    snapshot: Snapshot | None = None,
) -> GenerateReport:
    """Plan ``request`` with AIConfigurator (in a child process) and render both modes.

    The report names ``<save_dir>/<name>.yaml`` and ``<name>.plan.json`` per mode as the files
    to write (None: no files). Bad options are refused before AIConfigurator starts, those
    that do not fit the cluster in ``snapshot`` (topology binding, its levels) included.
    ``run`` replaces the runner (tests).
    """
    started = time.monotonic()
    fitted = fit_to_cluster((options or RenderOptions()).validated(), snapshot)
    options = fitted.options
    directory = Path(save_dir).expanduser().resolve() if save_dir is not None else None
    result = run(request, on_progress=on_progress, timeout_s=timeout_s, cancel=cancel)

    def progress(phase: str, message: str, fraction: float) -> None:
        if on_progress:
            on_progress(
                AicProgress(
                    phase=phase,
                    message=message,
                    elapsed_s=round(time.monotonic() - started, 3),
                    fraction=fraction,
                )
            )

    progress("rendering", "rendering PodCliqueSets", 0.98)
    rendered, notes = build_plans(
        result, options, created_at=now().replace(microsecond=0), save_dir=directory
    )
    total = time.monotonic() - started
    aic = result.wall_s or 0.0
    t = result.timings
    inside = t.import_s + (t.preflight_s or 0.0) + t.search_s + t.artifacts_s if t else aic
    timings = GenerateTimings(
        total_s=round(total, 3),
        aiconfigurator_s=round(aic, 3),
        overhead_s=round(max(total - inside, 0.0), 3),
        aiconfigurator_import_s=t.import_s if t else None,
        aiconfigurator_preflight_s=t.preflight_s if t else None,
        aiconfigurator_search_s=t.search_s if t else None,
        aiconfigurator_artifacts_s=t.artifacts_s if t else None,
        child_peak_rss_mb=t.peak_rss_mb if t else None,
    )
    report = build_report(
        result, rendered, options, save_dir=directory, timings=timings, notes=fitted.notes + notes
    )
    progress("done", report.verdict, 1.0)
    return report
