"""What ``replan`` takes: the metrics window, the assumptions to keep, the GPU budget, runners."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..aic import DEFAULT_TIMEOUT_S, AicRun, EstimateRun, run_aiconfigurator, run_estimate
from ..aic.runner import ProgressCallback
from ..errors import InvalidInput
from ..performance.metrics import MetricsArgs


@dataclass(frozen=True)
class Assumptions:
    """Plan assumptions given as flags (they win over the stored plan's)."""

    model: str | None = None
    system: str | None = None
    backend: str | None = None
    ttft_ms: float | None = None
    tpot_ms: float | None = None

    def validated(self) -> Assumptions:
        """These flags, or ``InvalidInput`` naming the bad one: checked before the window."""
        from ..aic.request import BACKENDS, check_system

        if self.model is not None and not self.model.strip():
            raise InvalidInput("--model is empty: give a Hugging Face id, e.g. Qwen/Qwen3-32B.")
        if self.system is not None:
            try:
                check_system(self.system)
            except ValueError as err:
                raise InvalidInput(f"--system: {err}.") from None
        if self.backend is not None and self.backend not in BACKENDS:
            raise InvalidInput(f"--backend {self.backend!r}: give one of {', '.join(BACKENDS)}.")
        for flag, value in (("--ttft", self.ttft_ms), ("--tpot", self.tpot_ms)):
            if value is not None and not value > 0:
                raise InvalidInput(f"{flag} {value:g}: give a target above 0 ms.")
        return self


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
