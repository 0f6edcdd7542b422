"""The release tier: tests marked ``dist`` build the krew archive once per session (wheels from
PyPI, about half a minute) and run it for real: unpacked with a clean PATH, found by kubectl's
plugin discovery, installed by krew. ``pytest -m "not dist"`` leaves them out.

kubectl and krew (built from the Go module proxy, cached per user) are needed for some of them:
without them those tests are skipped, saying why; with ``GROVE_REQUIRE_E2E=1`` (CI) they fail.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "dist: builds and runs the krew archive (make dist)")
