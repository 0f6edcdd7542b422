"""Record real AIConfigurator runs as fixtures for the unit tests (needs grove-mcp[generate]).

    python tests/aic/capture_fixtures.py [name ...]

Each fixture is the ``AicRun`` JSON the child process returns (rows, selection, engine-argument
artifacts), so unit tests exercise interpretation and rendering on real AIConfigurator output.
Estimate fixtures (``estimate_*``) are the ``EstimateRun`` JSON of ``run_estimate``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from grove_mcp.aic import (
    AicRun,
    EstimateRequest,
    EstimateRun,
    make_estimate_request,
    make_request,
    point_from_row,
    run_aiconfigurator,
    run_estimate,
)
from grove_mcp.sources import Bundle, demo_bundle_path

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "aic" / "fixtures"
# Requests in flight per decode worker in the demo's recorded scrapes (sglang:num_running_reqs on
# every decode pod); the PodCliqueSet sets no batch limit. Prefill: one request at a time, as
# AIConfigurator's own disagg rows have it ((p)bs 1).
DEMO_DECODE_BATCH = 42
DEMO_ISL_FACTOR = 2.5
QWEN = {"model": "Qwen/Qwen3-32B", "system": "h200_sxm", "isl": 4000, "osl": 1000, "top_n": 3}
CASES: dict[str, dict[str, object]] = {
    "qwen3_32b_sglang_8gpu": {
        **QWEN,
        "backend": "sglang",
        "total_gpus": 8,
        "ttft_ms": 300,
        "tpot_ms": 10,
    },
    "qwen3_32b_sglang_32gpu": {
        **QWEN,
        "backend": "sglang",
        "total_gpus": 32,
        "ttft_ms": 300,
        "tpot_ms": 10,
    },
    "qwen3_32b_vllm_32gpu": {
        **QWEN,
        "backend": "vllm",
        "total_gpus": 32,
        "ttft_ms": 300,
        "tpot_ms": 10,
    },
    "qwen3_32b_trtllm_32gpu": {
        **QWEN,
        "backend": "trtllm",
        "total_gpus": 32,
        "ttft_ms": 300,
        "tpot_ms": 10,
    },
    "qwen3_32b_sglang_8gpu_tpot2": {
        **QWEN,
        "backend": "sglang",
        "total_gpus": 8,
        "ttft_ms": 300,
        "tpot_ms": 2,
    },
    "qwen3_32b_sglang_8gpu_latency": {
        **QWEN,
        "backend": "sglang",
        "total_gpus": 8,
        "ttft_ms": 300,
        "request_latency_ms": 9000,
    },
    "deepseek_v3_sglang_32gpu": {
        **QWEN,
        "model": "deepseek-ai/DeepSeek-V3",
        "backend": "sglang",
        "total_gpus": 32,
        "ttft_ms": 1000,
        "tpot_ms": 50,
    },
}


def sweep_rows_request() -> EstimateRequest:
    """The configurations the recorded sglang sweeps selected (agg and disagg, 8 and 32 GPUs),
    at the sweeps' own ISL/OSL: estimate must reproduce the sweep's prediction."""
    points = []
    for name in ("qwen3_32b_sglang_8gpu", "qwen3_32b_sglang_32gpu"):
        run = AicRun.model_validate_json((FIXTURES / f"{name}.json").read_text())
        for mode, result in sorted(run.modes.items()):
            assert result.selected is not None, f"{name} selected no {mode} row"
            row = result.rows[result.selected]
            points.append(point_from_row(f"{name}-{mode}", mode, row))  # type: ignore[arg-type]
    return make_estimate_request(
        model="Qwen/Qwen3-32B", system="h200_sxm", backend="sglang", points=points
    )


def _demo_objects(kind: str) -> list[dict]:
    """The embedded demo bundle's objects of ``kind``, as the bundle reader reads its files."""
    return [o for o in Bundle.load(demo_bundle_path()).objects if o["kind"] == kind]


def demo_plan() -> dict:
    """The plan.json of the demo bundle's ``*-aic-plan`` ConfigMap."""
    for item in _demo_objects("ConfigMap"):
        if item["metadata"]["name"].endswith("-aic-plan"):
            return json.loads(item["data"]["plan.json"])
    raise AssertionError("the demo bundle has no *-aic-plan ConfigMap")


def demo_roles() -> dict[str, dict[str, int]]:
    """Per role of the demo PodCliqueSet: workers (clique replicas), GPUs and --tp per worker."""
    pcs = _demo_objects("PodCliqueSet")[0]
    roles = {}
    for clique in pcs["spec"]["template"]["cliques"]:
        container = clique["spec"]["podSpec"]["containers"][0]
        gpus = int(container.get("resources", {}).get("requests", {}).get("nvidia.com/gpu", 0))
        if gpus:
            args = container.get("args") or container.get("command")
            roles[clique["spec"]["roleName"]] = {
                "workers": clique["spec"]["replicas"],
                "gpus": gpus,
                "tp": int(args[args.index("--tp") + 1]),
            }
    return roles


def demo_request() -> EstimateRequest:
    """The demo's deployed shape (one PodCliqueSet replica) at its plan's ISL/OSL and at 2.5x
    its ISL: what replan's calibration asks for the demo."""
    plan, roles = demo_plan(), demo_roles()
    isl, osl = plan["inputs"]["isl"], plan["inputs"]["osl"]
    prefill = {
        "tp": roles["prefill"]["tp"],
        "batch_size": 1,
        "workers": roles["prefill"]["workers"],
    }
    decode = {
        "tp": roles["decode"]["tp"],
        "batch_size": DEMO_DECODE_BATCH,
        "workers": roles["decode"]["workers"],
    }
    shape = {"mode": "disagg", "osl": osl, "prefill": prefill, "decode": decode}
    return make_estimate_request(
        model=plan["model"],
        system=plan["system"],
        backend=plan["backend"],
        points=[
            {"label": "plan-isl", "isl": isl, **shape},
            {"label": "isl-x2.5", "isl": round(isl * DEMO_ISL_FACTOR), **shape},
        ],
    )


ESTIMATES: dict[str, Callable[[], EstimateRequest]] = {
    "estimate_qwen3_32b_sglang_sweep_rows": sweep_rows_request,
    "estimate_demo_my_inference": demo_request,
}


def capture(name: str) -> Path:
    if name in ESTIMATES:
        run: AicRun | EstimateRun = run_estimate(ESTIMATES[name](), timeout_s=900)
    else:
        run = run_aiconfigurator(make_request(**CASES[name]), timeout_s=900)
    path = FIXTURES / f"{name}.json"
    path.write_text(json.dumps(run.model_dump(mode="json"), indent=1) + "\n")
    return path


if __name__ == "__main__":
    for case in sys.argv[1:] or [*CASES, *ESTIMATES]:
        print(capture(case), flush=True)
