"""The Prometheus backend's HTTP edge cases and the PromQL it writes, with respx answering as a
Prometheus server would (the real server is in test_prometheus_backend.py)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from grove_mcp.errors import ClusterUnreachable, GroveError, InvalidInput, MetricsError
from grove_mcp.metrics.catalog import Quantity
from grove_mcp.metrics.discovery import Role, Target
from grove_mcp.metrics.figures import PodFigures
from grove_mcp.sources.metrics_collect import MetricsRequest
from grove_mcp.sources.prometheus import PrometheusCollector
from tools.prometheus_server import free_port

URL = "http://prometheus.test:9090"
NS = "ns"


def targets(*pods: str) -> tuple[Target, ...]:
    role = Role(None, None, None, None, None)
    return tuple(Target(p, NS, role, None, None, None, None, 1, True, None) for p in pods)


def vector(*rows: tuple[dict[str, str], float]) -> dict:
    return {
        "status": "success",
        "data": {
            "resultType": "vector",
            "result": [{"metric": m, "value": [1700000000.0, str(v)]} for m, v in rows],
        },
    }


@pytest.fixture
def prom() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=URL, assert_all_called=False) as router:
        yield router


def collect(*pods: str, window: float = 30.0, url: str = URL, **kw: object) -> dict:
    collector = PrometheusCollector(url, clock=lambda: 1700000000.0, **kw)  # type: ignore[arg-type]
    try:
        return dict(collector.collect(MetricsRequest(NS, targets(*pods), window=window)).answers)
    finally:
        collector.close()


def sent(request: httpx.Request) -> str:
    return parse_qs(request.content.decode())["query"][0]


@pytest.mark.parametrize(
    "url", ["prometheus:9090", "ftp://prom:9090", "http://", "http://prom:99999", "http://p/?q=1"]
)
def test_bad_urls_are_refused_before_any_request(url: str) -> None:
    with respx.mock(assert_all_called=False) as router:
        route = router.route()
        with pytest.raises(InvalidInput, match="--prometheus-url"):
            PrometheusCollector(url)
        assert not route.called


def test_an_error_answer_names_its_type_and_reason(prom: respx.MockRouter) -> None:
    body = {"status": "error", "errorType": "bad_data", "error": "parse error at char 7"}
    prom.post("/api/v1/query").mock(return_value=httpx.Response(400, json=body))
    with pytest.raises(MetricsError) as err:
        collect("p1")
    assert "bad_data" in str(err.value) and "parse error at char 7" in str(err.value)
    assert URL in str(err.value)


def test_a_timeout_names_the_url_and_the_bound(prom: respx.MockRouter) -> None:
    prom.post("/api/v1/query").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(ClusterUnreachable, match=r"did not answer within 2.5s") as err:
        collect("p1", timeout=2.5)
    assert URL in str(err.value)


def test_an_unreachable_server_is_a_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(ClusterUnreachable, match=re.escape(f"cannot reach Prometheus at {url}")):
        collect("p1", url=url)


def test_not_prometheus_is_said(prom: respx.MockRouter) -> None:
    prom.post("/api/v1/query").mock(return_value=httpx.Response(404, text="<html>nope</html>"))
    with pytest.raises(GroveError, match="without its JSON API"):
        collect("p1")


def test_a_pod_without_series_is_an_answer_not_an_error(prom: respx.MockRouter) -> None:
    prom.post("/api/v1/query").mock(return_value=httpx.Response(200, json=vector()))
    answers = collect("p1", "p2")
    assert sorted(answers) == ["p1", "p2"]
    for pod, fig in answers.items():
        assert isinstance(fig, PodFigures)
        assert fig.error == (
            f"Prometheus has no series for pod {pod} in namespace {NS}: is it scraped? "
            "(its job must attach namespace/pod labels)"
        )


SGLANG_NAMES = (
    "sglang:realtime_tokens_total",
    "sglang:time_to_first_token_seconds_bucket",
    "sglang:time_to_first_token_seconds_sum",
    "sglang:time_to_first_token_seconds_count",
    "sglang:num_running_reqs",
)


def test_sglang_reads_use_the_scrape_filters_for_every_pod_at_once(
    prom: respx.MockRouter,
) -> None:
    queries: list[str] = []
    pods = ("sg-0", "sg.1")  # a dot: the pod regex must escape it

    def answer(request: httpx.Request) -> httpx.Response:
        q = sent(request)
        queries.append(q)
        if q.startswith("group by (__name__, pod)") and 'tp_rank!=""' in q:
            # the scheduler's families carry tp_rank; the tokenizer's TTFT does not (A.2)
            ranked = [n for n in SGLANG_NAMES if "time_to_first_token" not in n]
            rows = [({"__name__": n, "pod": p}, 1) for p in pods for n in ranked]
            return httpx.Response(200, json=vector(*rows))
        if q.startswith("group by (__name__, pod)"):
            rows = [({"__name__": n, "pod": p}, 1) for p in pods for n in SGLANG_NAMES]
            return httpx.Response(200, json=vector(*rows))
        if "realtime_tokens_total" in q and 'mode=~"prefill_cache|prefill_compute"' in q:
            return httpx.Response(
                200,
                json=vector(
                    *[({"pod": p, "grove_stat": "delta"}, 600.0) for p in pods],
                    *[({"pod": p, "grove_stat": "series"}, 2) for p in pods],
                ),
            )
        if "time_to_first_token" in q:
            rows = [
                ({"pod": p, "le": le, "grove_stat": "bucket"}, v)
                for p in pods
                for le, v in (("0.1", 5), ("1.0", 9), ("+Inf", 10))
            ]
            rows += [({"pod": p, "grove_stat": "count"}, 10) for p in pods]
            rows += [({"pod": p, "grove_stat": "sum"}, 3.0) for p in pods]
            return httpx.Response(200, json=vector(*rows))
        return httpx.Response(200, json=vector())

    prom.post("/api/v1/query").mock(side_effect=answer)
    answers = collect(*pods)
    assert len(queries) <= 8  # names, tp_rank, one per distinct read (not per pod)
    every = [q for q in queries if "realtime_tokens_total" in q]
    assert every and all('tp_rank="0"' in q for q in every)
    ttft = [q for q in queries if "time_to_first_token" in q]
    assert ttft and not any("tp_rank" in q for q in ttft)  # it has no such label to match
    assert all('pod=~"sg-0|sg\\\\.1"' in q for q in queries)
    decode = [q for q in every if 'mode="decode"' in q]
    assert decode and "increase(" in decode[0] and "[30s]" in decode[0]
    for pod in pods:
        fig = answers[pod]
        assert isinstance(fig, PodFigures) and fig.error is None
        assert fig.engine.value == "sglang"
        inp = fig.get(Quantity.input_tokens)
        assert inp is not None and inp.per_second == pytest.approx(20.0)
        assert fig.get(Quantity.output_tokens) is None  # no data answered: not reported, not 0
        ttft = fig.get(Quantity.ttft)
        assert ttft is not None and ttft.histogram is not None
        p50 = ttft.histogram.quantile(0.5)
        assert p50 is not None and p50.value == pytest.approx(0.1)
        assert ttft.histogram.mean == pytest.approx(0.3)


def test_queries_are_valid_json_form_posts(prom: respx.MockRouter) -> None:
    route = prom.post("/api/v1/query").mock(return_value=httpx.Response(200, json=vector()))
    collect("p1")
    form = parse_qs(route.calls[0].request.content.decode())
    assert form["time"] == ["1700000000.000"]
    assert form["query"][0] == 'group by (__name__, pod) ({namespace="ns", pod=~"p1"})'
    json.dumps(form)  # plain strings only


def test_a_reset_inside_the_window_is_noted(prom: respx.MockRouter) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        q = sent(request)
        if q.startswith("group by"):
            return httpx.Response(
                200, json=vector(({"__name__": "vllm:generation_tokens_total", "pod": "p1"}, 1))
            )
        assert 'resets({__name__=~"vllm[:_]generation_tokens_total"' in q
        stats = {"delta": 300.0, "series": 1, "resets": 1}
        return httpx.Response(
            200, json=vector(*[({"pod": "p1", "grove_stat": k}, v) for k, v in stats.items()])
        )

    prom.post("/api/v1/query").mock(side_effect=answer)
    fig = collect("p1")["p1"]
    assert isinstance(fig, PodFigures)
    out = fig.get(Quantity.output_tokens)
    assert out is not None and out.counter is not None
    assert (out.counter.delta, out.counter.resets, out.per_second) == (300.0, 1, 10.0)
    assert any("restarted inside the window" in n for n in fig.notes)


def test_cancelled_before_asking_sends_nothing(prom: respx.MockRouter) -> None:
    route = prom.post("/api/v1/query")
    stop = threading.Event()
    stop.set()
    collector = PrometheusCollector(URL)
    got = collector.collect(MetricsRequest(NS, targets("p1", "p2"), cancel=stop))
    collector.close()
    assert not route.called
    assert {p: a.error for p, a in got.answers.items() if isinstance(a, PodFigures)} == {
        "p1": "cancelled",
        "p2": "cancelled",
    }


def test_credentials_in_the_url_are_used_but_never_shown(prom: respx.MockRouter) -> None:
    secret = "http://grove:s3cret@prometheus.test:9090"
    route = prom.post("/api/v1/query").mock(side_effect=httpx.ConnectError("refused"))
    collector = PrometheusCollector(secret)
    assert collector.via == "Prometheus at http://***@prometheus.test:9090"
    with pytest.raises(ClusterUnreachable) as err:
        collector.collect(MetricsRequest(NS, targets("p1")))
    collector.close()
    assert "s3cret" not in str(err.value) and "***@prometheus.test" in str(err.value)
    assert route.calls[0].request.headers["authorization"].startswith("Basic ")
    with pytest.raises(InvalidInput) as bad:
        PrometheusCollector("ftp://grove:s3cret@prometheus.test")
    assert "s3cret" not in str(bad.value)


def test_an_oversized_answer_is_refused(
    prom: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("grove_mcp.sources.prometheus.MAX_BYTES", 100)
    prom.post("/api/v1/query").mock(
        return_value=httpx.Response(200, json=vector(({"a": "b" * 200}, 1)))
    )
    with pytest.raises(MetricsError, match="answered more than 100 bytes"):
        collect("p1")
