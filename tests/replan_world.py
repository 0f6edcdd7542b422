"""A world for ``replan`` on loopback: the 'healthy' scenario (SGLang, 2 x (2P tp4 + 2D tp2))
with a stored plan, whose prefill and decode pods point at real exporters serving SGLang's
names (tests/unit/metrics/metrics_exporters.py) over HTTP on 127.0.0.1. Requests are recorded
between the window's first and last scrape. Everything a test expects is computed here from
the requests recorded (and the buckets the exporters serve), never from the report.

The source hides the bundle (``open_collector`` then scrapes the pods' IPs, as inside a
cluster), so ``core.run("replan", …)`` reads a real window. :class:`CountedRunners` counts
the demo's recorded AIConfigurator answers for the front-end tests of ``replan``."""

from __future__ import annotations

import copy
import json
import random
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

import grove_mcp.demo
from grove_mcp.aic import AicProgress, AicRun, EstimateRequest, EstimateRun, PlanRequest
from grove_mcp.replan import ReplanArgs
from grove_mcp.sources import Bundle
from grove_mcp.sources.bundle import BundleSource
from tests.unit.metrics.metrics_exporters import (
    SGLANG_ITL_BUCKETS,
    SGLANG_TOKEN_BUCKETS,
    SGLANG_TTFT_BUCKETS,
    FakeTrafficPod,
    Served,
    interpolated,
    itl_observations,
)
from tests.unit.plan_helpers import demo_plan, edited

PCS = "my-inference"
Obj = dict[str, Any]
#: AIConfigurator's answers to the drifted re-plan (tests/aic/test_replan_real.py records them
#: with GROVE_RECORD_REPLAN=1), replayed by the live e2e test.
RECORDING = Path(__file__).parent / "unit" / "aic" / "fixtures" / "replan_drifted.json"


def plan_with(**inputs: int) -> Obj:
    """The demo's plan (Qwen3-32B, h200_sxm, sglang, 2 x (2P tp4 + 2D tp2), TTFT 300 ms /
    TPOT 10 ms) with other ``inputs`` (isl, osl)."""
    plan = demo_plan()
    plan["inputs"] = {**plan["inputs"], **inputs}
    return plan


@dataclass(frozen=True)
class Traffic:
    """What the deployment serves: lengths around ``isl``/``osl`` (log-normal, mean ``isl``),
    TTFT around ``ttft_s``, ITL around ``itl_s``; ``running`` requests per decode worker."""

    isl: int
    osl: int
    ttft_s: float
    itl_s: float
    per_pod: int = 40
    running: int = 24
    sigma: float = 0.2
    seed: int = 18


@dataclass
class Recorded:
    """The requests each pod recorded, and the figures expected from them."""

    prefill: dict[str, list[Served]] = field(default_factory=dict)
    decode: dict[str, list[Served]] = field(default_factory=dict)

    def _all(self, pods: dict[str, list[Served]]) -> list[Served]:
        return [s for p in sorted(pods) for s in pods[p]]

    @property
    def isl(self) -> list[int]:  # from the prefill engines
        return [s.prompt_tokens for s in self._all(self.prefill)]

    @property
    def osl(self) -> list[int]:  # from the decode engines
        return [s.output_tokens for s in self._all(self.decode)]

    def isl_mean(self) -> float:
        return sum(self.isl) / len(self.isl)

    def osl_mean(self) -> float:
        return sum(self.osl) / len(self.osl)

    def isl_q(self, q: float) -> float:
        return interpolated(self.isl, q, SGLANG_TOKEN_BUCKETS)

    def ttft_ms(self) -> tuple[float, float]:
        """TTFT mean (exact) and p99 (interpolated in SGLang's buckets), ms: prefill's."""
        ttft = [s.ttft for s in self._all(self.prefill) if s.ttft is not None]
        return 1000 * sum(ttft) / len(ttft), 1000 * interpolated(ttft, 0.99, SGLANG_TTFT_BUCKETS)

    def itl_ms(self) -> tuple[float, float]:
        """ITL mean and p99, ms: decode's, one observation per output token after the first."""
        obs = [s.itl for s in self._all(self.decode) for _ in range(itl_observations(s))]
        values = [v for v in obs if v is not None]
        return 1000 * sum(values) / len(values), 1000 * interpolated(
            values, 0.99, SGLANG_ITL_BUCKETS
        )


class LoopbackSource:
    """A bundle's objects without the bundle: the collector scrapes the pods' IPs."""

    def __init__(self, bundle: Bundle) -> None:
        self._inner = BundleSource(bundle, "loopback")

    def __getattr__(self, name: str) -> Any:
        if name == "bundle":
            raise AttributeError(name)
        return getattr(self._inner, name)


def loopback_objects(
    objects: Sequence[Obj], stack: ExitStack, engine: str = "sglang"
) -> tuple[list[Obj], dict[str, FakeTrafficPod]]:
    """``objects`` with every running prefill/decode pod pointed at its own exporter."""
    pods: dict[str, FakeTrafficPod] = {}
    out = []
    for obj in objects:
        name = obj["metadata"]["name"]
        role = next((r for r in ("prefill", "decode") if f"-{r}-" in name), None)
        if obj["kind"] == "Pod" and role and obj["status"].get("phase") == "Running":
            obj = copy.deepcopy(obj)
            pod = FakeTrafficPod(engine)
            url = stack.enter_context(pod.serve())
            obj["status"]["podIP"] = "127.0.0.1"
            port = url.split(":")[2].split("/")[0]
            obj["metadata"].setdefault("annotations", {})["prometheus.io/port"] = port
            pods[name] = pod
        out.append(obj)
    return out, pods


def requests_for(t: Traffic, seed: int) -> list[Served]:
    """``t.per_pod`` requests: lengths log-normal with mean isl / osl, latencies ±20 %."""
    rng = random.Random(seed)
    mu = -(t.sigma**2) / 2  # E[exp(N(mu, sigma))] = 1
    out = []
    for _ in range(t.per_pod):
        out.append(
            Served(
                prompt_tokens=max(1, round(t.isl * rng.lognormvariate(mu, t.sigma))),
                output_tokens=max(2, round(t.osl * rng.lognormvariate(mu, t.sigma))),
                ttft=t.ttft_s * rng.uniform(0.8, 1.2),
                itl=t.itl_s * rng.uniform(0.8, 1.2),
            )
        )
    return out


class ReplanWorld:
    """The 'healthy' scenario with ``plan`` stored, its engine pods on loopback exporters."""

    def __init__(self, stack: ExitStack, plan: Obj, change: Callable[[Obj], None] | None = None):
        bundle = edited("healthy", change, plan=plan)
        objects, self.pods = loopback_objects(bundle.objects, stack)
        self.bundle = replace(bundle, objects=tuple(objects))
        self.source = LoopbackSource(self.bundle)
        self.window_end: float | None = None

    def of(self, role: str) -> list[str]:
        return sorted(p for p in self.pods if f"-{role}-" in p)

    def plan_load(self, t: Traffic) -> Recorded:
        """Each request goes through one prefill pod (which generates 1 token) and one decode
        pod; prefill sees its TTFT, decode its ITL."""
        rec = Recorded()
        for i, (pre, dec) in enumerate(zip(self.of("prefill"), self.of("decode"), strict=True)):
            reqs = requests_for(t, t.seed * 100 + i)
            rec.prefill[pre] = [replace(s, output_tokens=1, itl=None) for s in reqs]
            rec.decode[dec] = [replace(s, ttft=None) for s in reqs]
        return rec

    def args(self, rec: Recorded, t: Traffic, **kw: Any) -> ReplanArgs:
        """A two-scrape window of one second; ``rec`` is recorded after the first scrape."""
        for pod in self.of("decode"):
            self.pods[pod].set_gauges(running=t.running)
        started: dict[str, float] = {}

        def on_progress(fraction: float, _line: str) -> None:
            now = time.monotonic()
            if fraction < 1 and not started:
                started["at"] = now
                for pod, reqs in {**rec.prefill, **rec.decode}.items():
                    self.pods[pod].record(reqs)
            if fraction >= 1:
                self.window_end = now

        return ReplanArgs(window=1.0, scrapes=2, timeout=5.0, on_progress=on_progress, **kw)


@dataclass
class Captured:
    """Runners wrapped: every request and answer, and the time spent in them."""

    runner: Callable[..., Any]
    requests: list[Any] = field(default_factory=list)
    answers: list[Any] = field(default_factory=list)
    seconds: float = 0.0

    def __call__(self, request: Any, **kw: Any) -> Any:
        self.requests.append(request)
        began = time.monotonic()
        try:
            answer = self.runner(request, **kw)
        finally:
            self.seconds += time.monotonic() - began
        self.answers.append(answer)
        return answer


def search_requests(c: Captured) -> list[PlanRequest]:
    return [r for r in c.requests if isinstance(r, PlanRequest)]


def estimate_requests(c: Captured) -> list[EstimateRequest]:
    return [r for r in c.requests if isinstance(r, EstimateRequest)]


def estimate_answers(c: Captured) -> list[EstimateRun]:
    return [a for a in c.answers if isinstance(a, EstimateRun)]


def search_answers(c: Captured) -> list[AicRun]:
    return [a for a in c.answers if isinstance(a, AicRun)]


def factor(measured: float, predicted: float) -> float:
    """measured / predicted, as the calibration rounds it (3 places)."""
    return round(measured / predicted, 3)


#: The drifted scenario: the plan assumed ISL 1,000 / OSL 500; the deployment serves ISL about
#: 4,000 (x4) and OSL as planned; TTFT around 450 ms misses the 300 ms target.
PLAN_ISL, PLAN_OSL = 1000, 500
DRIFTED = Traffic(isl=4 * PLAN_ISL, osl=PLAN_OSL, ttft_s=0.45, itl_s=0.009)


def drifted_plan() -> Obj:
    return plan_with(isl=PLAN_ISL, osl=PLAN_OSL)


def write_recording(search: Captured, estimate: Captured, path: Path = RECORDING) -> None:
    """The runs the runners answered, in order, for :class:`Replayed`."""
    data = {
        "search": [a.model_dump(mode="json") for a in search_answers(search)],
        "estimates": [a.model_dump(mode="json") for a in estimate_answers(estimate)],
    }
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


class Replayed:
    """Runners answering from a recording, and only the requests it holds: any other request
    fails the test with both (a changed world or request needs a re-recording)."""

    def __init__(self, path: Path = RECORDING) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self.searches = [AicRun.model_validate(a) for a in data["search"]]
        self.estimates = [EstimateRun.model_validate(a) for a in data["estimates"]]
        self.calls = 0

    def _answer(self, request: Any, runs: Sequence[Any]) -> Any:
        self.calls += 1
        for run in runs:
            if run.request == request:
                return run
        held = "\n".join(r.request.model_dump_json() for r in runs)
        raise AssertionError(
            f"no recorded answer for {request.model_dump_json()}\nrecorded:\n{held}\n"
            "re-record: GROVE_RECORD_REPLAN=1 pytest tests/aic/test_replan_real.py"
        )

    def run(self, request: PlanRequest, **_: Any) -> AicRun:
        return self._answer(request, self.searches)  # type: ignore[no-any-return]

    def estimate(self, request: EstimateRequest, **_: Any) -> EstimateRun:
        return self._answer(request, self.estimates)  # type: ignore[no-any-return]


class CountedRunners:
    """The demo's recorded runners, keeping every request they get and counting the calls
    each gets; with ``steps``, each reports progress at those fractions as the real runners do
    (the recorded answers report none of their own)."""

    def __init__(self, steps: Sequence[float] = ()) -> None:
        self.requests: list[Any] = []
        self.calls: dict[str, int] = {"run": 0, "estimate": 0}
        self.steps = steps
        self.recorded = grove_mcp.demo.recorded_aiconfigurator

    def __call__(self) -> dict[str, Any]:
        runners = self.recorded()

        def counting(key: str) -> Any:
            def call(request: Any, **kw: Any) -> Any:
                self.requests.append(request)
                self.calls[key] += 1
                for f in self.steps:
                    kw["on_progress"](
                        AicProgress(phase="estimating", message=key, elapsed_s=0.0, fraction=f)
                    )
                return runners[key](request, **kw)

            return call

        return {key: counting(key) for key in runners}


def counted_demo_runners(
    monkeypatch: pytest.MonkeyPatch, steps: Sequence[float] = ()
) -> CountedRunners:
    """The demo's runners (what --demo and the demo server use) counted, for one test."""
    counted = CountedRunners(steps)
    monkeypatch.setattr(grove_mcp.demo, "recorded_aiconfigurator", counted)
    return counted
