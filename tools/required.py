"""A program a test needs: its path, else a skip that says how to install it (a failure under
``GROVE_REQUIRE_E2E=1``, as in CI)."""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(name: str, package: str | None = None) -> str:
    found = shutil.which(name, path="/usr/bin:/bin")
    if found is None:
        message = f"{name} is not installed (Debian: apt-get install {package or name})"
        if os.environ.get("GROVE_REQUIRE_E2E") == "1":
            pytest.fail(f"GROVE_REQUIRE_E2E=1, but {message}", pytrace=False)
        pytest.skip(message)
    return found
