"""Hypothesis profiles for the fuzz tests, chosen by ``HYPOTHESIS_PROFILE``.

``fuzz-ci`` (the default): derandomized (the same examples on every run, so CI never flakes
on a new one), no deadline (a loaded 2-core machine is slow, not wrong), no example
database; each test runs ``examples(weight)`` examples. ``fuzz-long``: random examples,
``LONG_FACTOR`` times as many, for a run by hand whose figures go in the closing note.
``fuzz-examples``: only the ``@example`` regressions (each crash found so far), in seconds.
"""

from __future__ import annotations

import os

import pytest
from fuzzing import TALLY
from hypothesis import HealthCheck, Phase, settings

CI_EXAMPLES = 20
LONG_FACTOR = 25
_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("fuzz-ci", max_examples=CI_EXAMPLES, derandomize=True, **_COMMON)
settings.register_profile(
    "fuzz-long", max_examples=CI_EXAMPLES * LONG_FACTOR, derandomize=False, **_COMMON
)
settings.register_profile("fuzz-examples", phases=[Phase.explicit], **_COMMON)
_CHOSEN = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(f"fuzz-{_CHOSEN}" if _CHOSEN in ("ci", "long", "examples") else _CHOSEN)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Examples run per target and outcome (the figures for the closing note)."""
    if not TALLY:
        return
    terminalreporter.section(f"fuzz examples ({settings.default.max_examples} per weight 1)")
    targets = sorted({target for target, _ in TALLY})
    for target in targets:
        outcomes = {kind: n for (t, kind), n in TALLY.items() if t == target}
        detail = ", ".join(f"{kind} {n}" for kind, n in sorted(outcomes.items()))
        terminalreporter.write_line(f"{target}: {sum(outcomes.values())} ({detail})")
