"""What ``replan`` takes: the metrics window, the assumptions to keep, the GPU budget, runners."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..aic import DEFAULT_TIMEOUT_S, AicRun, EstimateRun, run_aiconfigurator, run_estimate
from ..aic.runner import ProgressCallback
from ..performance.metrics import MetricsArgs


@dataclass(frozen=True)
class Assumptions:
    """Plan assumptions given as flags (they win over the stored plan's)."""

    model: str | None = None
    system: str | None = None
    backend: str | None = None
    ttft_ms: float | None = None
    tpot_ms: float | None = None


@dataclass(frozen=True)
class ReplanArgs(MetricsArgs):
    """Everything ``replan`` takes: how to read the window (``MetricsArgs``; ``plan`` is a plan
    file given instead of the stored plan) and the re-plan's own inputs. ``run``/``estimate``
    replace the AIConfigurator runners (recorded answers for the demo and front-end tests)."""

    assumptions: Assumptions = Assumptions()
    total_gpus: int | None = None  # the GPU budget; default: the GPUs deployed
    force: bool = False  # propose even when the deployment is not steady
    save_dir: Path | None = None  # where the CLI writes the manifest and plan.json
    on_aic_progress: ProgressCallback | None = None  # the AIConfigurator runs' progress
    timeout_s: float = DEFAULT_TIMEOUT_S
    run: Callable[..., AicRun] = run_aiconfigurator
    estimate: Callable[..., EstimateRun] = run_estimate
