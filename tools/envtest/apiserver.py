"""A real etcd + kube-apiserver on loopback for tests, with Grove's CRDs and token identities.

What controller-runtime's envtest does, in Python (``../shared/reference/envtest.md`` §4):
etcd and kube-apiserver on free loopback ports, RBAC authorization, static bearer tokens
(``admin`` in ``system:masters`` plus limited users), a service-account key pair, the
``ServiceAccount`` admission plugin off (no controller creates the ``default`` account), and a
serving certificate from a throw-away CA that the written kubeconfigs trust. There is no
controller-manager, scheduler or kubelet: nothing reconciles, garbage-collects or runs pods.

    python -m tools.envtest.apiserver     # start, print kubeconfig paths, wait for Ctrl-C

Binaries come from ``TEST_ASSET_KUBE_APISERVER`` + ``TEST_ASSET_ETCD``, else from
``tools/envtest/build.sh`` (which honours ``KUBEBUILDER_ASSETS`` and caches its builds).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from grove_mcp.errors import GroveError, GroveNotInstalled
from grove_mcp.grove.base import KubeObject
from grove_mcp.grove.kinds import Kind
from grove_mcp.sources.kube import Conflict, KubeClient

from .audit import HARNESS_AGENT, audit_flags
from .pki import write_pki

REPO = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPO / "tools" / "envtest" / "build.sh"
ADMIN = "admin"
START_SECONDS = 60.0
# readiness checks go straight to loopback, whatever HTTP(S)_PROXY the environment sets
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
CRD = Kind(
    "CustomResourceDefinition",
    "apiextensions.k8s.io",
    "v1",
    "customresourcedefinitions",
    False,
    KubeObject,
)


class BinariesMissing(RuntimeError):
    """kube-apiserver or etcd is not available; the message says how to get them."""


class StartFailed(RuntimeError):
    """etcd, kube-apiserver or the CRDs did not come up in time; the logs are kept."""


@dataclass(frozen=True)
class Binaries:
    kube_apiserver: Path
    etcd: Path


# CRDs installed after Grove's snapshot: Grove's newer ones (PodGangMap, alpha.12 final) and
# other projects' whose objects grove-mcp reads (KAI-Scheduler's Queue).
NEWER_CRDS = Path(__file__).resolve().parent / "crds"


def crds_dir() -> Path:
    """Grove's CRDs: ``GROVE_CRDS_DIR``, else ``../shared/grove/crds`` beside the repository."""
    configured = os.environ.get("GROVE_CRDS_DIR")
    return Path(configured) if configured else REPO.parent / "shared" / "grove" / "crds"


def find_binaries(build: bool = True) -> Binaries:
    """Locate kube-apiserver and etcd; with ``build=False`` never start a (minutes-long) build."""
    apiserver, etcd = (os.environ.get(f"TEST_ASSET_{n}") for n in ("KUBE_APISERVER", "ETCD"))
    if apiserver and etcd:
        found = Binaries(Path(apiserver), Path(etcd))
    else:
        run = subprocess.run(
            [str(BUILD_SCRIPT), *([] if build else ["--check"])],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0 or not run.stdout.strip():
            raise BinariesMissing(
                f"{run.stderr.strip() or 'tools/envtest/build.sh failed'}. "
                "Set KUBEBUILDER_ASSETS (or TEST_ASSET_KUBE_APISERVER and TEST_ASSET_ETCD), or "
                "build them once with tools/envtest/build.sh (needs Go; about 9 minutes)."
            )
        assets = Path(run.stdout.strip())
        found = Binaries(assets / "kube-apiserver", assets / "etcd")
    for path in (found.kube_apiserver, found.etcd):
        if not os.access(path, os.X_OK):
            raise BinariesMissing(f"{path} is missing or not executable.")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], Any], deadline: float, what: str, interval: float = 0.05) -> Any:
    """Poll ``check`` until it returns a truthy value; ``StartFailed`` after ``deadline``."""
    last: Exception | None = None
    while True:
        try:
            if result := check():
                return result
        except (OSError, GroveError) as err:
            last = err
        if time.monotonic() >= deadline:
            raise StartFailed(
                f"{what} not ready in time" + (f" (last error: {last})" if last else "")
            )
        time.sleep(interval)


class ApiServer:
    """etcd + kube-apiserver in a temporary directory; a context manager that stops both."""

    def __init__(
        self,
        binaries: Binaries,
        users: Sequence[str] = (),
        crds: Path | None = None,
        keep_logs: bool = False,
        audit: bool = False,
    ) -> None:
        """``audit``: kube-apiserver keeps an audit log in ``audit_dir`` (``tools.envtest.audit``
        reads it), appended to across ``down()`` restarts."""
        self.binaries = binaries
        self.users = (ADMIN, *users)
        self.crds = crds
        self.keep_logs = keep_logs
        self.dir = Path(tempfile.mkdtemp(prefix="grove-envtest-"))
        self.audit_dir = self.dir / "audit" if audit else None
        self.port = 0
        self._tokens = {user: secrets.token_hex(16) for user in self.users}
        self._processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        self._pki: dict[str, Path] = {}
        self._etcd_url = ""
        self.started_seconds = 0.0

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def kubeconfig(self, user: str = ADMIN) -> Path:
        return self.dir / f"kubeconfig-{user}"

    def client(self, user: str = ADMIN) -> KubeClient:
        """The harness's client (its User-Agent tells its requests from grove-mcp's)."""
        return KubeClient.connect(str(self.kubeconfig(user)), agent=HARNESS_AGENT)

    def __enter__(self) -> ApiServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop(failed=exc[0] is not None)

    def start(self) -> None:
        """Start etcd and kube-apiserver, write kubeconfigs, install CRDs; raise on failure."""
        began = time.monotonic()
        deadline = began + START_SECONDS
        try:
            pki = self._pki = write_pki(self.dir / "pki")
            etcd_url = self._etcd_url = self._start_etcd(deadline)
            self._start_apiserver(etcd_url, pki, deadline)
            for user in self.users:
                self._write_kubeconfig(user, pki["ca"])
            if self.crds is not None:
                install_crds(self.client(), self.crds, deadline)
                install_crds(self.client(), NEWER_CRDS, deadline)
        except BaseException:
            self.stop(failed=True)
            raise
        self.started_seconds = time.monotonic() - began

    def stop(self, failed: bool = False) -> None:
        """Stop both process groups; keep the directory (and say where) after a failure."""
        for _, proc in reversed(self._processes):
            _stop_group(proc)
        self._processes.clear()
        if failed or self.keep_logs:
            print(f"envtest: logs kept in {self.dir / 'logs'}", file=sys.stderr)
            for log in sorted((self.dir / "logs").glob("*.log")) if failed else ():
                print(f"--- last lines of {log} ---\n{_tail(log)}", file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Freeze kube-apiserver (SIGSTOP): a hung API server, until the block ends."""
        proc = next(p for name, p in self._processes if name == "kube-apiserver")
        os.killpg(proc.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.killpg(proc.pid, signal.SIGCONT)

    @contextlib.contextmanager
    def etcd_paused(self) -> Iterator[None]:
        """Freeze etcd (SIGSTOP) until the block ends: a storage that stops answering."""
        proc = next(p for name, p in self._processes if name == "etcd")
        os.killpg(proc.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.killpg(proc.pid, signal.SIGCONT)

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        """kube-apiserver stopped (etcd keeps the data) until the block ends, then started again
        on the same port: a lost API server that comes back."""
        proc = next(p for name, p in self._processes if name == "kube-apiserver")
        _stop_group(proc)
        self._processes = [(n, p) for n, p in self._processes if p is not proc]
        try:
            yield
        finally:
            deadline = time.monotonic() + START_SECONDS
            self._start_apiserver(self._etcd_url, self._pki, deadline, port=self.port)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        logs = self.dir / "logs"
        logs.mkdir(exist_ok=True)
        with open(logs / f"{name}.log", "wb") as log:
            proc = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=_no_proxy()
            )
        self._processes.append((name, proc))
        return proc

    def _start_etcd(self, deadline: float) -> str:
        url = f"http://127.0.0.1:{free_port()}"
        help_text = subprocess.run(
            [str(self.binaries.etcd), "--help"], capture_output=True, text=True, check=False
        )
        fsync = ["--unsafe-no-fsync=true"] if "unsafe-no-fsync" in help_text.stdout else []
        proc = self._spawn(
            "etcd",
            [
                str(self.binaries.etcd),
                f"--data-dir={self.dir / 'etcd'}",
                f"--listen-client-urls={url}",
                f"--advertise-client-urls={url}",
                "--listen-peer-urls=http://localhost:0",
                *fsync,
            ],
        )

        def healthy() -> bool:
            _alive(proc, "etcd")
            with _NO_PROXY.open(f"{url}/health", timeout=1) as answer:
                return bool(json.load(answer).get("health") == "true")

        wait_until(healthy, deadline, f"etcd at {url}")
        return url

    def _start_apiserver(
        self, etcd_url: str, pki: dict[str, Path], deadline: float, port: int = 0
    ) -> None:
        self.port = port or free_port()
        tokens = self.dir / "tokens.csv"
        groups = {user: "grove-envtest" for user in self._tokens} | {ADMIN: "system:masters"}
        tokens.write_text(  # token,user,uid,"groups"
            "".join(f'{t},{u},{u}-uid,"{groups[u]}"\n' for u, t in self._tokens.items())
        )
        proc = self._spawn(
            "kube-apiserver",
            [
                str(self.binaries.kube_apiserver),
                f"--etcd-servers={etcd_url}",
                f"--cert-dir={pki['cert_dir']}",
                f"--secure-port={self.port}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--allow-privileged=true",
                "--authorization-mode=RBAC",
                "--disable-admission-plugins=ServiceAccount",
                f"--service-account-issuer={self.url}/",
                f"--service-account-key-file={pki['sa_public']}",
                f"--service-account-signing-key-file={pki['sa_private']}",
                f"--token-auth-file={tokens}",
                *(audit_flags(self.audit_dir) if self.audit_dir else []),
            ],
        )
        context = ssl.create_default_context(cafile=str(pki["ca"]))
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
        )

        def ready() -> bool:
            _alive(proc, "kube-apiserver")
            with opener.open(f"{self.url}/readyz", timeout=1) as r:
                return bool(r.status == 200)

        wait_until(ready, deadline, f"kube-apiserver at {self.url}/readyz")

    def _write_kubeconfig(self, user: str, ca: Path) -> None:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "envtest",
                    "cluster": {"server": self.url, "certificate-authority": str(ca)},
                }
            ],
            "users": [{"name": user, "user": {"token": self._tokens[user]}}],
            "contexts": [{"name": user, "context": {"cluster": "envtest", "user": user}}],
            "current-context": user,
        }
        self.kubeconfig(user).write_text(yaml.safe_dump(config, sort_keys=False))


def install_crds(kube: KubeClient, directory: Path, deadline: float) -> None:
    """Create every CRD in ``directory`` and wait until each is Established and served."""
    crds = [doc for doc in _yaml_documents(sorted(directory.glob("*.yaml"))) if doc]
    if not crds:
        raise StartFailed(f"No CRDs in {directory}; set GROVE_CRDS_DIR to Grove's CRD directory.")
    for crd in crds:
        with contextlib.suppress(Conflict):  # installed already: the wait below still applies
            kube.request("POST", CRD, body=crd)
    for crd in crds:
        name = crd["metadata"]["name"]
        wait_until(partial(_established, kube, name, _served_kind(crd)), deadline, f"CRD {name}")


def _served_kind(crd: dict[str, Any]) -> Kind:
    spec = crd["spec"]
    version = next(v["name"] for v in spec["versions"] if v.get("served"))
    namespaced = spec["scope"] == "Namespaced"
    return Kind(
        spec["names"]["kind"],
        spec["group"],
        version,
        spec["names"]["plural"],
        namespaced,
        KubeObject,
    )


def _established(kube: KubeClient, name: str, kind: Kind) -> bool:
    conditions = (kube.request("GET", CRD, name=name).get("status") or {}).get("conditions") or []
    if not any(c["type"] == "Established" and c["status"] == "True" for c in conditions):
        return False
    try:  # Established can precede the REST handler by a moment: LIST to be sure
        kube.request("GET", kind, params=[("limit", "1")])
    except GroveNotInstalled:
        return False
    return True


def _yaml_documents(files: Iterable[Path]) -> Iterable[Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster on 1.5 MB
    for file in files:
        yield from yaml.load_all(file.read_text(), Loader=loader)


PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def _no_proxy() -> dict[str, str]:
    """Our environment without HTTP(S)_PROXY: kube-apiserver dials pods/proxy targets through
    ``http.ProxyFromEnvironment`` (loopback excepted), so an inherited egress proxy would answer
    for the test's pod IPs (HTTP 403 ``resolve_deny`` in a sandbox). Nothing here needs one."""
    return {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}


def _alive(proc: subprocess.Popen[bytes], name: str) -> None:
    if proc.poll() is not None:
        raise StartFailed(f"{name} exited with code {proc.returncode}; see its log")


def _stop_group(proc: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """SIGTERM, then SIGKILL after ``grace``: kube-apiserver waits for open watches to end,
    and the data of a throw-away server is not worth the wait."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def main() -> None:
    """Start a server by hand: print kubeconfig paths, then wait for Ctrl-C."""
    from .rbac import LIMITED_USERS, apply, cluster_grants

    try:
        binaries = find_binaries(build=True)
    except BinariesMissing as err:
        sys.exit(f"envtest: {err}")
    with ApiServer(binaries, LIMITED_USERS, crds_dir()) as server:
        apply(server.client(), cluster_grants())
        print(f"kube-apiserver {server.url} ready in {server.started_seconds:.1f}s")
        for user in server.users:
            print(f"  {user:15} KUBECONFIG={server.kubeconfig(user)}")
        print("viewer/no-grove get Roles per namespace via tools.envtest.rbac.namespace_grants.")
        print("Ctrl-C stops etcd and kube-apiserver.", flush=True)
        stop = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)
        signal.sigwait(stop)


if __name__ == "__main__":
    main()
