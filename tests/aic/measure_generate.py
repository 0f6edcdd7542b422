"""Time and memory of ``generate`` with the real AIConfigurator, ours vs AIConfigurator's share.

    python tests/aic/measure_generate.py [--gpus 8 32] [--backend sglang]

Each size runs in a fresh process so peaks do not mix. Printed per run: wall time of the whole
generate, the child's wall time, AIConfigurator's own import/search/artifact time inside the
child, our overhead (everything else: process start, interpreter start-up, protocol, interpreting,
rendering, writing), the child's peak RSS and the parent's RSS before, after and at peak.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile

CHILD = r"""
import json, os, resource, sys, time
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
from grove_mcp.aic import generate, make_request
from grove_mcp.cli.generate import write_files
before = rss_mb()
gpus, backend, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
request = make_request(model="Qwen/Qwen3-32B", system="h200_sxm", total_gpus=gpus,
                       backend=backend, isl=4000, osl=1000, ttft_ms=300, tpot_ms=10)
t0 = time.monotonic()
report = generate(request, save_dir=out)
write_files(report)
wall = time.monotonic() - t0
t = report.timings
print(json.dumps({
    "gpus": gpus, "backend": backend,
    "generate_wall_s": round(wall, 2),
    "child_wall_s": t.aiconfigurator_s,
    "aic_import_s": t.aiconfigurator_import_s,
    "aic_preflight_s": t.aiconfigurator_preflight_s,
    "aic_search_s": t.aiconfigurator_search_s,
    "aic_artifacts_s": t.aiconfigurator_artifacts_s,
    "overhead_s": t.overhead_s,
    "child_peak_rss_mb": t.child_peak_rss_mb,
    "parent_rss_before_mb": round(before, 1),
    "parent_rss_after_mb": round(rss_mb(), 1),
    "parent_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    "aic_modules_in_parent": [m for m in sys.modules if m.startswith("aiconfigurator")],
    "plans": {p.mode: {"tok_s_gpu": p.expected.tokens_per_second_per_gpu,
                       "ttft": p.expected.ttft_ms, "tpot": p.expected.tpot_ms,
                       "replicas": p.configuration.replicas, "sla_met": p.sla.met}
              for p in report.plans},
    "recommended": report.recommended,
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gpus", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--backend", default="sglang")
    args = parser.parse_args()
    for gpus in args.gpus:
        with tempfile.TemporaryDirectory() as out:
            load = os.getloadavg()[0]
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(gpus), args.backend, out],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            result["load_average_before"] = round(load, 2)
            print(json.dumps(result, indent=1), flush=True)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"largest process overall (parents and AIConfigurator children): {children:.0f} MB")


if __name__ == "__main__":
    main()
