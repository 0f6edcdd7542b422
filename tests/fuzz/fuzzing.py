"""What counts as a failure when fuzzing, in one place.

A call under fuzzing may succeed or refuse. It fails the test when:

* it raises anything that is not a ``GroveError`` (``KeyError``, ``TypeError``, a pydantic
  ``ValidationError`` … : a crash, whose traceback would reach the user);
* it runs longer than ``HANG_SECONDS`` (a generous bound: an unbounded loop, not slowness);
* it raises a ``GroveError`` whose message is empty or blank, or shows a stack trace
  (``Traceback``, ``File "…", line``);
* over MCP: a tool error that is neither the core's (``_meta["grove-mcp/error"]``) nor the
  SDK's refusal of arguments that do not match the tool's input schema; or an answer whose
  structured content breaks the tool's output schema.
"""

from __future__ import annotations

import re
import signal
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import jsonschema
from hypothesis import settings
from mcp_types import CallToolResult, Tool

from grove_mcp.errors import GroveError

T = TypeVar("T")
HANG_SECONDS = 60
TALLY: Counter[tuple[str, str]] = Counter()
"""Examples run, by (target, outcome): printed at the end of the session (the figures)."""
_TRACE = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]*\", line \d+")


def examples(weight: float = 1.0) -> int:
    """This test's number of examples: ``weight`` times the profile's ``max_examples``."""
    return max(1, round(settings.default.max_examples * weight))


def tally(target: str, result: object) -> None:
    """Count one example of ``target`` by its outcome (an answer, or which error)."""
    kind = result if isinstance(result, str) else type(result).__name__
    TALLY[(target, kind)] += 1


def check_message(message: str, what: str = "error") -> None:
    """A message for people: not empty, no stack trace."""
    assert message.strip(), f"{what} with an empty message"
    assert not _TRACE.search(message), f"{what} shows a stack trace:\n{message}"


class Hang(AssertionError):
    """A call that ran past ``HANG_SECONDS``."""


def _hung(signum: int, frame: object) -> None:
    raise Hang(f"the call ran over {HANG_SECONDS} s: an unbounded loop?")


def outcome(call: Callable[..., T], *args: Any, **kwargs: Any) -> T | GroveError:
    """``call``'s result, or the ``GroveError`` it raised (its message checked). Any other
    exception propagates: that is the crash Hypothesis reports and shrinks. Bounded by
    ``HANG_SECONDS`` (SIGALRM: the tests call it from the main thread)."""
    previous = signal.signal(signal.SIGALRM, _hung)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    try:
        return call(*args, **kwargs)
    except GroveError as err:
        check_message(err.message, type(err).__name__)
        return err
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_tool_result(tool: Tool, result: CallToolResult) -> str:
    """Classify an MCP answer: ``"answer"``, ``"grove-error"`` or ``"schema-refusal"``;
    anything else fails (see the module docstring)."""
    text = "\n".join(b.text for b in result.content if b.type == "text")
    if not result.is_error:
        assert tool.output_schema is not None
        jsonschema.validate(result.structured_content, tool.output_schema)
        check_message(text, "answer")
        return "answer"
    check_message(text, f"{tool.name} error")
    if (result.meta or {}).get("grove-mcp/error"):
        return "grove-error"
    refusal = rf"^Error executing tool {tool.name}: \d+ validation errors? for {tool.name}Arguments"
    assert re.match(refusal, text), f"{tool.name} crashed:\n{text}"
    return "schema-refusal"
