"""One Prometheus text exposition → an immutable :class:`Scrape`.

Parsing is prometheus_client's (``text_string_to_metric_families``); this module only regroups
its output so that names can be looked up tolerantly (inference-metrics.md §0.2, B.4, B.5):

- ``vllm:x`` and ``vllm_x`` are the same name: keys replace every ``:`` with ``_`` (exactly what
  prometheus_client's OpenMetrics escaping bug does to sample names).
- A counter is found with or without its ``_total`` suffix.
- Samples whose TYPE line is missing or names another spelling (the OpenMetrics bug: a typed,
  empty ``vllm:x`` family plus ``unknown`` ``vllm_x_bucket`` … families) are grouped by their
  *sample* name, stripped of ``_total`` / ``_bucket`` / ``_sum`` / ``_count``, into the family
  they belong to. Without any TYPE line, ``_bucket`` samples with an ``le`` label make a histogram.

No sample carries a timestamp (A.0): the caller stamps each scrape (the monotonic midpoint of
the request) and passes that time in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from grove_mcp.errors import MetricsError

Labels = tuple[tuple[str, str], ...]
"""A label set, sorted by label name: hashable and comparable."""

_SUFFIXES = ("_total", "_bucket", "_sum", "_count", "_created")
_SUFFIXES_BY_TYPE = {
    "counter": ("_total", "_created"),
    "gauge": (),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "gaugehistogram": ("_bucket", "_gsum", "_gcount"),
    "summary": ("_sum", "_count", "_created"),
}


def normalize(name: str) -> str:
    """The lookup key of a metric name: ``<engine>:`` and ``<engine>_`` are the same."""
    return name.replace(":", "_")


@dataclass(frozen=True)
class Sample:
    """One sample of a family: its name suffix ('' for a gauge, '_total', '_bucket', '_sum',
    '_count', '_created'), its labels and its value (always a float; NaN and ±Inf kept)."""

    suffix: str
    labels: Labels
    value: float

    def label(self, name: str) -> str | None:
        return dict(self.labels).get(name)


@dataclass(frozen=True)
class Family:
    """All samples of one metric, under its normalized name (``vllm_prompt_tokens``)."""

    name: str
    type: str
    samples: tuple[Sample, ...]
    served: str = ""  # the name as the pod spelled it (``vllm:x``); ``name`` when unknown

    @property
    def shown(self) -> str:
        return self.served or self.name


@dataclass(frozen=True)
class Scrape:
    """One parsed exposition, taken at ``time`` (seconds on the caller's monotonic clock)."""

    time: float
    families: Mapping[str, Family]

    def family(self, name: str) -> Family | None:
        """The family named ``name`` in either prefix form, a counter with or without
        ``_total``; None when the exposition has no such metric."""
        key = normalize(name)
        found = self.families.get(key)
        if found is not None:
            return found
        if key.endswith("_total"):
            bare = self.families.get(key[: -len("_total")])
            if bare is not None and bare.type in ("counter", "unknown"):
                return bare
        untyped = self.families.get(key + "_total")  # a counter that lost its TYPE line
        if untyped is not None and untyped.type == "unknown":
            return untyped
        return None


def parse_exposition(
    text: str,
    time: float,
    source: str = "the metrics endpoint",
    wanted: Callable[[str], bool] | None = None,
) -> Scrape:
    """Parse Prometheus text (or OpenMetrics text, which the same parser tolerates) into a
    :class:`Scrape`. ``source`` names the endpoint in the error raised on a body that is not
    an exposition (an HTML error page, a JSON ``/metrics`` such as TRT-LLM's).

    ``wanted`` (a family name, normalized, without suffix → keep it?) drops the samples of the
    other families before prometheus_client parses them (it spends most of its time on label
    sets); every ``# TYPE`` line is kept, so the names a pod serves are all still known."""
    if wanted is not None:
        text = _only_wanted(text, wanted)
    try:
        parsed = list(text_string_to_metric_families(text))
    except Exception as err:  # the parser raises ValueError, IndexError … on garbage
        raise MetricsError(
            f"{source} did not answer with Prometheus text ({err}). Check the port and path: "
            "TRT-LLM serves Prometheus text at /prometheus/metrics, SGLang only with "
            "--enable-metrics."
        ) from None
    return Scrape(time=time, families=_group(parsed))


def family_key(name: str) -> str:
    """The normalized family a metric or sample name belongs to (suffix stripped)."""
    key = normalize(name)
    for suffix in _SUFFIXES:
        if key.endswith(suffix):
            return key[: -len(suffix)]
    return key


def _only_wanted(text: str, wanted: Callable[[str], bool]) -> str:
    """The exposition's lines that are comments (TYPE kept, HELP of unwanted families dropped)
    or samples of wanted families; the parser sees the rest of the text unchanged."""
    keep: list[str] = []
    verdicts: dict[str, bool] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] == "TYPE":
                keep.append(line)
                continue
            name = parts[2] if len(parts) >= 3 and parts[1] == "HELP" else None
        else:
            end = len(line)
            for stop in ("{", " ", "\t"):
                at = line.find(stop)
                if at != -1:
                    end = min(end, at)
            name = line[:end]
        if not name:
            keep.append(line)
            continue
        key = family_key(name)
        ok = verdicts.get(key)
        if ok is None:
            ok = verdicts[key] = wanted(key) or wanted(normalize(name))
        if ok:
            keep.append(line)
    return "\n".join(keep) + "\n"


def _labels(raw: Mapping[str, str]) -> Labels:
    return tuple(sorted(raw.items()))


def _split(sample_name: str, known: Mapping[str, str]) -> tuple[str, str]:
    """(family key, suffix) of a sample name whose family grouping cannot be trusted."""
    name = normalize(sample_name)
    if name in known:
        return name, ""
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            if base in known and suffix in _SUFFIXES_BY_TYPE.get(known[base], _SUFFIXES):
                return base, suffix
    return name, ""


def _group(families: list[Metric]) -> Mapping[str, Family]:
    types: dict[str, str] = {}
    spelled: dict[str, str] = {}
    for fam in families:
        key = normalize(fam.name)
        if fam.type != "unknown":
            types.setdefault(key, fam.type)
            spelled.setdefault(key, fam.name)
    # untyped histograms: `x_bucket{le=…}` samples with no TYPE line anywhere
    for fam in families:
        if fam.type == "unknown":
            for s in fam.samples:
                name = normalize(s.name)
                if name.endswith("_bucket") and "le" in s.labels:
                    types.setdefault(name[: -len("_bucket")], "histogram")

    samples: dict[str, dict[tuple[str, Labels], Sample]] = {}
    for fam in families:
        typed = fam.type != "unknown"
        fkey = normalize(fam.name)
        for s in fam.samples:
            name = normalize(s.name)
            if typed and name.startswith(fkey):
                key, suffix = fkey, name[len(fkey) :]
            else:
                key, suffix = _split(s.name, types)
            sample = Sample(suffix=suffix, labels=_labels(s.labels), value=float(s.value))
            # the same series in both spellings (never seen in practice): count it once
            samples.setdefault(key, {}).setdefault((suffix, sample.labels), sample)

    out = {
        key: Family(key, types.get(key, "unknown"), tuple(by_series.values()), spelled.get(key, ""))
        for key, by_series in samples.items()
    }
    for key, kind in types.items():  # typed families with no samples still say "exists"
        out.setdefault(key, Family(key, kind, (), spelled.get(key, "")))
    return MappingProxyType(dict(sorted(out.items())))


def bound(sample: Sample) -> float:
    """The ``le`` bound of a bucket sample as a float (``+Inf`` → inf; NaN when unreadable)."""
    raw = sample.label("le")
    try:
        return float(raw) if raw is not None else math.nan
    except ValueError:
        return math.nan
