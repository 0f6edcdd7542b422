"""uvicorn's h11 protocol with two guards it lacks: a deadline for each request to arrive in full,
and a cap on open connections per client address.

uvicorn arms no timer until a connection's first response, and cancels its keep-alive timer at
the first byte of the next request: a client sending a request head (or a body shorter than its
Content-Length) a byte at a time, or nothing at all, held its connection for ever. Here each
request — head and body — must arrive within ``read_seconds`` of the connection opening or of
the previous response: else 408 and close (a silent close when nothing of it came, as for an idle
keep-alive; a close alone once the app is reading the body: it sees the disconnect). Beyond
``per_client`` open connections from one address, a new one gets 503 and is closed.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


def _raw_response(status: str, message: str, extra: str = "") -> bytes:
    body = message.encode()
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\n{extra}"
        f"connection: close\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def guarded_protocol(read_seconds: float, per_client: int) -> type[H11Protocol]:
    """An ``H11Protocol`` class (uvicorn's ``http=``) with these limits and its own counts."""
    opened: Counter[str] = Counter()
    timeout = _raw_response(
        "408 Request Timeout", f"The request did not arrive within {read_seconds:g} s.\n"
    )
    too_many = _raw_response(
        "503 Service Unavailable",
        f"More than {per_client} open connections from your address; close some.\n",
        "retry-after: 1\r\n",
    )

    class Guarded(H11Protocol):
        _peer = ""
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._peer = str(self.client[0]) if self.client else "unknown"
            opened[self._peer] += 1
            if opened[self._peer] > per_client:
                transport.write(too_many)
                transport.close()
                return
            self._follow()

        def connection_lost(self, exc: Exception | None) -> None:
            opened[self._peer] -= 1
            if opened[self._peer] <= 0:
                del opened[self._peer]
            self._stop()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._follow()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._follow()

        def _follow(self) -> None:
            """Run the deadline while a request is awaited or arriving, not while it is served."""
            awaited = self.conn.their_state in (h11.IDLE, h11.SEND_BODY)
            if not awaited or self.transport.is_closing():
                self._stop()
            elif self._deadline is None:
                self._deadline = self.loop.call_later(read_seconds, self._expire)

        def _stop(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._deadline = None
            if self.transport.is_closing():
                return
            started = self.conn.their_state is not h11.IDLE or bool(self.conn.trailing_data[0])
            serving = self.cycle is not None and self.cycle.response_started
            if started and not serving and self.conn.their_state is not h11.DONE:
                self.transport.write(timeout)
            self.transport.close()

    return Guarded
