"""How long the front ends take to start: the console scripts, next to ``python -c pass``.

    python -m tools.bench_startup                      # 9 rounds
    python -m tools.bench_startup --runs 15 --before /work/main

Every round runs ``python -c pass`` and each command once, interleaved, so that a shared, noisy
machine slows them alike; the figures are medians, and the differences over ``python -c pass``
are what grove-mcp adds. ``--before DIR`` runs every command a second time per round with
``PYTHONPATH=DIR`` (another checkout) for a before/after comparison measured together.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "kubectl grove version": [str(BIN / "kubectl-grove"), "version"],
    "kubectl grove status my-inference --demo": [
        str(BIN / "kubectl-grove"),
        *("status", "my-inference", "--demo"),
    ],
    "kubectl grove --help": [str(BIN / "kubectl-grove"), "--help"],
    "grove-mcp --help": [str(BIN / "grove-mcp"), "--help"],
}
OK_EXITS = (0, 1)  # the demo's status finds problems on purpose: exit 1


def wall_time(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from start to exit of one run; a failing command stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in OK_EXITS:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()}")
    return elapsed


def measure(runs: int, trees: dict[str, str]) -> dict[tuple[str, str], list[float]]:
    """Wall times per (tree, command), the commands interleaved round by round."""
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(runs):
        for tree, path in trees.items():
            env = {**os.environ, "PYTHONPATH": path} if path else dict(os.environ)
            for label, argv in COMMANDS.items():
                times.setdefault((tree, label), []).append(wall_time(argv, env))
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="rounds (medians of this many)")
    parser.add_argument("--before", help="another checkout, measured in the same rounds")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    trees = {"now": os.environ.get("PYTHONPATH", "")}
    if args.before:
        trees = {"before": args.before, **trees}
    times = measure(args.runs, trees)
    print(f"medians of {args.runs} interleaved runs (s); '+' is over python -c pass")
    for tree in trees:
        base = statistics.median(times[(tree, "python -c pass")])
        print(f"\n[{tree}] {trees[tree] or '(installed)'}")
        for label in COMMANDS:
            median = statistics.median(times[(tree, label)])
            print(f"  {label:<42} {median:6.3f}  +{median - base:.3f}")


if __name__ == "__main__":
    main()
