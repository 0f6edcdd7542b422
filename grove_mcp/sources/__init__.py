"""Sources: the only code that does I/O. A live cluster, a bundle (directory or .tar.gz), the demo."""

from __future__ import annotations

from pathlib import Path

from .base import ListQuery, ListResult, Source, WatchEvent
from .bundle import Bundle, BundleSource, Manifest


def demo_bundle_path() -> Path:
    """The embedded demo bundle shipped inside the package."""
    return Path(__file__).resolve().parent.parent / "demo" / "bundle"  # package data, on disk


DEMO_LABEL = "embedded demo"


def demo_source() -> BundleSource:
    return BundleSource(Bundle.load(demo_bundle_path()), label=DEMO_LABEL)


def is_demo(source: object) -> bool:
    """Whether ``source`` is the embedded demo (its recorded answers stand in for live ones)."""
    return isinstance(source, BundleSource) and source.description.startswith(DEMO_LABEL)


def open_source(
    *,
    demo: bool = False,
    bundle: str | None = None,
    kubeconfig: str | None = None,
    context: str | None = None,
    timeout: float | None = None,
    namespace: str | None = None,
    operator_namespace: str | None = None,
    agent: str | None = None,
) -> Source:
    """The source a front end asked for: ``--demo``, ``--bundle PATH`` or a live cluster
    (``namespace``: its default namespace instead of the kubeconfig context's; a bundle keeps
    its own; ``operator_namespace``: where Grove's operator runs, on a cluster; ``agent``: the
    front end, named in a cluster's audit log, see ``sources.kube.user_agent``)."""
    from ..errors import InvalidInput

    if demo and bundle:
        raise InvalidInput("Pass either --demo or --bundle, not both.")
    if demo:
        return demo_source()
    if bundle:
        return BundleSource.open(bundle)
    from .kube import LIBRARY_AGENT
    from .live import LiveSource

    return LiveSource.connect(
        kubeconfig,
        context,
        timeout,
        namespace=namespace,
        operator_namespace=operator_namespace,
        agent=agent or LIBRARY_AGENT,
    )


__all__ = [
    "Bundle",
    "BundleSource",
    "ListQuery",
    "ListResult",
    "Manifest",
    "Source",
    "WatchEvent",
    "demo_bundle_path",
    "demo_source",
    "open_source",
]
