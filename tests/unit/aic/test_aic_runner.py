"""The child-process runner, driven by a fake worker that speaks the protocol."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from aic_helpers import FIXTURES

from grove_mcp.aic import (
    AicFailed,
    AicNotInstalled,
    AicProgress,
    AicTimeout,
    AicUnsupported,
    SlaUnmeetable,
    make_request,
    run_aiconfigurator,
)
from grove_mcp.aic.runner import worker_command
from grove_mcp.errors import InvalidInput

FAKE = Path(__file__).parent / "fake_worker.py"
FIXTURE = FIXTURES / "qwen3_32b_sglang_8gpu.json"
REQUEST = make_request(
    model="Qwen/Qwen3-32B",
    system="h200_sxm",
    total_gpus=8,
    backend="sglang",
    ttft_ms=300,
    tpot_ms=10,
)


def fake(behaviour: str) -> list[str]:
    return [sys.executable, str(FAKE), behaviour, str(FIXTURE)]


def test_result_and_progress_are_streamed_and_noise_is_ignored():
    events: list[AicProgress] = []
    run = run_aiconfigurator(REQUEST, on_progress=events.append, command=fake("ok"))
    assert run.modes["agg"].rows and run.aiconfigurator_version == "0.12.0"
    assert run.wall_s is not None and run.wall_s > 0
    assert [e.phase for e in events] == ["loading_model", "searching_agg"]
    assert all(e.elapsed_s > 0 for e in events)  # re-stamped with the parent's clock


def test_heartbeats_keep_progress_moving_while_the_child_is_silent():
    events: list[AicProgress] = []
    run_aiconfigurator(REQUEST, on_progress=events.append, command=fake("slow"))
    beats = [e for e in events if e.phase == "starting"]
    assert beats, "no heartbeat during 1.5 s of silence"
    assert [e.elapsed_s for e in beats] == sorted(e.elapsed_s for e in beats)


def test_the_request_reaches_the_child_as_json():
    with pytest.raises(AicFailed) as caught:
        run_aiconfigurator(REQUEST, command=fake("echo"))
    sent = json.loads(str(caught.value))
    assert sent["model"] == "Qwen/Qwen3-32B" and sent["tpot_ms"] == 10


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("not_installed", AicNotInstalled),
        ("sla_unmeetable", SlaUnmeetable),
        ("failed", AicFailed),
        ("invalid_input", InvalidInput),
    ],
)
def test_child_errors_map_to_error_classes(kind, error):
    with pytest.raises(error, match=f"fake {kind}"):
        run_aiconfigurator(REQUEST, command=fake(f"error:{kind}"))


def test_unsupported_carries_what_is_supported():
    with pytest.raises(AicUnsupported) as caught:
        run_aiconfigurator(REQUEST, command=fake("error:unsupported"))
    assert (caught.value.what, caught.value.value) == ("system", "h999")
    assert caught.value.supported == ["b200_sxm", "h200_sxm"]
    assert isinstance(caught.value, InvalidInput)


def test_a_crash_reports_the_exit_status_and_the_childs_last_words():
    with pytest.raises(AicFailed, match=r"status 3\).*something broke inside"):
        run_aiconfigurator(REQUEST, command=fake("crash"))


def test_timeout_kills_the_child(tmp_path, monkeypatch):
    pid_file = tmp_path / "pid"
    monkeypatch.setenv("FAKE_PID_FILE", str(pid_file))
    with pytest.raises(AicTimeout, match="did not finish within 1 s") as caught:
        run_aiconfigurator(REQUEST, timeout_s=1.0, command=fake("hang"))
    assert "searching_agg" in str(caught.value)
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)  # gone and reaped


def test_cancel_stops_the_child():
    cancel = threading.Event()
    with pytest.raises(AicFailed, match="cancelled"):
        run_aiconfigurator(
            REQUEST, on_progress=lambda e: cancel.set(), cancel=cancel, command=fake("hang")
        )


def test_a_missing_interpreter_says_how_to_install():
    with pytest.raises(AicNotInstalled, match=r"grove-mcp\[generate\]"):
        run_aiconfigurator(REQUEST, command=["/nonexistent/python", "-m", "x"])


def test_worker_command_honours_the_interpreter_setting(monkeypatch):
    assert worker_command() == [sys.executable, "-m", "grove_mcp.aic.worker"]
    monkeypatch.setenv("GROVE_MCP_AIC_PYTHON", "/opt/aic/bin/python")
    python, flag, bootstrap, root = worker_command()
    assert (python, flag) == ("/opt/aic/bin/python", "-c")
    assert "sys.path.append" in bootstrap and (Path(root) / "grove_mcp" / "aic").is_dir()
    assert worker_command("/x/python")[0] == "/x/python"


def test_another_interpreter_runs_the_worker_through_the_bootstrap():
    """The bootstrap given to a foreign interpreter runs the worker as __main__."""
    _, _, bootstrap, root = worker_command("/some/other/python")
    done = subprocess.run(
        [sys.executable, "-I", "-c", bootstrap, root],
        input="not json",
        capture_output=True,
        text=True,
        check=False,
    )
    message = json.loads(done.stdout.splitlines()[0])
    assert message["error"]["kind"] == "invalid_input"


def test_the_parent_never_imports_aiconfigurator(tmp_path):
    """Any attempt to import aiconfigurator in the parent is recorded, installed or not."""
    code = textwrap.dedent(
        f"""
        import sys
        attempts = []
        class Guard:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("aiconfigurator", "aiconfigurator_core"):
                    attempts.append(name)
                return None
        sys.meta_path.insert(0, Guard())
        from grove_mcp.aic import generate, make_request
        request = make_request(model="Qwen/Qwen3-32B", system="h200_sxm", total_gpus=8,
                               backend="sglang", ttft_ms=300, tpot_ms=10)
        from grove_mcp.aic.runner import run_aiconfigurator
        def run(req, **kw):
            return run_aiconfigurator(req, command={fake("ok")!r}, **kw)
        report = generate(request, save_dir={str(tmp_path)!r}, run=run)
        assert report.plans, report
        print("attempts:", attempts)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "attempts: []" in out.stdout, out.stdout + out.stderr
