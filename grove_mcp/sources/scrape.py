"""Fetching metric expositions from pods: directly (from inside the cluster) or through the API
server's pod proxy (from outside, with the user's credentials). I/O only: parsing and the window
arithmetic live in ``grove_mcp.metrics``.

Every scrape asks for the classic text format (``Accept: text/plain;version=0.0.4``; inference-
metrics.md §0.1: OpenMetrics negotiation mangles names in some prometheus_client versions), runs
in a bounded pool with a per-pod timeout, and records the midpoint of its request as its time
(§B.1). A pod that cannot be scraped is a result with its reason, never an exception: the others
still count.
"""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from ..errors import GroveError

if TYPE_CHECKING:  # the kubernetes client is imported only where a cluster is read
    from .kube import KubeClient

ACCEPT = "text/plain;version=0.0.4"
MAX_BYTES = 16 * 1024 * 1024  # an exposition larger than this is refused, not buffered
DEFAULT_TIMEOUT = 5.0
DEFAULT_CONCURRENCY = 16


class ScrapeVia(StrEnum):
    auto = "auto"
    proxy = "proxy"  # the API server's pods/proxy, with the user's credentials
    direct = "direct"  # the pod IP (from inside the cluster)


@dataclass(frozen=True)
class Address:
    """Where one pod serves its metrics (what discovery found)."""

    namespace: str
    pod: str
    ip: str | None
    port: int
    path: str = "/metrics"

    def __post_init__(self) -> None:
        if not self.path.startswith("/"):
            object.__setattr__(self, "path", "/" + self.path)

    @property
    def url(self) -> str:
        host = f"[{self.ip}]" if self.ip and ":" in self.ip else self.ip
        return f"http://{host}:{self.port}{self.path}"


@dataclass(frozen=True)
class Fetched:
    """One scrape: the exposition text, or why there is none. ``at`` is the midpoint of the
    request on the monotonic clock (seconds)."""

    address: Address
    at: float
    text: str | None = None
    error: str | None = None


class Fetcher(Protocol):
    def fetch(
        self, addresses: Sequence[Address], each: Callable[[Fetched], None] | None = None
    ) -> list[Fetched]:
        """Scrape every address concurrently, in order; failures are results. ``each`` is
        called in the pool with every answer as it arrives (to parse while others download)."""
        ...

    def close(self) -> None: ...


def choose_via(via: ScrapeVia, kube: KubeClient | None) -> ScrapeVia:
    """``auto``: direct inside a cluster (the pod IPs are reachable there), else the proxy."""
    if via is not ScrapeVia.auto:
        return via
    in_cluster = bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and (
        kube is None or kube.label == "in-cluster"
    )
    return ScrapeVia.direct if in_cluster or kube is None else ScrapeVia.proxy


class _Pooled(ABC):
    """The bounded pool and per-address bookkeeping both fetchers share."""

    def __init__(self, timeout: float, concurrency: int) -> None:
        from concurrent.futures import ThreadPoolExecutor  # on use: the config reads our defaults

        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="scrape")

    def fetch(
        self, addresses: Sequence[Address], each: Callable[[Fetched], None] | None = None
    ) -> list[Fetched]:
        def one(address: Address) -> Fetched:
            got = self._timed(address)
            if each is not None:
                each(got)
            return got

        return list(self._pool.map(one, addresses))

    def _timed(self, address: Address) -> Fetched:
        start = time.monotonic()
        try:
            text, error = self._get(address), None
        except GroveError as err:
            text, error = None, err.message
        except Exception as err:  # one pod's surprise must not lose the others
            text, error = None, f"pod {address.pod}: scrape failed ({type(err).__name__}: {err})"
        return Fetched(address, (start + time.monotonic()) / 2, text, error)

    @abstractmethod
    def _get(self, address: Address) -> str:
        """The exposition text; raises ``GroveError`` saying why there is none."""

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class DirectFetcher(_Pooled):
    """GET the pod IP; used inside the cluster."""

    def __init__(
        self, timeout: float = DEFAULT_TIMEOUT, concurrency: int = DEFAULT_CONCURRENCY
    ) -> None:
        import httpx  # here: reading DEFAULT_TIMEOUT (the config file does) needs no HTTP client

        super().__init__(timeout, concurrency)
        # trust_env=False: pod IPs are never reached through an HTTP(S)_PROXY of the environment
        self._http = httpx.Client(timeout=timeout, headers={"Accept": ACCEPT}, trust_env=False)

    def _get(self, address: Address) -> str:
        import httpx

        if not address.ip:
            raise GroveError(f"pod {address.pod} has no IP yet (not running): nothing to scrape")
        try:
            with self._http.stream("GET", address.url) as response:
                if response.status_code != 200:
                    raise GroveError(
                        f"{address.url} (pod {address.pod}) answered HTTP "
                        f"{response.status_code}: check that the "
                        f"engine serves metrics on port {address.port} at {address.path}"
                    )
                return _bounded(response.iter_bytes(), address).decode("utf-8", "replace")
        except httpx.TimeoutException:
            raise GroveError(
                f"{address.url} did not answer within {self.timeout:g} s (pod {address.pod})"
            ) from None
        except (httpx.HTTPError, httpx.InvalidURL) as err:
            raise GroveError(
                f"{address.url} (pod {address.pod}) could not be reached: {err}"
            ) from None

    def close(self) -> None:
        super().close()
        self._http.close()


class ProxyFetcher(_Pooled):
    """GET through the API server's pod proxy; used from outside the cluster."""

    def __init__(
        self,
        kube: KubeClient,
        timeout: float = DEFAULT_TIMEOUT,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        super().__init__(timeout, concurrency)
        self._kube = kube

    def _get(self, address: Address) -> str:
        body = self._kube.proxy_get(  # bounded by MAX_PROXY_BYTES while it reads
            address.namespace, address.pod, address.port, address.path, ACCEPT, self.timeout
        )
        return body.decode("utf-8", "replace")


def _bounded(chunks: Iterable[bytes], address: Address) -> bytes:
    data = bytearray()
    for chunk in chunks:
        data += chunk
        if len(data) > MAX_BYTES:
            raise GroveError(_too_big(address))
    return bytes(data)


def _too_big(address: Address) -> str:
    return (
        f"pod {address.pod} served more than {MAX_BYTES // (1024 * 1024)} MiB of metrics at "
        f"{address.path}: refused (is this a metrics endpoint?)"
    )
