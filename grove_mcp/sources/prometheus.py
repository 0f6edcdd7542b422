"""The metrics window asked of a Prometheus server (``--prometheus-url``) instead of scraped.

I/O only: PromQL over HTTP (``/api/v1/query``, one instant ``time=now``), answered per pod as
finished :class:`~grove_mcp.metrics.figures.PodFigures`. The metric names and label filters are
the ones a scrape would use: :func:`~grove_mcp.metrics.figures.reads_for` chooses them from the
names each pod serves *in Prometheus*; the queries match ``__name__`` by a regex that takes
both prefix forms (inference-metrics.md B.6: a Prometheus 2.x scraping OpenMetrics may store
``vllm_…`` for ``vllm:…``).

Requests per collect do not grow with pods: one query for the names every target pod serves,
one for SGLang's ``tp_rank`` label, one for process start times (``since_start``), then one
query per distinct metric read, for all pods at once (``pod=~"a|b|c"``):

- counters: ``sum by (pod) (increase(N{…}[w]))`` (and ``count`` for the series);
- histograms: ``sum by (pod, le) (increase(N_bucket{…}[w]))`` plus ``_sum`` and ``_count``;
- gauges: a subquery of the per-evaluation combination (``sum``/``avg by (pod)``), then
  ``avg_over_time``, ``max_over_time`` and ``count_over_time`` of it.

The statistics of one read come back in one response, told apart by a ``grove_stat`` label
(``label_replace(…) or label_replace(…)``). Prometheus' ``increase`` extrapolates to the
window's edges and counts across counter resets itself; ``resets()`` in the same answer tells
``resets`` (a histogram with one is ``partial``) for the report's notes; ``new_series`` is 0.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..errors import ClusterUnreachable, InvalidInput, MetricsError
from ..metrics.catalog import Engine, MetricType, Quantity, Read
from ..metrics.figures import GAUGE_COMBINE, Figure, PodFigures, Read1, reads_for
from ..metrics.window import CounterDelta, GaugeStats, HistogramDelta
from .metrics_collect import Answer, Collected, MetricsRequest

DEFAULT_TIMEOUT = 10.0
MAX_BYTES = 32 * 1024 * 1024  # a larger answer is refused once it passes this
_STAT = "grove_stat"  # the label that tells the statistics of one read apart in one answer
_GAUGE_POINTS = 60  # evaluations of a gauge inside the window (the subquery's resolution)


def _quote(value: str) -> str:
    """A PromQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_RE2_SPECIAL = re.compile(r"([.^$*+?()\[\]{}|\\])")


def _alternatives(values: Iterable[str]) -> str:
    """A PromQL (RE2, fully anchored) regex matching exactly these strings."""
    return "|".join(_RE2_SPECIAL.sub(r"\\\1", v) for v in sorted(set(values)))


_ESCAPED_PREFIXES = ("vllm", "sglang", "trtllm")  # served as `<p>:` or `<p>_` (§0.1, B.6)


def _name_matcher(name: str) -> str:
    """``__name__`` matching the served name in either prefix form: a Prometheus 2.x scraping
    OpenMetrics may store ``vllm_x`` for ``vllm:x`` (B.6), and a window across an exporter
    upgrade holds both. The rest of the name is literal."""
    for prefix in _ESCAPED_PREFIXES:
        if name.startswith((f"{prefix}:", f"{prefix}_")):
            rest = _alternatives([name[len(prefix) + 1 :]])
            return f"__name__=~{_quote(f'{prefix}[:_]{rest}')}"
    return f"__name__={_quote(name)}"


def _filters(wheres: Sequence[Mapping[str, str]]) -> list[dict[str, set[str]]]:
    """The read's label filters as few matcher sets as possible: each key to its allowed values.
    ``reads_for`` gives the product of every key's values, which is one matcher set; anything
    else stays one set per filter (the union of their series is then read)."""
    if not wheres:
        return [{}]
    keys = set(wheres[0])
    if all(set(w) == keys for w in wheres):
        values = {k: {w[k] for w in wheres} for k in keys}
        product = {
            tuple(sorted(zip(keys, combo, strict=True)))
            for combo in itertools.product(*(values[k] for k in keys))
        }
        if product == {tuple(sorted(w.items())) for w in wheres}:
            return [values]
    return [{k: {v} for k, v in w.items()} for w in wheres]


@dataclass(frozen=True)
class _Labels:
    """How the Prometheus series of a pod are told: its ``pod`` and ``namespace`` labels."""

    pod: str
    namespace: str

    def selector(self, name: str | None, namespace: str, pods: Iterable[str], **extra: str) -> str:
        """``{__name__=~"vllm[:_]x", namespace="ns", pod=~"a|b", k=~"v"}``."""
        parts = [_name_matcher(name)] if name else []
        parts.append(f"{self.namespace}={_quote(namespace)}")
        parts.append(f"{self.pod}=~{_quote(_alternatives(pods))}")
        parts.extend(f"{k}{v}" for k, v in extra.items())
        return "{" + ", ".join(parts) + "}"


def _matchers(filt: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, values in sorted(filt):
        vals = sorted(set(values))
        out[k] = f"={_quote(vals[0])}" if len(vals) == 1 else f"=~{_quote(_alternatives(vals))}"
    return out


def _tagged(parts: Mapping[str, str]) -> str:
    """Several expressions as one answer, each sample labelled ``grove_stat=<key>``."""
    return " or ".join(
        f'label_replace({expr}, "{_STAT}", "{key}", "", "")' for key, expr in parts.items()
    )


@dataclass(frozen=True)
class _Group:
    """One read shared by several pods: the same served name, type and filters."""

    name: str
    type: MetricType
    read: Read
    combine: str
    filters: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...]


def _group_of(r: Read1) -> _Group:
    c = r.candidate
    combine = "sum" if c.read is Read.rate else GAUGE_COMBINE.get(r.quantity, "sum")
    filters = tuple(
        tuple(sorted((k, tuple(sorted(v))) for k, v in f.items())) for f in _filters(r.wheres)
    )
    return _Group(r.resolved.served_name, c.type, c.read, combine, filters)


class PrometheusCollector:
    """Answers a :class:`MetricsRequest` with PromQL against ``url``: each target pod's
    :class:`PodFigures` (or why there are none), in a constant number of requests."""

    def __init__(
        self,
        url: str,
        timeout: float = DEFAULT_TIMEOUT,
        pod_label: str = "pod",
        namespace_label: str = "namespace",
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = _validate_url(url)
        for what, label in (
            ("the pod label", pod_label),
            ("the namespace label", namespace_label),
        ):
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", label):
                raise InvalidInput(f"{what} {label!r} is not a Prometheus label name.")
        if not timeout > 0:
            raise InvalidInput(f"the Prometheus timeout must be positive, not {timeout:g}s.")
        self.timeout = timeout
        self._labels = _Labels(pod_label, namespace_label)
        self._own = http is None
        self._http = http or httpx.Client(timeout=timeout, trust_env=False)
        self._clock = clock
        self.requests = 0  # queries sent by this collector (for tests and the bench)

    @property
    def shown(self) -> str:
        """The URL as shown to users: any ``user:password@`` is masked."""
        parts = urlsplit(self.url)
        if "@" not in parts.netloc:
            return self.url
        host = parts.netloc.rsplit("@", 1)[1]
        return parts._replace(netloc=f"***@{host}").geturl()

    @property
    def via(self) -> str:
        return f"Prometheus at {self.shown}"

    def close(self) -> None:
        if self._own:
            self._http.close()

    # --- HTTP -------------------------------------------------------------------------------

    def query(self, promql: str, at: float) -> list[dict[str, Any]]:
        """One instant query; the ``result`` of a vector answer. Raises GroveError, never
        httpx's exceptions."""
        endpoint = f"{self.url}/api/v1/query"
        shown = self.shown
        self.requests += 1
        form = {"query": promql, "time": f"{at:.3f}", "timeout": f"{self.timeout:g}s"}
        try:
            with self._http.stream(
                "POST", endpoint, data=form, headers={"Accept": "application/json"}
            ) as response:
                content = bytearray()
                for chunk in response.iter_bytes():
                    content += chunk
                    if len(content) > MAX_BYTES:
                        raise MetricsError(
                            f"Prometheus at {shown} answered more than {MAX_BYTES} bytes to: "
                            f"{promql}"
                        )
        except httpx.TimeoutException:
            raise ClusterUnreachable(
                f"Prometheus at {shown} did not answer within {self.timeout:g}s: raise the "
                "Prometheus timeout or shorten the window."
            ) from None
        except httpx.HTTPError as err:
            raise ClusterUnreachable(
                f"cannot reach Prometheus at {shown}: {type(err).__name__}: {err}. "
                "Check --prometheus-url (scheme, host, port, path prefix)."
            ) from None
        text = content.decode("utf-8", errors="replace")
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise MetricsError(
                f"Prometheus at {shown} answered HTTP {response.status_code} without its JSON "
                f"API ({text[:120]!r}): is --prometheus-url the server's base URL?"
            )
        if body.get("status") != "success":
            raise MetricsError(
                f"Prometheus at {shown} refused a query (HTTP {response.status_code}, "
                f"{body.get('errorType', 'error')}): {body.get('error', 'no reason given')}. "
                f"The query was: {promql}"
            )
        data = body.get("data") or {}
        result = data.get("result")
        if data.get("resultType") != "vector" or not isinstance(result, list):
            raise MetricsError(
                f"Prometheus at {shown} answered a {data.get('resultType')!r}, not a vector, "
                f"to: {promql}"
            )
        return result

    # --- the window ---------------------------------------------------------------------------

    def collect(self, request: MetricsRequest) -> Collected:
        at = self._clock()
        w = max(1, round(request.window))
        stop = request.cancel or threading.Event()
        by_ns: dict[str, list[str]] = defaultdict(list)
        hints = {}
        for t in request.targets:
            by_ns[t.namespace or request.namespace].append(t.pod)
            hints[t.pod] = t.hint
        answers: dict[str, Answer] = {}
        steps = max(1, len(by_ns))
        for i, (ns, pods) in enumerate(sorted(by_ns.items())):
            if stop.is_set():
                answers.update({p: PodFigures(p, 0.0, error="cancelled") for p in pods})
                continue
            if request.on_progress:
                request.on_progress(i / steps, f"asking {self.via} about {len(pods)} pods in {ns}")
            answers.update(self._namespace(ns, sorted(set(pods)), hints, request, w, at, stop))
        if request.on_progress:
            request.on_progress(1.0, f"{self.requests} queries to {self.via}")
        window = float(w) if not request.since_start else request.window
        return Collected(answers, self.via, window, request.since_start)

    def _namespace(
        self,
        ns: str,
        pods: list[str],
        hints: Mapping[str, Any],
        request: MetricsRequest,
        w: int,
        at: float,
        stop: threading.Event,
    ) -> dict[str, PodFigures]:
        lab = self._labels
        everything = lab.selector(None, ns, pods)
        served: dict[str, set[str]] = defaultdict(set)
        for row in self.query(f"group by (__name__, {lab.pod}) ({everything})", at):
            m = row.get("metric", {})
            if m.get(lab.pod) in pods and m.get("__name__"):
                served[m[lab.pod]].add(m["__name__"])
        out: dict[str, PodFigures] = {}
        for pod in pods:
            if not served.get(pod):
                out[pod] = PodFigures(
                    pod,
                    0.0,
                    error=(
                        f"Prometheus has no series for pod {pod} in namespace {ns}: is it "
                        f"scraped? (its job must attach {lab.namespace}/{lab.pod} labels)"
                    ),
                )
        present = [p for p in pods if served.get(p)]
        if not present:
            return out
        # which families of which pods carry SGLang's tp_rank (scheduler gauges do; its
        # tokenizer-side histograms and counters do not, and must not be filtered by it)
        ranked: dict[str, dict[str, set[str]]] = defaultdict(dict)
        if any(any(n.startswith(("sglang:", "sglang_")) for n in served[p]) for p in present):
            sel = lab.selector(None, ns, present, tp_rank='!=""')
            for row in self.query(f"group by (__name__, {lab.pod}) ({sel})", at):
                m = row.get("metric", {})
                if m.get("__name__"):
                    ranked[m.get(lab.pod, "")][m["__name__"]] = {"tp_rank"}
        plans: dict[str, tuple[Any, dict[Quantity, Read1]]] = {}
        groups: dict[_Group, list[str]] = defaultdict(list)
        for pod in present:
            detection, reads = reads_for(served[pod], hints.get(pod), ranked.get(pod, {}))
            plans[pod] = (detection, reads)
            for r in reads.values():
                groups[_group_of(r)].append(pod)
        lifetime: dict[str, float] = {}
        if request.since_start:
            sel = lab.selector("process_start_time_seconds", ns, present)
            for row in self.query(f"time() - max by ({lab.pod}) ({sel})", at):
                value = _value(row)
                if value is not None and value > 0:
                    lifetime[row["metric"].get(lab.pod, "")] = value
        results: dict[_Group, dict[str, Any]] = {}
        for group, members in groups.items():
            if stop.is_set():
                break
            results[group] = self._read(group, ns, members, w, at, request.since_start)
        if stop.is_set():
            return {**out, **{p: PodFigures(p, 0.0, error="cancelled") for p in present}}
        for pod in present:
            detection, reads = plans[pod]
            seconds = lifetime.get(pod, 0.0) if request.since_start else float(w)
            figures: dict[Quantity, Figure] = {}
            notes: list[str] = []
            for q, r in reads.items():
                got = results.get(_group_of(r), {}).get(pod)
                fig = _figure(r, got, seconds)
                if fig is None:
                    continue
                figures[q] = fig
                if fig.fallback:
                    notes.append(f"{q.value} from {fig.metric} (an older name or a weaker source)")
                if (fig.counter and fig.counter.resets) or (
                    fig.histogram and fig.histogram.partial
                ):
                    notes.append(
                        f"{fig.metric} restarted inside the window: Prometheus' increase() "
                        "counts across the reset"
                    )
            if not reads and detection.engine is not Engine.unknown:
                notes.append(f"serves none of {detection.engine.value}'s metrics we read")
            if request.since_start and pod not in lifetime:
                notes.append("no process_start_time_seconds in Prometheus: lifetime rates unknown")
            out[pod] = PodFigures(
                pod, seconds, detection, MappingProxyType(figures), None, tuple(notes)
            )
        return out

    def _read(
        self, g: _Group, ns: str, pods: Sequence[str], w: int, at: float, since_start: bool
    ) -> dict[str, Any]:
        """One query for one read of every pod in ``pods``: per pod, its statistics."""
        lab = self._labels
        by = lab.pod

        def union(suffix: str, fn: Callable[[str], str]) -> str:
            sels = [lab.selector(g.name + suffix, ns, pods, **_matchers(f)) for f in g.filters]
            return " or ".join(fn(s) for s in sels)

        def window(s: str) -> str:
            return s if since_start else f"increase({s}[{w}s])"

        def resets(s: str) -> str:
            return f"resets({s}[{w}s])"

        if g.type is MetricType.counter:
            inner = union("", window)
            parts = {"delta": f"sum by ({by}) ({inner})", "series": f"count by ({by}) ({inner})"}
            if not since_start:
                parts["resets"] = f"sum by ({by}) ({union('', resets)})"
            expr = _tagged(parts)
        elif g.type is MetricType.histogram:
            parts = {
                "bucket": f"sum by ({by}, le) ({union('_bucket', window)})",
                "sum": f"sum by ({by}) ({union('_sum', window)})",
                "count": f"sum by ({by}) ({union('_count', window)})",
            }
            if not since_start:
                parts["resets"] = f"sum by ({by}) ({union('_count', resets)})"
            expr = _tagged(parts)
        else:
            how = "avg" if g.combine == "mean" else g.combine
            per_eval = f"{how} by ({by}) ({union('', lambda s: s)})"
            if since_start:
                expr = _tagged(
                    {"avg": per_eval, "max": per_eval, "samples": f"count by ({by}) ({per_eval})"}
                )
            else:
                step = max(1, w // _GAUGE_POINTS)
                sub = f"({per_eval})[{w}s:{step}s]"
                expr = _tagged(
                    {
                        "avg": f"avg_over_time({sub})",
                        "max": f"max_over_time({sub})",
                        "samples": f"count_over_time({sub})",
                    }
                )
        per_pod: dict[str, dict[str, Any]] = defaultdict(lambda: {"buckets": {}})
        for row in self.query(expr, at):
            m = row.get("metric", {})
            value = _value(row)
            pod, stat = m.get(by), m.get(_STAT)
            if pod is None or stat is None or value is None:
                continue
            if stat == "bucket":
                try:
                    per_pod[pod]["buckets"][float(m.get("le", "nan"))] = value
                except ValueError:
                    continue
            else:
                per_pod[pod][stat] = value
        return dict(per_pod)


def _value(row: Mapping[str, Any]) -> float | None:
    try:
        v = float(row["value"][1])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _figure(r: Read1, got: Mapping[str, Any] | None, seconds: float) -> Figure | None:
    if not got:
        return None
    c = r.candidate
    name = r.resolved.served_name
    counter = histogram = gauge = None
    if c.type is MetricType.counter and "delta" in got:
        series, resets = int(got.get("series", 0)), int(got.get("resets", 0))
        counter = CounterDelta(name, got["delta"], seconds, series, resets, 0)
    elif c.type is MetricType.histogram:
        raw = {b: v for b, v in got["buckets"].items() if not math.isnan(b)}
        if not raw or not any(math.isinf(b) and b > 0 for b in raw):
            return None  # no +Inf bucket: not a usable histogram (B.3 step 4)
        buckets: list[tuple[float, float]] = []
        top = 0.0
        for b in sorted(raw):  # cumulative and monotonic, as histogram_quantile makes them
            top = max(top, raw[b])
            buckets.append((b, top))
        count = got.get("count", buckets[-1][1])
        partial = got.get("resets", 0) > 0
        histogram = HistogramDelta(
            name, tuple(buckets), count, got.get("sum", 0.0), seconds, partial
        )
    elif c.type is MetricType.gauge and "avg" in got:
        gauge = GaugeStats(name, got["avg"], got.get("max", got["avg"]), int(got.get("samples", 0)))
    if counter is None and histogram is None and gauge is None:
        return None
    return Figure(r.quantity, name, c.read, r.resolved.fallback, counter, histogram, gauge)


def _validate_url(url: str) -> str:
    raw = (url or "").strip()
    url = re.sub(r"//[^/@]*@", "//***@", raw)  # shown in errors: never a password
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as err:
        raise InvalidInput(f"--prometheus-url {url!r} is not a URL: {err}.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            f"--prometheus-url {url!r} is not an http(s) URL with a host; give the server's "
            "base URL, e.g. http://prometheus.monitoring:9090 (or …/prometheus behind a prefix)."
        )
    if parts.query or parts.fragment:
        raise InvalidInput(
            f"--prometheus-url {url!r}: give the base URL, without ?query or #fragment."
        )
    return raw.rstrip("/")


__all__ = ["DEFAULT_TIMEOUT", "PrometheusCollector"]
