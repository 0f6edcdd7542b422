"""Per-user and per-channel rate limits: a sliding window of recent commands, in memory."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from .config import RateLimit


class RateLimiter:
    """``check`` counts a command, or says politely why it is refused."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def check(self, user: str, channel: str) -> str | None:
        """None when allowed (and counted); else the message for the user."""
        now = self._clock()
        keys = (
            (f"user:{user}", self.limit.per_user),
            (f"channel:{channel}", self.limit.per_channel),
        )
        with self._lock:
            for key, most in keys:
                recent = self._recent(key, now)
                if len(recent) >= most:
                    wait = max(1, round(recent[0] + self.limit.per_seconds - now))
                    who = "you" if key.startswith("user:") else "this channel"
                    return (
                        f":hourglass: Easy there: {who} asked {most} times in the last "
                        f"{self.limit.per_seconds} s, which is my limit. Try again in {wait} s."
                    )
            for key, _ in keys:
                self._seen[key].append(now)
        return None

    def _recent(self, key: str, now: float) -> deque[float]:
        recent = self._seen[key]
        while recent and recent[0] <= now - self.limit.per_seconds:
            recent.popleft()
        if not recent:  # forget who has been quiet for a whole window
            del self._seen[key]
            recent = self._seen[key]
        return recent
