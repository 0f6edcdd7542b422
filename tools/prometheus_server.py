"""A real Prometheus server on loopback for tests: the Debian package's ``/usr/bin/prometheus``
(2.42), started with a throw-away config and TSDB, scraping loopback exporters every second.

    with PrometheusServer(binary, targets, tmp_path) as prom:
        prom.url                       # http://127.0.0.1:<free port>
        prom.query("up")               # the instant vector's result

Never the system service: the process is ours, bound to 127.0.0.1, stopped (terminate, then kill
after a bound) when the block ends. Every wait has a deadline.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

DEFAULT_BINARY = "/usr/bin/prometheus"
START_SECONDS = 30.0
STOP_SECONDS = 10.0
SCRAPE_INTERVAL = "1s"


class PrometheusMissing(RuntimeError):
    """No runnable prometheus binary: the message says how to get one."""


def find_prometheus() -> str:
    """``GROVE_PROMETHEUS`` when set (and only it), else /usr/bin/prometheus, else PATH."""
    chosen = os.environ.get("GROVE_PROMETHEUS")
    candidates = [chosen] if chosen else [DEFAULT_BINARY, shutil.which("prometheus")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    where = f"GROVE_PROMETHEUS={chosen}" if chosen else "/usr/bin/prometheus or PATH"
    raise PrometheusMissing(
        f"no prometheus binary ({where}); install the Debian package: apt-get install -y prometheus"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ScrapeTarget:
    """One exporter to scrape, with the labels Kubernetes service discovery would attach."""

    url: str  # http://127.0.0.1:<port>/metrics
    labels: Mapping[str, str]  # e.g. {"namespace": "ns", "pod": "p"}


def config(targets: Sequence[ScrapeTarget], interval: str = SCRAPE_INTERVAL) -> dict[str, Any]:
    """One job per target (each its own metrics path), labelled per ``static_configs``."""
    jobs = []
    for i, t in enumerate(targets):
        parts = urlsplit(t.url)
        jobs.append(
            {
                "job_name": f"target-{i}",
                "scrape_interval": interval,
                "scrape_timeout": interval,
                "metrics_path": parts.path or "/metrics",
                "static_configs": [{"targets": [parts.netloc], "labels": dict(t.labels)}],
            }
        )
    return {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "scrape_configs": jobs,
    }


class PrometheusServer:
    """``/usr/bin/prometheus`` on a free loopback port, for the duration of a ``with`` block."""

    def __init__(self, binary: str, targets: Sequence[ScrapeTarget], workdir: Path) -> None:
        self.binary = binary
        self.targets = tuple(targets)
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._proc: subprocess.Popen[bytes] | None = None
        self._http = httpx.Client(timeout=5.0, trust_env=False)
        self.log = workdir / "prometheus.log"

    def __enter__(self) -> PrometheusServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        cfg = self.workdir / "prometheus.yml"
        cfg.write_text(yaml.safe_dump(config(self.targets)))
        with self.log.open("wb") as log:
            self._proc = subprocess.Popen(
                [
                    self.binary,
                    f"--config.file={cfg}",
                    f"--storage.tsdb.path={self.workdir / 'data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                    "--storage.tsdb.retention.time=1h",
                    "--log.level=warn",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.workdir,
            )
        try:
            self.wait(self._ready, START_SECONDS, "Prometheus to be ready (/-/ready)")
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(STOP_SECONDS)
        self._http.close()

    def _ready(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(
                f"prometheus exited with {self._proc.returncode}: {self.log.read_text()[-2000:]}"
            )
        try:
            return self._http.get(f"{self.url}/-/ready").status_code == 200
        except httpx.HTTPError:
            return False

    def wait(self, condition: Callable[[], bool], seconds: float, what: str) -> None:
        """Until ``condition()`` holds, checking every 50 ms; TimeoutError after ``seconds``."""
        deadline = time.monotonic() + seconds
        pause = threading.Event()
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {seconds:g}s for {what}; log: {self.log}")
            pause.wait(0.05)

    def query(self, promql: str, at: float | None = None) -> list[dict[str, Any]]:
        """An instant query's result (raises on an error answer)."""
        params = {"query": promql}
        if at is not None:
            params["time"] = f"{at:.3f}"
        body = self._http.post(f"{self.url}/api/v1/query", data=params).json()
        if body.get("status") != "success":
            raise RuntimeError(f"{promql}: {body.get('errorType')}: {body.get('error')}")
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def scalar(self, promql: str, at: float | None = None) -> float | None:
        """The single value of an instant query, or None when it has no sample."""
        result = self.query(promql, at)
        return float(result[0]["value"][1]) if result else None
