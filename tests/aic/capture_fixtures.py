"""Record real AIConfigurator runs as fixtures for the unit tests (needs grove-mcp[generate]).

    python tests/aic/capture_fixtures.py [name ...]

Each fixture is the ``AicRun`` JSON the child process returns (rows, selection, engine-argument
artifacts), so unit tests exercise interpretation and rendering on real AIConfigurator output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from grove_mcp.aic import make_request, run_aiconfigurator

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "aic" / "fixtures"
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


def capture(name: str) -> Path:
    run = run_aiconfigurator(make_request(**CASES[name]), timeout_s=900)
    path = FIXTURES / f"{name}.json"
    path.write_text(json.dumps(run.model_dump(mode="json"), indent=1) + "\n")
    return path


if __name__ == "__main__":
    for case in sys.argv[1:] or list(CASES):
        print(capture(case), flush=True)
