"""A quick CLI (issue 15 P6) without timing: what starting a command imports.

Each check runs a fresh interpreter and reads ``sys.modules``: the entry point imports nothing
heavy, registering the commands imports no capability, renderer or heavy client, and
``status --demo`` imports only what status needs (`python -m tools.bench_startup` times them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from grove_mcp.cli.pydantic_plugins import plugins_declared

ROOT = Path(__file__).resolve().parents[2]
# Never needed to show text of status, nor to register the commands (chosen by -X importtime:
# each cost 0.05-0.3 s).
NEVER = (
    "kubernetes",  # the live cluster's client
    "mcp",
    "textual",
    "prometheus_client",
    "httpx",  # metrics scrapes inside the cluster
    "grove_mcp.capabilities.admission",  # validate
    "grove_mcp.aic.generate",  # generate: its command reads only aic's defaults to register
    "grove_mcp.reports.generate",
    "grove_mcp.planfile",
    "grove_mcp.capture",  # diag
    "grove_mcp.performance",  # metrics, compare
    "grove_mcp.diagnosis",
    "grove_mcp.plans",
    "grove_mcp.render.markdown",  # text output needs no Markdown renderer
    "grove_mcp.render.slack",
)
# The other commands' modules: a command is built, and its module imported, when it is run.
OTHER_COMMANDS = (
    "grove_mcp.cli.config_view",
    "grove_mcp.cli.diag",
    "grove_mcp.cli.generate",
    "grove_mcp.cli.metrics",
    "grove_mcp.cli.plan",
    "grove_mcp.cli.replan",
    "grove_mcp.cli.tui",
    "grove_mcp.cli.validate",
    "grove_mcp.cli.window",  # the metrics window's flags
    "grove_mcp.aic",  # generate's defaults
)


def imported_by(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` (exit codes ignored)."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = {k: v for k, v in os.environ.items() if k != "KUBECTL_GROVE_CONFIG"}
    # no config file (one would be read with YAML): a config home that does not exist
    env |= {"PYTHONPATH": str(ROOT), "COLUMNS": "160", "XDG_CONFIG_HOME": str(ROOT / "no-such")}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    modules: list[str] = json.loads(done.stdout.splitlines()[-1])
    return set(modules)


def _found(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules for n in names if m == n or m.startswith(n + "."))


def test_the_entry_point_imports_no_framework():
    modules = imported_by("import grove_mcp.cli.main")
    assert _found(modules, ("typer", "pydantic", "rich", "grove_mcp.core")) == []


def test_naming_the_commands_imports_no_command_capability_renderer_or_client():
    modules = imported_by(
        "import typer\nfrom grove_mcp.cli.app import app\n"
        "assert 'status' in typer.main.get_group(app).commands"
    )
    assert "grove_mcp.core.table" in modules  # the commands are named from the table …
    heavy = (*NEVER, *OTHER_COMMANDS, "grove_mcp.reports.status", "grove_mcp.render.text_status")
    heavy += ("grove_mcp.cli.commands",)  # not even the table's commands
    assert _found(modules, heavy) == []  # … which names what it runs, imported on use


def test_status_of_the_demo_imports_only_what_status_needs():
    assert plugins_declared() is False  # else pydantic looks for them, with importlib.metadata
    run = (
        "import sys\n"
        "sys.argv = ['kubectl-grove', 'status', 'my-inference', '--demo']\n"
        "from grove_mcp.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    modules = imported_by(run)
    assert "grove_mcp.capabilities.status" in modules  # it did run status
    others = (
        "grove_mcp.capabilities.topology",
        "grove_mcp.capabilities.health",
        "grove_mcp.render.text_health",  # only status's own renderer …
        "grove_mcp.render.text_metrics",
        "grove_mcp.reports.metrics",  # … and only the reports status shows
        "grove_mcp.reports.plan_reports",
        "yaml",  # the demo's objects are JSON; no config file is read here
        "grove_mcp.grove.quota",  # the models of kinds status does not read
        "grove_mcp.grove.k8s_other",
        "rich.live",  # a watch's redrawing
        "concurrent.futures",  # pools for a cluster's LISTs and scrapes: a bundle needs none
        "importlib.metadata",  # pydantic's plugin discovery, when no plugin is installed
    )
    assert _found(modules, (*NEVER, *OTHER_COMMANDS, *others)) == []
