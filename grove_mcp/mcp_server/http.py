"""Streamable HTTP: the SDK's app behind a per-client rate limit and a bearer-token check.

Order of the checks on every request: rate limit (429, also slows token guessing) → bearer
token (401; compared in constant time) → the SDK's request-size limit (413) and DNS-rebinding
protection (Host / Origin against the hosts configured for the bind address: 421 / 403).
``/healthz`` answers without a token (it tells nothing but "ok").

A client is its peer address: the rate limit and the connection cap key on it. uvicorn runs
(:func:`uvicorn_options`) with ``proxy_headers=False`` — by default it takes the client from
``X-Forwarded-For`` on connections from 127.0.0.1, and a local client rotating that header got a
fresh bucket with every request — and with the h11 protocol of ``http_guard``: each request must
arrive in full within ``read_seconds`` (408; uvicorn has no such timer, so a client trickling a
request byte by byte held its connection for ever) and one address may hold at most
``connections_per_client`` connections (503 beyond). A request head over h11's 16 KiB is
refused (400) once it comes in more than one read; a body over ``max_request_bytes`` is refused
(413) whether its Content-Length says so, lies, or is missing (chunked): the SDK counts what
arrives.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import InvalidInput
from .http_cancel import CancelOnDisconnect

TOKEN_ENV = "GROVE_MCP_TOKEN"
MIN_TOKEN_LENGTH = 16
HEALTH_PATH = "/healthz"
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
_WILDCARDS = {"0.0.0.0", "::", ""}


@dataclass(frozen=True)
class HttpSettings:
    """``--http`` options. ``token`` None means no token is asked for (loopback only)."""

    host: str = "127.0.0.1"
    port: int = 8000
    path: str = "/mcp"
    token: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    rate_per_minute: int = 120
    burst: int = 40
    max_request_bytes: int = 256 * 1024
    read_seconds: float = 10.0
    connections_per_client: int = 64

    def check(self) -> None:
        """Refuse settings that would expose the server or cannot work, saying what to set."""
        if not self.read_seconds > 0 or self.connections_per_client < 1:
            raise InvalidInput(
                "--read-timeout must be more than 0 seconds and --max-connections at least 1."
            )
        if self.token is None and not is_loopback(self.host):
            raise InvalidInput(
                f"--host {self.host} is reachable from other machines: give clients a bearer "
                f"token through ${TOKEN_ENV} or --token-file (e.g. `openssl rand -hex 32`), "
                "or bind to 127.0.0.1."
            )
        if self.token is not None and len(self.token) < MIN_TOKEN_LENGTH:
            raise InvalidInput(
                f"The bearer token is shorter than {MIN_TOKEN_LENGTH} characters; use a random "
                "one, e.g. `openssl rand -hex 32`."
            )
        if self.host in _WILDCARDS and not self.allowed_hosts:
            raise InvalidInput(
                f"--host {self.host or '(all)'} accepts any Host header: name the host names "
                "clients use with --allowed-host (e.g. grove-mcp.tools.svc:*), or '*' to turn "
                "DNS-rebinding protection off (the bearer token still applies)."
            )


def is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def transport_security(settings: HttpSettings) -> TransportSecuritySettings:
    """DNS-rebinding protection for the bind address plus ``--allowed-host`` names."""
    if "*" in settings.allowed_hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    hosts = list(settings.allowed_hosts)
    if settings.host not in _WILDCARDS:
        bound = f"[{settings.host}]" if ":" in settings.host else settings.host
        hosts += [bound, f"{bound}:*"]
    if is_loopback(settings.host):
        hosts += ["127.0.0.1", "127.0.0.1:*", "localhost", "localhost:*", "[::1]", "[::1]:*"]
    hosts = list(dict.fromkeys(hosts))
    origins = [f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


class BearerAuth:
    """401 unless ``Authorization: Bearer <token>`` matches (constant-time comparison)."""

    def __init__(self, app: ASGIApp, token: str, exempt: frozenset[str]) -> None:
        self.app = app
        self._token = token.encode()
        self._exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._exempt:
            await self.app(scope, receive, send)
            return
        scheme, _, value = Headers(scope=scope).get("authorization", "").partition(" ")
        presented = value.strip().encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(presented, self._token):
            reason = "missing" if not presented else "wrong"
            response = JSONResponse(
                {
                    "error": "unauthorized",
                    "message": f"Bearer token {reason}: send 'Authorization: Bearer <token>' "
                    "with the token the grove-mcp operator gave you.",
                },
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="grove-mcp"'},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class RateLimit:
    """A token bucket per client address: ``per_minute`` sustained, ``burst`` at once."""

    def __init__(
        self,
        app: ASGIApp,
        per_minute: int,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self.app = app
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._rate <= 0:
            await self.app(scope, receive, send)
            return
        wait = self._take(_client(scope))
        if wait > 0:
            response = JSONResponse(
                {"error": "rate_limited", "message": f"Too many requests; retry in {wait} s."},
                status_code=429,
                headers={"Retry-After": str(wait)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _take(self, client: str) -> int:
        """Seconds to wait (0: allowed, and one token is taken)."""
        now = self._clock()
        tokens, last = self._buckets.get(client, (self._burst, now))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / self._rate))
        if len(self._buckets) >= self._max_clients and client not in self._buckets:
            self._forget_idle(now)
        self._buckets[client] = (tokens - 1, now)
        return 0

    def _forget_idle(self, now: float) -> None:
        full = [
            c
            for c, (t, last) in self._buckets.items()
            if t + (now - last) * self._rate >= self._burst
        ]
        for client in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[client]


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def _healthz(_request: Request) -> Response:
    return PlainTextResponse("ok")


def uvicorn_options(settings: HttpSettings) -> dict[str, Any]:
    """Keyword arguments of ``uvicorn.run`` for ``settings`` (see the module docstring)."""
    from .http_guard import guarded_protocol  # uvicorn: only when serving HTTP

    return {
        "host": settings.host,
        "port": settings.port,
        "proxy_headers": False,
        "http": guarded_protocol(settings.read_seconds, settings.connections_per_client),
    }


def build_http_app(server: MCPServer[Any], settings: HttpSettings) -> ASGIApp:
    """The ASGI app to serve: rate limit → bearer token → the SDK's streamable HTTP app."""
    settings.check()
    server.custom_route(HEALTH_PATH, methods=["GET"])(_healthz)
    app: ASGIApp = server.streamable_http_app(
        streamable_http_path=settings.path,
        transport_security=transport_security(settings),
        max_request_body_size=settings.max_request_bytes,
        host=settings.host,
    )
    app = CancelOnDisconnect(app, settings.path, settings.max_request_bytes)
    if settings.token is not None:
        app = BearerAuth(app, settings.token, exempt=frozenset({HEALTH_PATH}))
    return RateLimit(app, settings.rate_per_minute, settings.burst)
