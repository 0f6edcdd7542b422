"""The container's entry points, tested from the wheel where no image can be built.

What the Containerfile does, done here: the wheel is built from the files .dockerignore lets
into the build context, and installed with the [slack] extra into a fresh venv. Then both
commands run the way the Deployments run them: ``grove-mcp`` with deploy/mcp-http's args (bound
to loopback instead of 0.0.0.0) and the image's environment, with HOME and the XDG directories
read-only (the read-only root filesystem) and only TMPDIR writable (the emptyDir); it answers an
MCP ``initialize`` with the bearer token and 401 without, and nothing is written to the venv or
HOME. ``grove-slack --help`` runs. And the Containerfile keeps its rules (pinned base, numeric
non-root user, no secret, the same environment as tested here).

Needs the package index (pip downloads hatchling and the dependencies); takes about a minute.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tools.mcp_http import rpc_answer, serving

ROOT = Path(__file__).resolve().parents[2]
CONTAINERFILE = ROOT / "Containerfile"
IGNORE = ROOT / ".dockerignore"
DEPLOYMENT = ROOT / "deploy" / "mcp-http" / "deployment.yaml"
TOKEN = "entrypoint-test-token-0123456789abcdef"
ACCEPT = {"Accept": "application/json, text/event-stream"}
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "entrypoint-test", "version": "1"},
    },
}


def _run(*command: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, timeout=240, **kwargs
    )
    assert done.returncode == 0, f"{' '.join(map(str, command))}:\n{done.stdout}\n{done.stderr}"
    return done


def _context_entries() -> list[str]:
    """What .dockerignore lets into the build context: it ignores everything (`*`) and then
    re-includes names with `!`."""
    lines = [line.strip() for line in IGNORE.read_text().splitlines()]
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[0] == "*", ".dockerignore starts by ignoring everything"
    return [r[1:].rstrip("/") for r in rules if r.startswith("!")]


def _env_of_image() -> dict[str, str]:
    """The ENV of the Containerfile's final stage."""
    final = CONTAINERFILE.read_text().split("\nFROM ")[-1]
    joined = re.sub(r"\\\n\s*", " ", final)
    env: dict[str, str] = {}
    for line in joined.splitlines():
        if line.startswith("ENV "):
            env.update(pair.split("=", 1) for pair in line[4:].split())
    return env


@dataclass(frozen=True)
class Installed:
    venv: Path
    home: Path  # read-only
    tmp: Path  # writable, the emptyDir

    def env(self) -> dict[str, str]:
        """The image's environment, with its paths moved here: /opt/grove → the venv,
        /tmp → ``tmp``, HOME and XDG → the read-only ``home``."""
        env = {}
        for key, value in _env_of_image().items():
            value = value.replace("/opt/grove", str(self.venv))
            if key == "HOME" or key.startswith("XDG_"):
                value = value.replace("/tmp", str(self.home))
            env[key] = value.replace("/tmp", str(self.tmp))
        return env

    def files(self) -> dict[str, tuple[int, int]]:
        """Every file of the venv and HOME, with its size and modification time."""
        found = {}
        for top in (self.venv, self.home):
            for path in top.rglob("*"):
                info = path.lstat()
                found[str(path)] = (info.st_size, info.st_mtime_ns)
        return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("image")
    context = base / "context"
    context.mkdir()
    for name in _context_entries():
        source = ROOT / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache")
            shutil.copytree(source, context / name, ignore=ignore)
        else:
            shutil.copy2(source, context / name)
    python = sys.executable
    _run(python, "-m", "pip", "wheel", "-q", "--no-deps", "--wheel-dir", base / "dist", context)
    (wheel,) = (base / "dist").glob("grove_mcp-*.whl")
    venv = base / "venv"
    _run(python, "-m", "venv", venv)
    _run(venv / "bin" / "pip", "install", "-q", "--no-compile", f"{wheel}[slack]")
    home, tmp = base / "home", base / "tmp"
    home.mkdir()
    tmp.mkdir()
    for top in (venv, home):  # read-only for a non-root runner; files() catches root's writes
        for path in [top, *top.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    yield Installed(venv, home, tmp)
    for path in [venv, home, *venv.rglob("*")]:  # so that pytest can clean up
        if path.is_dir() and not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _deployment_args(token_file: Path, port: int) -> list[str]:
    """deploy/mcp-http's container args, bound to loopback on ``port`` with ``token_file``."""
    deployment = yaml.safe_load(DEPLOYMENT.read_text())
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["grove-mcp"]
    args = list(container["args"])
    for flag, value in (("--host", "127.0.0.1"), ("--port", str(port))):
        args[args.index(flag) + 1] = value
    args[args.index("--token-file") + 1] = str(token_file)
    return args


@contextmanager
def _serving(installed: Installed, args: list[str]) -> Iterator[str]:
    port = args[args.index("--port") + 1]
    command = [installed.venv / "bin" / "grove-mcp", *args]
    with serving(command, port, installed.env(), cwd=installed.tmp) as base:  # the image's WORKDIR
        yield base


def test_grove_mcp_serves_http_with_the_deployments_args_on_a_read_only_home(
    installed: Installed,
) -> None:
    assert not os.access(installed.home, os.W_OK) or os.geteuid() == 0
    token_file = installed.tmp / "token"
    token_file.write_text(TOKEN + "\n")  # as the Secret's file: a trailing newline is fine
    before = installed.files()
    with _serving(installed, _deployment_args(token_file, _free_port())) as base:
        # the kubelet's probe: any Host header, no token
        probe = httpx.get(f"{base}/healthz", headers={"Host": "10.244.1.7:8000"}, trust_env=False)
        assert probe.status_code == 200 and probe.text == "ok"
        refused = httpx.post(f"{base}/mcp", json=INIT, headers=ACCEPT, trust_env=False)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")
        wrong = {**ACCEPT, "Authorization": "Bearer wrong-token-0123456789abcdef"}
        guessed = httpx.post(f"{base}/mcp", json=INIT, headers=wrong, trust_env=False)
        assert guessed.status_code == 401
        auth = {**ACCEPT, "Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=base, headers=auth, timeout=30, trust_env=False) as http:
            init = http.post("/mcp", json=INIT)
            result = rpc_answer(init)["result"]
            assert result["serverInfo"]["name"] and result["protocolVersion"] == "2025-06-18"
            session = {
                "mcp-session-id": init.headers["mcp-session-id"],
                "mcp-protocol-version": "2025-06-18",
            }
            ready = {"jsonrpc": "2.0", "method": "notifications/initialized"}
            assert http.post("/mcp", json=ready, headers=session).status_code == 202
            prompts = {"jsonrpc": "2.0", "id": 2, "method": "prompts/list"}
            listed = rpc_answer(http.post("/mcp", json=prompts, headers=session))["result"]
            assert listed["prompts"], "the prompts are package data of the wheel"
            # no cluster here (no kubeconfig, not in a pod): a tool says what to fix
            call = {
                "jsonrpc": "2.0",
                "id": 3,
                "method": "tools/call",
                "params": {"name": "grove_list", "arguments": {}},
            }
            answer = rpc_answer(http.post("/mcp", json=call, headers=session))["result"]
            assert answer["isError"] is True
            assert "No Kubernetes configuration found" in answer["content"][0]["text"]
        # a foreign Host is refused on the MCP path (the args' --allowed-host list)
        foreign = {**auth, "Host": "attacker.example:8000"}
        rebound = httpx.post(f"{base}/mcp", json=INIT, headers=foreign, trust_env=False)
        assert rebound.status_code == 421
    assert installed.files() == before, "nothing is written to the venv or HOME"


def test_grove_mcp_demo_answers_from_the_wheels_data(installed: Installed) -> None:
    """The docs' local try (`grove-mcp --demo --http`): the demo bundle ships in the wheel."""
    args = ["--demo", "--http", "--port", str(_free_port())]
    with (
        _serving(installed, args) as base,
        httpx.Client(base_url=base, headers=ACCEPT, timeout=30, trust_env=False) as http,
    ):
        init = http.post("/mcp", json=INIT)
        session = {
            "mcp-session-id": init.headers["mcp-session-id"],
            "mcp-protocol-version": "2025-06-18",
        }
        ready = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        assert http.post("/mcp", json=ready, headers=session).status_code == 202
        call = {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "grove_status", "arguments": {"name": "my-inference"}},
        }
        answer = rpc_answer(http.post("/mcp", json=call, headers=session))["result"]
    assert not answer.get("isError"), answer["content"][0]["text"]
    assert answer["structuredContent"]["summary"]


def test_grove_slack_help_runs(installed: Installed) -> None:
    before = installed.files()
    done = _run(
        installed.venv / "bin" / "grove-slack", "--help", env=installed.env(), cwd=installed.tmp
    )
    assert "--http" in done.stdout and "--socket" in done.stdout
    import_check = "import slack_bolt, slack_sdk, PIL"  # the [slack] extra is installed
    _run(installed.venv / "bin" / "python", "-c", import_check, env=installed.env())
    assert installed.files() == before


def test_the_containerfile_keeps_its_rules() -> None:
    text = CONTAINERFILE.read_text()
    joined = re.sub(r"\\\n\s*", " ", text)
    # a slim Python base pinned to a patch release, the same in both stages
    (image,) = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert re.fullmatch(r"python:3\.1[12]\.\d+-slim(-\w+)?", image), image
    froms = re.findall(r"^FROM (\S+)", text, re.M)
    assert froms == ["${PYTHON_IMAGE}", "${PYTHON_IMAGE}"]
    assert "AS build" in text and "--from=build /opt/grove /opt/grove" in text
    assert '"$(ls /dist/grove_mcp-*.whl)[slack]"' in text
    # runs as a numeric, non-root user, which the Deployments' securityContext repeats
    (user,) = re.findall(r"^USER (\S+)$", text, re.M)
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) > 0 and gid.isdigit() and int(gid) > 0
    deployment = yaml.safe_load(DEPLOYMENT.read_text())
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == int(uid)
    # the read-only root filesystem: everything writable points into /tmp
    env = _env_of_image()
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    for key in ("HOME", "TMPDIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        assert env[key] == "/tmp" or env[key].startswith("/tmp/"), key
    assert re.search(r"^WORKDIR /tmp$", text, re.M)
    # no secret in the image: no token-ish ENV or ARG, no COPY of anything but the sources
    for line in joined.splitlines():
        if line.startswith(("ENV ", "ARG ")):
            assert not re.search(r"TOKEN|SECRET|PASSWORD|KEY", line, re.I), line
    sources = {"pyproject.toml", "README.md", "grove_mcp", "slack_bot", "prompts"}
    copies = re.findall(r"^COPY (?!--from)(.+)$", text, re.M)
    assert {s for c in copies for s in c.split()[:-1]} == sources
    assert set(_context_entries()) == sources
    # labels, and no HEALTHCHECK (two servers, two ports; the Deployments probe /healthz)
    for label in ("title", "description", "version", "revision", "licenses", "created"):
        assert f"org.opencontainers.image.{label}=" in joined, label
    assert not re.search(r"^HEALTHCHECK", text, re.M)
