"""Test tiers: every test under tests/e2e is marked ``e2e`` (it needs the real API server).

``pytest -m "not e2e"`` runs the rest. Whether e2e tests skip or fail without the binaries
is decided by the ``envtest`` fixture in tests/e2e/conftest.py (``GROVE_REQUIRE_E2E=1``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

E2E_DIR = Path(__file__).parent / "e2e"


@pytest.hookimpl(tryfirst=True)  # before -m selects on markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def no_user_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads the developer's own ~/.config/kubectl-grove/config.yaml: an empty
    XDG_CONFIG_HOME (tests of the config file name their own with KUBECTL_GROVE_CONFIG)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "xdg-empty"))
    monkeypatch.delenv("KUBECTL_GROVE_CONFIG", raising=False)
