"""The front ends of ``generate`` with the real AIConfigurator 0.12, on one small configuration:
``kubectl grove generate`` end to end (and Ctrl-C), and ``grove_generate`` over MCP with the
server's memory flat."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from child_process import interruptible, read_until
from mcp import Client
from recorded_aic import alive, pcs_of

from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.planfile import read_plan

pytestmark = pytest.mark.usefixtures("aiconfigurator")

SMALL = [
    *("--model", "Qwen/Qwen3-0.6B", "--system", "h200_sxm", "--total-gpus", "2"),
    *("--backend", "sglang", "--ttft", "300", "--tpot", "10", "--top-n", "2"),
]
SMALL_MCP = {
    "model": "Qwen/Qwen3-0.6B",
    "system": "h200_sxm",
    "total_gpus": 2,
    "backend": "sglang",
    "ttft_ms": 300,
    "tpot_ms": 10,
    "top_n": 2,
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def kubectl_grove() -> list[str]:
    script = Path(sys.executable).parent / "kubectl-grove"
    return [str(script)] if script.exists() else [sys.executable, "-m", "grove_mcp.cli.main"]


def test_cli_generate_end_to_end(tmp_path: Path):
    done = subprocess.run(
        [*kubectl_grove(), "generate", *SMALL, "--save-dir", str(tmp_path), "-n", "llm"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("✓ AIConfigurator completed successfully\n")
    assert "Plan 1: Prefill-Decode Disaggregated Mode" in out and "Plan 2: Aggregated Mode" in out
    assert "searching disaggregated configurations" in done.stderr  # progress, on stderr only
    assert "searching" not in out
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [
        "qwen3-0-6b-sglang-agg.plan.json",
        "qwen3-0-6b-sglang-agg.yaml",
        "qwen3-0-6b-sglang-disagg.plan.json",
        "qwen3-0-6b-sglang-disagg.yaml",
    ]
    for mode in ("disagg", "agg"):
        yaml_file = tmp_path / f"qwen3-0-6b-sglang-{mode}.yaml"
        manifest = pcs_of(yaml_file.read_text())
        assert manifest["metadata"]["namespace"] == "llm"
        assert read_plan(yaml_file) == read_plan(tmp_path / f"qwen3-0-6b-sglang-{mode}.plan.json")
    assert f"To deploy:\n  kubectl apply -f {tmp_path}/qwen3-0-6b-sglang-" in out


def test_ctrl_c_stops_aiconfigurator(tmp_path: Path):
    command = [*kubectl_grove(), "generate", *SMALL, "--save-dir", str(tmp_path)]
    with interruptible(command) as cli:
        read_until(cli.stderr, "loading the config", 120, "AIConfigurator loading the model")
        children = _children(cli.pid)
        assert children, "no AIConfigurator child process"
        cli.send_signal(signal.SIGINT)
        stdout, stderr = cli.communicate(timeout=30)
    assert cli.returncode == 130, stderr
    assert "Cancelled: AIConfigurator was stopped." in stderr and stdout == ""
    assert not any(alive(pid) for pid in children)
    assert list(tmp_path.iterdir()) == []


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.anyio
async def test_mcp_generate_keeps_the_server_memory_flat():
    """The server (in this process, behind the in-memory client) never imports AIConfigurator:
    its peak RSS grows by less than 30 MB during the call while the child takes over 100 MB."""
    server = build_server(ServerConfig(demo=True))
    steps: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        steps.append(progress)

    async with Client(server) as client:
        before = _reset_peak_rss_mb()
        result = await client.call_tool("grove_generate", SMALL_MCP, progress_callback=on_progress)
        peak = _status_mb("VmHWM")
    assert not result.is_error, result.content
    report = result.structured_content
    assert report["aiconfigurator_version"] == "0.12.0"
    assert report["timings"]["child_peak_rss_mb"] > 100
    assert not [m for m in sys.modules if m.startswith("aiconfigurator")]
    assert peak - before < 30, f"the server's RSS peaked at {peak:.0f} MB from {before:.0f} MB"
    assert len(steps) > 5 and steps == sorted(set(steps)) and steps[-1] == 100
    assert json.loads(json.dumps(report)) == report  # plain JSON
    assert [p["mode"] for p in report["plans"]] == ["disagg", "agg"]
    for plan in report["plans"]:
        assert pcs_of(plan["manifest"])["kind"] == "PodCliqueSet"
        assert plan["configuration"]["total_gpus"] <= SMALL_MCP["total_gpus"]


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS, VmHWM: peak RSS)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} in /proc/self/status")


def _reset_peak_rss_mb() -> float:
    """Reset this process's peak RSS to its current RSS (Linux >= 4.0) and return that."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_mb("VmRSS")
