"""How long the front ends take to start: the console scripts, next to ``python -c pass``.

    python -m tools.bench_startup                      # 9 rounds
    python -m tools.bench_startup --runs 15 --before /work/main

Every round runs ``python -c pass`` and each command once, interleaved, so that a shared, noisy
machine slows them alike; the figures are medians of wall time and of CPU time (user + system,
steadier when other work shares the cores), and the differences over ``python -c pass`` are
what grove-mcp adds. ``--before DIR`` runs every command a second time per round with
``PYTHONPATH=DIR`` (another checkout) for a before/after comparison measured together.
"""

from __future__ import annotations

import argparse
import os
import resource
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


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run; a failing command stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in OK_EXITS:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu


def measure(runs: int, trees: dict[str, str]) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """(wall, CPU) times per (tree, command), the commands interleaved round by round, after
    one round unmeasured that caches every tree's bytecode, as an install has it (a checkout
    run with PYTHONDONTWRITEBYTECODE would compile every module on every start)."""
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for round_ in range(runs + 1):
        for tree, path in trees.items():
            env = {**environ, "PYTHONPATH": path} if path else environ
            for label, argv in COMMANDS.items():
                timed = run_once(argv, env)
                if round_:
                    times.setdefault((tree, label), []).append(timed)
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
        print(f"\n[{tree}] {trees[tree] or '(installed)'}")
        print(f"  {'':<42} {'wall':>6}  {'':6}  {'CPU':>6}")
        base = _medians(times[(tree, "python -c pass")])
        for label in COMMANDS:
            wall, cpu = _medians(times[(tree, label)])
            print(
                f"  {label:<42} {wall:6.3f}  +{wall - base[0]:.3f}  {cpu:6.3f}  +{cpu - base[1]:.3f}"
            )


def _medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


if __name__ == "__main__":
    main()
