"""Human-readable durations and ages, shared by reports' messages and every renderer."""

from __future__ import annotations

from datetime import datetime


def format_seconds(seconds: int) -> str:
    """``3h 42m``, ``18m``, ``45s``, ``2d 3h``; negative values read ``overdue by …``."""
    if seconds < 0:
        return f"overdue by {format_seconds(-seconds)}"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def format_age(since: datetime | None, now: datetime) -> str:
    """How long ago ``since`` was, relative to the snapshot's time (``?`` if unknown)."""
    if since is None:
        return "?"
    return format_seconds(max(0, int((now - since).total_seconds())))


def due_in(seconds: int) -> str:
    """``in 3h 42m``, or ``due, overdue by 5m`` once the deadline has passed."""
    return f"in {format_seconds(seconds)}" if seconds >= 0 else f"due, {format_seconds(seconds)}"
