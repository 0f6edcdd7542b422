"""The scheduler(s) the workload's pods name (``spec.schedulerName``): their pods and the
version their image tags carry. The default scheduler is found by the ``component=
kube-scheduler`` label of kubeadm-style control planes (managed clusters hide it); KAI's by its
chart's ``app=scheduler`` label and an image under ``kai-scheduler``. KAI's Queues are read with
the other objects."""

from __future__ import annotations

import json

from ...errors import GroveError
from ...grove.kinds import POD
from ...sources.base import ListQuery, RawObject
from ...sources.live import LiveSource
from ..base import CaptureRequest, Found
from .logs import workload_pods

DEFAULT = "default-scheduler"
KAI = "kai-scheduler"
WHERE = {
    DEFAULT: (ListQuery(POD, "kube-system", "component=kube-scheduler", optional=True), ""),
    KAI: (ListQuery(POD, None, "app=scheduler", optional=True), KAI),
}


def _version(pod: RawObject) -> str:
    images = [str(c.get("image", "")) for c in (pod.get("spec") or {}).get("containers") or []]
    tags = [image.rpartition(":")[2] for image in images if ":" in image.rpartition("/")[2]]
    return tags[0] if tags else "not in the image tag"


class Scheduler:
    name = "scheduler"
    help = "the scheduler(s) the workload's pods use: their pods and version (KAI or default)"

    def collect(
        self, source: LiveSource, request: CaptureRequest, so_far: list[RawObject]
    ) -> Found:
        found = Found()
        names = sorted(
            {
                (p.get("spec") or {}).get("schedulerName") or DEFAULT
                for p in workload_pods(so_far, request)
            }
        ) or [DEFAULT]
        versions: dict[str, list[str]] = {}
        for name in names:
            if name not in WHERE:
                found.notes.append(f"scheduler {name}: grove-mcp does not know where it runs")
                continue
            query, image_mark = WHERE[name]
            try:
                (result,) = source.list_many([query])
            except GroveError as err:
                found.notes.append(f"scheduler {name}: {err}")
                continue
            if not result.available:
                found.notes.append(f"scheduler {name}: {result.note}")
                continue
            pods = [
                p for p in result.items
                if not image_mark or any(image_mark in str(c.get("image", "")) for c in p["spec"].get("containers") or [])
            ]  # fmt: skip
            if not pods:
                found.notes.append(
                    f"scheduler {name}: no pods found ({query.describe()}); a managed control "
                    "plane does not show its scheduler"
                )
            found.objects += pods
            versions[name] = sorted({_version(p) for p in pods})
        found.files["scheduler/versions.json"] = json.dumps(versions, indent=2) + "\n"
        return found
