"""The process's collector policy: thresholds raised once and never lowered; the last report
in flight collects, at most every IDLE_COLLECT_SECONDS."""

from __future__ import annotations

import gc

import pytest

from grove_mcp import allocation


@pytest.fixture(autouse=True)
def _thresholds():
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


def test_thresholds_are_raised_and_never_lowered():
    gc.set_threshold(700, 10, 10)
    allocation.collect_less()
    assert gc.get_threshold() == allocation.RAISED_THRESHOLDS
    gc.set_threshold(100_000, 50, 50)
    allocation.collect_less()
    assert gc.get_threshold() == (100_000, 50, 50)


class _Inline:
    """A Thread that runs its target at start(), for counting."""

    def __init__(self, target, name, daemon):  # type: ignore[no-untyped-def]
        assert daemon and name == "grove-gc"
        self.target = target

    def start(self) -> None:
        self.target()


def test_only_the_last_report_out_collects(monkeypatch):
    collections: list[int] = []
    monkeypatch.setattr(allocation.gc, "collect", lambda: collections.append(1))
    monkeypatch.setattr(allocation.threading, "Thread", _Inline)
    monkeypatch.setattr(allocation, "_last_collect", 0.0)
    with allocation.report_in_flight():
        with allocation.report_in_flight():
            pass
        assert collections == []  # another report is still in flight
    assert collections == [1]
    with allocation.report_in_flight():
        pass
    assert collections == [1]  # within IDLE_COLLECT_SECONDS of the last one
    monkeypatch.setattr(allocation, "_last_collect", 0.0)
    with pytest.raises(RuntimeError), allocation.report_in_flight():
        raise RuntimeError("a failed report")
    assert collections == [1, 1]  # a failed report counts out too
