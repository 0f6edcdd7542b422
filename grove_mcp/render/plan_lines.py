"""Phrases shared by the text and Markdown views of the ``plan`` reports. Pure."""

from __future__ import annotations

from datetime import datetime

from ..reports.plan_reports import RenderedDeployment, StoredPlanSummary, Verdict

ROLE_TITLES = {"prefill": "Prefill", "decode": "Decode", "agg": "Worker"}
VERDICT_MARK = {Verdict.match: "✓", Verdict.drift: "✗ drift", Verdict.cannot_tell: "? cannot tell"}


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "not recorded"


def stored_line(stored: StoredPlanSummary, config_map_created: datetime | None = None) -> str:
    if stored.stored_at is None and config_map_created is not None:
        return f"not recorded (ConfigMap created {when(config_map_created)})"
    return when(stored.stored_at)


def configuration(stored: StoredPlanSummary) -> str:
    return " / ".join(
        f"{ROLE_TITLES[r.role]} Workers: {r.workers} ({r.parallel})" for r in stored.roles
    )


def short_configuration(stored: StoredPlanSummary) -> str:
    roles = " + ".join(f"{r.workers}×{r.role} {r.parallel}" for r in stored.roles)
    return f"{stored.replicas} × ({roles}), {stored.total_gpus} GPUs"


def performance(stored: StoredPlanSummary) -> str:
    return (
        f"Throughput {stored.throughput_per_gpu:.2f} tok/s/gpu, TTFT {stored.ttft_ms:.2f}ms, "
        f"TPOT {stored.tpot_ms:.2f}ms"
    )


def sla(stored: StoredPlanSummary) -> str:
    parts = [f"TTFT ≤{stored.sla_ttft_ms:g}ms"]
    if stored.sla_tpot_ms is not None:
        parts.append(f"TPOT ≤{stored.sla_tpot_ms:g}ms")
    return ", ".join(parts)


def rendered(r: RenderedDeployment | None) -> str | None:
    if r is None:
        return None
    pack = [
        f"{k}={v}" for k, v in (("required", r.pack_required), ("preferred", r.pack_preferred)) if v
    ]
    topology = ", ".join(pack) or "none"
    if r.topology_name:
        topology += f" (topology {r.topology_name})"
    return f"image {r.image or '(workers differ)'}, topology constraint {topology}"


def short_digest(digest: str) -> str:
    return digest.removeprefix("sha256:")[:12]
