"""The Grove operator: its Deployment (the version is its image's tag) and its pods' last log
lines, found by the chart's label in whatever namespace it runs."""

from __future__ import annotations

from ...errors import GroveError
from ...grove.kinds import POD
from ...snapshot import GROVE_OPERATOR
from ...sources.base import ListQuery, RawObject
from ...sources.live import LiveSource
from ..base import CaptureRequest, Found
from .logs import container_logs, summarise


class Operator:
    name = "grove-operator"
    help = "the Grove operator's Deployment, version and log (last 2000 lines)"

    def collect(
        self, source: LiveSource, request: CaptureRequest, so_far: list[RawObject]
    ) -> Found:
        found, skipped = Found(), list[str]()
        deployments = [
            o for o in so_far
            if o.get("kind") == "Deployment"
            and (o["metadata"].get("labels") or {}).get("app.kubernetes.io/name") == "grove-operator"
        ]  # fmt: skip
        if not deployments:
            found.failed = (
                "no Grove operator Deployment was found or readable (label " + GROVE_OPERATOR + ")"
            )
            return found
        for deployment in deployments:
            namespace = deployment["metadata"]["namespace"]
            labels = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
            selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
            try:
                (result,) = source.list_many([ListQuery(POD, namespace, selector or None)])
            except GroveError as err:
                skipped.append(f"operator pods in {namespace}: {err}")
                continue
            for pod in result.items:
                found.objects.append(pod)
                container_logs(source, pod, request.operator_log_lines, found, skipped)
        return summarise(found, skipped, "operator logs", len(found.objects))
