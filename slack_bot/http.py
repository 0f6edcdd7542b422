"""HTTP mode: the app as an ASGI application (Slack's events at ``/slack/events``, ``/healthz``
for probes) served by uvicorn; ``serve_in_thread`` runs it on loopback for tests and the demo."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.asgi import SlackRequestHandler

EVENTS_PATH = "/slack/events"
Asgi = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def asgi_app(app: App) -> Asgi:
    handler = SlackRequestHandler(app, path=EVENTS_PATH)

    async def serve(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/healthz":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
            return
        await handler(scope, receive, send)

    return serve


def serve_health(host: str, port: int) -> ThreadingHTTPServer:
    """``GET /healthz`` alone, in a thread: Socket Mode serves no HTTP otherwise, and the
    Deployment's probes need an answer."""

    class Health(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            ok = self.path == "/healthz"
            self.send_response(200 if ok else 404)
            self.end_headers()
            self.wfile.write(b"ok" if ok else b"not found")

    server = ThreadingHTTPServer((host, port), Health)
    threading.Thread(target=server.serve_forever, name="grove-slack-health", daemon=True).start()
    return server


def serve(app: App, host: str, port: int) -> None:
    """Serve until interrupted."""
    uvicorn.run(asgi_app(app), host=host, port=port, log_level="warning")


@contextmanager
def serve_in_thread(app: App, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve on a free port in a thread; yields the base URL, stops on exit."""
    config = uvicorn.Config(asgi_app(app), host=host, port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="grove-slack-http", daemon=True)
    thread.start()
    tick = threading.Event()
    deadline = time.monotonic() + 10
    while thread.is_alive() and not server.started and time.monotonic() < deadline:
        tick.wait(0.02)  # uvicorn offers no start-up event to wait on
    if not server.started:
        raise RuntimeError("grove-slack's HTTP server did not start")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
