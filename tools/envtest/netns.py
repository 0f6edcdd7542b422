"""Fake inference pods reachable through the API server's pod proxy: exporters in a network
namespace (``../shared/reference/envtest.md`` §4.7).

kube-apiserver refuses to proxy to loopback and link-local pod IPs, so the exporters live in a
network namespace joined to the host by a veth pair on a private /24 (``10.213.N.0/24``, N
chosen per process and checked unused): the host end is ``.1``, the namespace end carries one
address per fake pod (``.10`` upwards), and one child process
(:mod:`tools.envtest.vllm_exporter`) started inside the namespace serves every pod on its own
address. Its stdin drives the load (:meth:`ExporterProcess.observe`), each command acknowledged.

Everything is torn down on exit, failure included: the child (stdin closed, then killed), the
namespace and the host end of the veth. Names carry the pid, so parallel runs do not collide;
a run killed before its teardown leaves a namespace that the next run removes (its pid is gone),
and its exporter child exits on its own (stdin closed, or its deadline).
Needs root (CAP_NET_ADMIN) and ``ip``; :class:`NetnsUnavailable` says why not otherwise.

Without the veth route, a 10.x address leaves through the default route; in the sandbox this
was written in, a transparent egress proxy answers there (``server: keryx``, HTTP 404/403), so
a scrape that "works" but returns an empty body or ``resolve_deny`` is that proxy, not the pod.
"""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grove_mcp.grove.kinds import POD
from grove_mcp.sources.kube import KubeClient

REPO = Path(__file__).resolve().parents[2]
SUBNET_PREFIX = "10.213"
FIRST_HOST = 10
CHILD_DEADLINE = 900.0  # the exporter child exits on its own after this (s)
_serial = itertools.count()


class NetnsUnavailable(RuntimeError):
    """Network namespaces cannot be made here (not root, no ``ip``, no CAP_NET_ADMIN)."""


class ExporterError(RuntimeError):
    """The exporter child did not start, or did not acknowledge a command in time."""


def _ip_binary() -> str:
    found = shutil.which("ip") or next(
        (p for p in ("/usr/sbin/ip", "/sbin/ip") if os.access(p, os.X_OK)), None
    )
    if found is None:
        raise NetnsUnavailable("the `ip` command (iproute2) is not installed")
    return found


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    run = subprocess.run([_ip_binary(), *args], capture_output=True, text=True, check=False)
    if check and run.returncode != 0:
        raise NetnsUnavailable(f"`ip {' '.join(args)}` failed: {run.stderr.strip()}")
    return run


def free_subnet() -> ipaddress.IPv4Network:
    """A ``10.213.N.0/24`` that no interface address or route on this host touches now."""
    used = (
        _ip("-4", "-o", "addr", "show").stdout + _ip("-4", "route", "show", "table", "all").stdout
    )
    start = os.getpid() % 200 + 20
    for n in itertools.chain(range(start, 250), range(20, start)):
        if f"{SUBNET_PREFIX}.{n}." not in used:
            return ipaddress.IPv4Network(f"{SUBNET_PREFIX}.{n}.0/24")
    raise NetnsUnavailable(f"every {SUBNET_PREFIX}.N.0/24 (N 20-249) is in use on this host")


class ExporterProcess:
    """The exporter child: ``addresses`` (one ``ip:port`` per pod) and the load driver."""

    def __init__(self, command: Sequence[str], timeout: float = 15.0) -> None:
        self.timeout = timeout
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self._proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            cwd=REPO,
            env=env,
            start_new_session=True,
        )
        try:
            ready = self._line("start")
            if not ready.startswith("ready "):
                raise ExporterError(f"exporter child said {ready!r} instead of ready")
            self.addresses: list[tuple[str, int]] = [
                (a.rpartition(":")[0], int(a.rpartition(":")[2]))
                for a in json.loads(ready[len("ready ") :])
            ]
        except BaseException:
            self.close()
            raise

    def _line(self, what: str) -> str:
        assert self._proc.stdout is not None
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            readable, _, _ = select.select([self._proc.stdout], [], [], max(left, 0))
            if readable:
                line = self._proc.stdout.readline()
                if not line:
                    code = self._proc.poll()
                    raise ExporterError(f"exporter child ended during {what} (exit {code})")
                return line.strip()
            if left <= 0:
                raise ExporterError(f"exporter child did not answer {what} in {self.timeout:g}s")

    def command(self, line: str) -> None:
        """Send one protocol line and wait for its ``ok``."""
        assert self._proc.stdin is not None
        self._proc.stdin.write(line + "\n")
        self._proc.stdin.flush()
        answer = self._line(repr(line))
        if answer != "ok":
            raise ExporterError(f"exporter child answered {line!r} with {answer!r}")

    def observe(self, pod: int, ttft: float, prompt_tokens: int, output_tokens: int) -> None:
        """Pod number ``pod`` finished one request."""
        self.command(f"observe {pod} {ttft!r} {prompt_tokens} {output_tokens}")

    def gauge(self, pod: int, which: str, value: float) -> None:
        """Set ``running``, ``waiting`` or ``kv`` of pod number ``pod``."""
        self.command(f"gauge {pod} {which} {value!r}")

    def hang(self, pod: int) -> None:
        """Pod number ``pod`` accepts scrapes from now on and never answers them."""
        self.command(f"hang {pod}")

    def scrapes(self) -> int:
        """The /metrics requests every pod has received so far."""
        assert self._proc.stdin is not None
        self._proc.stdin.write("scrapes\n")
        self._proc.stdin.flush()
        answer = self._line("scrapes")
        if not answer.startswith("scrapes "):
            raise ExporterError(f"exporter child answered scrapes with {answer!r}")
        return int(answer.split()[1])

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self._proc.stdin:
                self._proc.stdin.close()  # EOF: the child exits
        try:
            self._proc.wait(5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()


def exporter_command(listen: Sequence[str], prefix: Sequence[str] = ()) -> list[str]:
    args = [f"--listen={a}" for a in listen]
    return [*prefix, sys.executable, "-m", "tools.envtest.vllm_exporter", *args,
            f"--deadline={CHILD_DEADLINE:g}"]  # fmt: skip


@contextlib.contextmanager
def loopback_exporters(pods: int) -> Iterator[ExporterProcess]:
    """``pods`` exporters on 127.0.0.1, free ports, in one child (for direct scrapes)."""
    child = ExporterProcess(exporter_command(["127.0.0.1:0"] * pods))
    try:
        yield child
    finally:
        child.close()


@dataclass(frozen=True)
class Netns:
    name: str
    host_veth: str
    subnet: ipaddress.IPv4Network
    pod_ips: tuple[str, ...]
    spare_ip: str  # assigned in the namespace, nothing listens: connection refused at once


def remove_stale() -> list[str]:
    """Delete namespaces that runs killed before their teardown left behind (their pid is
    gone); the host end of a veth goes with its peer's namespace. Returns the names removed."""
    removed = []
    for line in _ip("netns", "list", check=False).stdout.splitlines():
        found = re.match(r"grove-e2e-(\d+)x\d+\b", line)
        if not found or int(found[1]) == os.getpid():
            continue
        try:
            os.kill(int(found[1]), 0)
        except ProcessLookupError:
            _ip("netns", "del", found[0], check=False)
            removed.append(found[0])
        except PermissionError:
            pass  # alive, someone else's
    return removed


@contextlib.contextmanager
def network_namespace(pods: int) -> Iterator[Netns]:
    """A namespace with one address per pod (plus a spare), linked to the host by a veth."""
    if pods + FIRST_HOST + 1 > 254:
        raise ValueError(f"at most {254 - FIRST_HOST - 1} pods fit in one /24")
    if os.geteuid() != 0:
        raise NetnsUnavailable("network namespaces need root (CAP_NET_ADMIN); running as uid "
                               f"{os.geteuid()}")  # fmt: skip
    remove_stale()
    tag = f"{os.getpid()}x{next(_serial)}"
    name, host, peer = f"grove-e2e-{tag}", f"gvh{tag}"[:15], f"gvn{tag}"[:15]
    subnet = free_subnet()
    hosts = list(subnet.hosts())
    gateway = hosts[0]
    ips = [str(h) for h in hosts[FIRST_HOST - 1 : FIRST_HOST - 1 + pods + 1]]
    try:
        _ip("netns", "add", name)
        _ip("link", "add", host, "type", "veth", "peer", "name", peer)
        _ip("link", "set", peer, "netns", name)
        _ip("addr", "add", f"{gateway}/{subnet.prefixlen}", "dev", host)
        _ip("link", "set", host, "up")
        _ip("-n", name, "link", "set", "lo", "up")
        for ip in ips:
            _ip("-n", name, "addr", "add", f"{ip}/{subnet.prefixlen}", "dev", peer)
        _ip("-n", name, "link", "set", peer, "up")
        _ip("-n", name, "route", "add", "default", "via", str(gateway))
        route = _ip("route", "get", ips[0]).stdout
        if f"dev {host}" not in route:
            raise NetnsUnavailable(f"{ips[0]} does not route to {host}: {route.strip()}")
        yield Netns(name, host, subnet, tuple(ips[:-1]), ips[-1])
    finally:
        _ip("netns", "del", name, check=False)
        _ip("link", "del", host, check=False)  # gone with the namespace, but do not rely on it


@contextlib.contextmanager
def netns_exporters(pods: int, port: int = 8000) -> Iterator[tuple[Netns, ExporterProcess]]:
    """``pods`` fake vLLM pods, each on its own namespace address and ``port``."""
    with network_namespace(pods) as ns:
        prefix = [_ip_binary(), "netns", "exec", ns.name]
        child = ExporterProcess(exporter_command([f"{ip}:{port}" for ip in ns.pod_ips], prefix))
        try:
            yield ns, child
        finally:
            child.close()


def create_pods(
    kube: KubeClient, namespace: str, pods: Sequence[tuple[str, str]], port: int = 8000
) -> list[dict[str, Any]]:
    """Create vLLM-looking Pods (``name``, ``ip``) whose status says Running at ``ip``: the
    admin creates each Pod, then writes its status through the status subresource (nothing
    runs pods here). The container port is named ``metrics``, as discovery expects."""
    made = []
    for name, ip in pods:
        body = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app": "fake-vllm"}},
            "spec": {
                "containers": [
                    {
                        "name": "vllm",
                        "image": "vllm/vllm-openai:v0.10.1",
                        "args": ["--model", "Qwen/Qwen3-32B", "--port", str(port)],
                        "ports": [{"name": "metrics", "containerPort": port}],
                    }
                ]
            },
        }
        server = kube.request("POST", POD, namespace, body=body)
        status = {
            "phase": "Running",
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "conditions": [{"type": "Ready", "status": "True"}],
        }
        made.append(
            kube.request(
                "PUT", POD, namespace, name, sub="status", body={**server, "status": status}
            )
        )
    return made
