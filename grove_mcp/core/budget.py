"""The size budget: narrow a report to what was asked, then cut it until the answer fits.

Any front end with a size limit uses it with its own limit and renderer: the MCP server (16 KB
per answer), next the Slack bot (its message limits).

Both forms of an answer are bounded by the same number of bytes: the Markdown text and the
compact JSON of the structured content. Reports are narrowed generically on their JSON form,
without knowing each report's shape, by three conventions the report models follow:

* ``gang=`` keeps list items whose ``gang`` field equals it, and items of a ``gangs`` list
  whose ``name`` does; ``clique=`` keeps items whose ``clique`` field equals it;
* a placement container (an item with ``pods``, ``nodes`` or ``domains``) left empty by a
  filter is dropped with it;
* ``limit`` caps every list; when a list is cut, the items needing attention (unhealthy,
  breached, fragmented, most severe) are kept first, in their original order.

If the answer is still over budget, the largest per-list limit that fits is searched for, and
the result says what was cut (``truncated``) and how to ask for the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, Field, create_model

from ..errors import InvalidInput
from ..reports.common import ReportModel

BUDGET_BYTES = 16 * 1024
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
_CONTAINERS = ("pods", "nodes", "domains")
_WHOLE = frozenset({"levels"})  # topology levels: a handful, and meaningless when cut
_SEVERITY = {"critical": 3, "warning": 2}
_PROBLEMS = ("issues", "unscheduled_pods", "termination")
_NAMES_SHOWN = 12

M = TypeVar("M", bound=BaseModel)


class ListCut(ReportModel):
    path: str = Field(
        description="Where in the report the list is, e.g. gangs or tree[].nodes[].pods "
        "([] = in every item of the enclosing list)."
    )
    shown: int = Field(description="Items kept.")
    total: int = Field(description="Items there were.")


class Truncation(ReportModel):
    """Present only when lists of the report were cut; absent means the answer is complete."""

    budget_bytes: int = Field(description="The size bound of the text and of this JSON.")
    limit: int = Field(description="Items kept per list (the smaller of `limit` and what fits).")
    lists: list[ListCut] = Field(description="Every list that was cut.")
    how_to_narrow: str = Field(
        description="Which arguments return the rest: gang, clique, limit (with the values "
        "this report offers)."
    )


@cache
def output_model(report: type[M]) -> type[M]:
    """``report`` plus an optional ``truncated`` field: the output schema of a tool."""
    return create_model(
        report.__name__,
        __base__=report,
        __doc__=report.__doc__,
        truncated=(
            Truncation | None,
            Field(
                default=None,
                description="Only present when the answer was cut to fit the response "
                "budget: what was cut and how to narrow the question.",
            ),
        ),
    )


@dataclass(frozen=True)
class Narrowing:
    """What the caller asked to see: one gang, one clique, at most ``limit`` items per list."""

    clique: str | None = None
    gang: str | None = None
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class Fitted:
    """A report fitted to the budget: the text, the structured content and what was cut."""

    text: str
    data: dict[str, Any]
    truncation: Truncation | None


def fit(
    report: BaseModel,
    narrowing: Narrowing,
    render: Callable[[BaseModel], str],
    budget: int = BUDGET_BYTES,
) -> Fitted:
    """Narrow ``report`` as asked, then keep the largest per-list limit whose answer fits."""
    data = report.model_dump(mode="json")
    offered = _offered(data)
    _check_offered(narrowing, offered)
    data = filter_rows(data, narrowing.clique, narrowing.gang)

    def attempt(limit: int) -> Fitted:
        cuts: dict[str, list[int]] = {}
        shown = cut(data, limit, cuts)
        text = render(type(report).model_validate(shown))
        if not cuts:
            return Fitted(text, shown, None)
        truncation = Truncation(
            budget_bytes=budget,
            limit=limit,
            lists=[ListCut(path=p, shown=s, total=t) for p, (s, t) in sorted(cuts.items())],
            how_to_narrow=_how_to_narrow(offered, narrowing, limit),
        )
        data_cut = {**shown, "truncated": truncation.model_dump(mode="json")}
        return Fitted(_footer(truncation) + "\n\n" + text, data_cut, truncation)

    def fits(answer: Fitted) -> bool:
        return text_size(answer.text) <= budget and json_size(answer.data) <= budget

    answer = attempt(narrowing.limit)
    if fits(answer):
        return answer
    low, high, best = 1, narrowing.limit - 1, None
    while low <= high:
        middle = (low + high) // 2
        candidate = attempt(middle)
        if fits(candidate):
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    answer = best or attempt(1)
    return Fitted(clip(answer.text, budget), answer.data, answer.truncation)


# --- narrowing ------------------------------------------------------------------------------


def filter_rows(value: Any, clique: str | None, gang: str | None, key: str = "") -> Any:
    """``value`` with only the rows of ``gang`` / ``clique`` (None: no filter)."""
    if clique is None and gang is None:
        return value
    if isinstance(value, dict):
        return {k: filter_rows(v, clique, gang, k) for k, v in value.items()}
    if not isinstance(value, list):
        return value
    kept = []
    for item in value:
        if isinstance(item, dict) and not _matches(key, item, clique, gang):
            continue
        narrowed = filter_rows(item, clique, gang, key)
        if isinstance(item, dict) and _emptied(item, narrowed):
            continue
        kept.append(narrowed)
    return kept


def _matches(key: str, item: dict[str, Any], clique: str | None, gang: str | None) -> bool:
    if gang is not None:
        if "gang" in item and item["gang"] != gang:
            return False
        if key == "gangs" and item.get("name") != gang:
            return False
    return clique is None or "clique" not in item or item["clique"] == clique


def _emptied(before: dict[str, Any], after: dict[str, Any]) -> bool:
    had = [k for k in _CONTAINERS if before.get(k)]
    return bool(had) and not any(after.get(k) for k in _CONTAINERS)


def _offered(data: Any) -> dict[str, dict[str, int]]:
    """The gang and clique names a report holds (with the most attention any of their rows
    needs), to check filter values and to suggest the ones that matter first."""
    found: dict[str, dict[str, int]] = {"gang": {}, "clique": {}}

    def note(field: str, name: str, item: dict[str, Any]) -> None:
        found[field][name] = max(found[field].get(name, 0), attention(item))

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for field in ("gang", "clique"):
                if isinstance(value.get(field), str):
                    note(field, value[field], value)
            if key == "gangs" and isinstance(value.get("name"), str):
                note("gang", value["name"], value)
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)

    walk(data, "")
    return found


def _natural(name: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _names(values: dict[str, int]) -> str:
    """Names needing attention first, then in natural order (gang-2 before gang-10)."""
    ranked = sorted(values, key=lambda n: (-values[n], _natural(n)))
    shown = ranked[:_NAMES_SHOWN]
    more = len(values) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _check_offered(narrowing: Narrowing, offered: dict[str, dict[str, int]]) -> None:
    for field, value in (("gang", narrowing.gang), ("clique", narrowing.clique)):
        if value is not None and value not in offered[field]:
            have = _names(offered[field]) or "none"
            raise InvalidInput(f"No {field} named '{value}' in this report. {field}s: {have}.")


# --- cutting --------------------------------------------------------------------------------


def cut(value: Any, limit: int, cuts: dict[str, list[int]], path: str = "") -> Any:
    """``value`` with every list capped at ``limit``; ``cuts`` collects path → [shown, total]."""
    if isinstance(value, dict):
        return {
            k: v if k in _WHOLE else cut(v, limit, cuts, f"{path}.{k}" if path else k)
            for k, v in value.items()
        }
    if not isinstance(value, list):
        return value
    items = value
    if len(items) > limit:
        ranked = sorted(range(len(items)), key=lambda i: (-attention(items[i]), i))
        items = [items[i] for i in sorted(ranked[:limit])]
        tally = cuts.setdefault(path, [0, 0])
        tally[0] += len(items)
        tally[1] += len(value)
    return [cut(item, limit, cuts, path + "[]") for item in items]


def attention(item: Any) -> int:
    """How much an item needs a reader's attention; cut lists keep the highest first."""
    if not isinstance(item, dict):
        return 0
    score = _SEVERITY.get(str(item.get("severity")), 0)
    score += 2 * (item.get("healthy") is False or item.get("ok") is False)
    score += 2 * (item.get("breached") is True)
    score += 2 * (item.get("state") not in (None, "Healthy"))
    score += item.get("verdict") in ("fragmented", "unplaced")
    score += item.get("ready") is False
    score += 2 * any(item.get(key) for key in _PROBLEMS)
    return score


# --- sizes and the footer -------------------------------------------------------------------


def text_size(text: str) -> int:
    return len(text.encode())


def json_size(data: Any) -> int:
    return len(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode())


def _how_to_narrow(offered: dict[str, dict[str, int]], narrowing: Narrowing, limit: int) -> str:
    hints = []
    if narrowing.gang is None and offered["gang"]:
        hints.append(f"gang= one of {_names(offered['gang'])}")
    if narrowing.clique is None and offered["clique"]:
        hints.append(f"clique= one of {_names(offered['clique'])}")
    if limit < narrowing.limit:
        hints.append(f"limit above {limit} does not fit the budget without a filter")
    else:
        hints.append(f"a larger limit (up to {MAX_LIMIT}) if the budget allows")
    return "Call again with " + "; or ".join(hints) + "."


def _footer(truncation: Truncation) -> str:
    lists = ", ".join(f"{c.path} {c.shown} of {c.total}" for c in truncation.lists)
    return (
        f"> Truncated to {truncation.limit} item(s) per list to fit "
        f"{truncation.budget_bytes // 1024} KB: {lists}. Summaries count everything. "
        f"{truncation.how_to_narrow}"
    )


def clip(text: str, budget: int) -> str:
    """Last resort: the text cut at the budget (only when single items are huge)."""
    raw = text.encode()
    if len(raw) <= budget:
        return text
    marker = "\n… (cut at the response budget)"
    return raw[: budget - len(marker.encode())].decode(errors="ignore") + marker
