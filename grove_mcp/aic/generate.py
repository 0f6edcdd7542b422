"""``generate``: run AIConfigurator, check the SLA, render PodCliqueSets, write them with plan.json.

``generate`` is the one entry point front ends call (CLI with a progress bar, MCP with progress
notifications). Its pure parts, usable on a recorded ``AicRun``: ``plans.build_plans`` and
``report.build_report``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ..errors import InvalidInput
from ..reports.generate import GenerateReport, GenerateTimings
from .planfile import dump_plan
from .plans import RenderedPlan, build_plans
from .protocol import AicProgress, AicRun
from .render import RenderOptions
from .report import build_report
from .request import PlanRequest
from .runner import DEFAULT_TIMEOUT_S, ProgressCallback, run_aiconfigurator


def _prepare_dir(save_dir: str | Path | None) -> Path | None:
    if save_dir is None:
        return None
    path = Path(save_dir).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"Cannot use save directory {path}: {exc.strerror or exc}.") from None
    return path


def _write(rendered: list[RenderedPlan]) -> None:
    for item in rendered:
        if item.file and item.plan_file:
            item.file.write_text(item.manifest, encoding="utf-8")
            item.plan_file.write_text(dump_plan(item.plan), encoding="utf-8")


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
) -> GenerateReport:
    """Plan ``request`` with AIConfigurator (in a child process) and render both modes.

    Writes ``<name>.yaml`` and ``<name>.plan.json`` per mode into ``save_dir`` (created if
    needed; None writes nothing: the report still carries manifests and plans). Bad options are
    refused before AIConfigurator starts. ``run`` replaces the runner (tests).
    """
    started = time.monotonic()
    options = (options or RenderOptions()).validated()
    directory = _prepare_dir(save_dir)
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
    if directory:
        progress("writing", f"writing files to {directory}", 0.99)
        _write(rendered)
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
        result, rendered, options, save_dir=directory, timings=timings, notes=notes
    )
    progress("done", report.verdict, 1.0)
    return report
