"""The real-AIConfigurator tier: every test here is marked ``aic`` and runs AIConfigurator 0.12.

Without it installed (``pip install -e '.[generate]'``, or ``GROVE_MCP_AIC_PYTHON`` pointing at a
Python that has it) these tests are skipped, saying why; with ``GROVE_REQUIRE_AIC=1`` (CI) that
is an error instead. ``pytest -m aic`` runs only this tier, ``-m "not aic"`` everything else.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from grove_mcp.aic.runner import worker_command

AIC_DIR = Path(__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "aic: runs the real AIConfigurator (grove-mcp[generate])")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if AIC_DIR in item.path.parents:
            item.add_marker(pytest.mark.aic)


def _installed() -> bool:
    python = worker_command()[0]
    probe = "import importlib.util as u, sys; sys.exit(u.find_spec('aiconfigurator') is None)"
    return subprocess.run([python, "-c", probe], check=False).returncode == 0


@pytest.fixture(scope="session")
def aiconfigurator() -> None:
    """Skip (or fail under GROVE_REQUIRE_AIC=1) when AIConfigurator is not installed."""
    if _installed():
        return
    why = (
        f"AIConfigurator is not installed for {worker_command()[0]}: "
        "pip install -e '.[generate]' (or set GROVE_MCP_AIC_PYTHON)"
    )
    if os.environ.get("GROVE_REQUIRE_AIC") == "1":
        pytest.fail(why)
    pytest.skip(why)
