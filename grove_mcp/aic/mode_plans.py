"""Plans per serving mode from a recorded run: interpreted, rendered, given file names. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..planfile import Plan
from .interpret import ModePlan, mode_plan
from .manifests import RenderedPcs, RenderOptions, render_pcs, to_yaml_all
from .protocol import AicRun

MODES = ("disagg", "agg")  # Plan 1, Plan 2
TITLES = {"disagg": "Prefill-Decode Disaggregated Mode", "agg": "Aggregated Mode"}
SHORT = {"disagg": "disaggregated", "agg": "aggregated"}


@dataclass(frozen=True)
class RenderedPlan:
    """One mode's plan and its manifest, with where they go."""

    mode_plan: ModePlan
    pcs: RenderedPcs
    manifest: str
    plan: Plan  # stamped with the PCS name
    file: Path | None
    plan_file: Path | None


def build_plans(
    run: AicRun, options: RenderOptions, *, created_at: datetime, save_dir: Path | None
) -> tuple[list[RenderedPlan], list[str]]:
    """Interpret and render each mode AIConfigurator answered; notes for the ones it did not."""
    rendered, notes = [], []
    for mode in MODES:
        plan = mode_plan(run, mode, created_at=created_at)
        if plan is None:
            result = run.modes.get(mode)
            why = result.error if result and result.error else "no configuration returned"
            notes.append(f"AIConfigurator produced no {SHORT[mode]} plan: {why}.")
            continue
        pcs = render_pcs(plan.plan, plan.engine, options)
        stem = f"{options.name}-{mode}" if options.name else pcs.name
        rendered.append(
            RenderedPlan(
                mode_plan=plan,
                pcs=pcs,
                manifest=to_yaml_all(pcs.documents()),
                plan=plan.plan.model_copy(update={"name": pcs.name}),
                file=save_dir / f"{stem}.yaml" if save_dir else None,
                plan_file=save_dir / f"{stem}.plan.json" if save_dir else None,
            )
        )
    return rendered, notes
