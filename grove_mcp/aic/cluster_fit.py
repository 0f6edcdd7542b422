"""Render options fitted to the cluster the manifests are for. Pure: options and snapshot in.

Without a cluster (no snapshot): a pack domain needs ``--topology-name``, and KAI is used only
when ``--kai-queue`` is given. With one (a live cluster, a bundle or the demo):

- topology: ``--topology-name`` must name one of the cluster's ClusterTopologyBindings; without
  it, the only binding is taken, and with several the caller must choose. The pack domain must
  be one of the binding's levels (Grove skips a domain it does not know, so the constraint
  would silently do nothing).
- KAI: the cluster runs KAI Scheduler when it has KAI queues (``queues.scheduling.run.ai``
  objects: KAI schedules only pods of a queue, so a cluster using it has some; a bundle tells
  the same way). Then the pods get ``kai-scheduler`` and a queue: ``--kai-queue``, else
  Dynamo's default ``dynamo``; a queue the cluster does not have is named in a note (pods stay
  pending until it exists). Without queues, KAI is used only when ``--kai-queue`` is given.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import InvalidInput
from ..grove import ClusterTopologyBinding
from ..snapshot import Snapshot
from .render_options import KAI_DEFAULT_QUEUE, RenderOptions


@dataclass(frozen=True)
class FittedOptions:
    """The options to render with, and what was taken from the cluster (report notes)."""

    options: RenderOptions
    notes: list[str]


def fit_to_cluster(options: RenderOptions, snapshot: Snapshot | None) -> FittedOptions:
    """``options`` completed from the cluster in ``snapshot`` (None: none was given).
    Raises ``InvalidInput`` naming the flag when they cannot work there."""
    if snapshot is None:
        options.require_topology_name()
        return FittedOptions(options, [])
    notes = list(snapshot.notes)  # what could not be read there (RBAC), as every report says
    options = _fit_topology(options, snapshot, notes)
    options = _fit_kai(options, snapshot, notes)
    return FittedOptions(options, notes)


def _fit_topology(options: RenderOptions, snapshot: Snapshot, notes: list[str]) -> RenderOptions:
    if options.pack_domain is None:
        return options
    bindings = {b.name: b for b in snapshot.topologies}
    where = snapshot.source
    if not snapshot.topologies_available:
        if options.topology_name is not None:
            notes.append(
                f"Topology: the ClusterTopologyBindings of {where} could not be read, so "
                f"'{options.topology_name}' and its level '{options.pack_domain}' are unchecked."
            )
            return options
        raise InvalidInput(
            f"--pack-domain '{options.pack_domain}': the ClusterTopologyBindings of {where} "
            "could not be read (kubectl get clustertopologybindings). Name the binding with "
            "--topology-name (topology_name), or grant list on clustertopologybindings.grove.io."
        )
    if not bindings:
        raise InvalidInput(
            f"--pack-domain '{options.pack_domain}': {where} has no ClusterTopologyBinding, "
            "so Grove cannot place by topology. Create one (Grove's topology-aware scheduling) "
            "or drop --pack-domain."
        )
    names = ", ".join(sorted(bindings))
    if options.topology_name is None:
        if len(bindings) > 1:
            raise InvalidInput(
                f"--pack-domain '{options.pack_domain}': {where} has several "
                f"ClusterTopologyBindings ({names}); choose one with --topology-name."
            )
        binding = next(iter(bindings.values()))
        notes.append(
            f"Topology: the cluster's only ClusterTopologyBinding, '{binding.name}', names the "
            f"pack domain '{options.pack_domain}'."
        )
        options = replace(options, topology_name=binding.name)
    elif options.topology_name not in bindings:
        raise InvalidInput(
            f"--topology-name '{options.topology_name}': no such ClusterTopologyBinding in "
            f"{where}. It has: {names}."
        )
    _check_domain(options, bindings[str(options.topology_name)])
    return options


def _check_domain(options: RenderOptions, binding: ClusterTopologyBinding) -> None:
    levels = [level.domain for level in binding.levels]
    if options.pack_domain not in levels:
        raise InvalidInput(
            f"--pack-domain '{options.pack_domain}' is not a level of ClusterTopologyBinding "
            f"'{binding.name}'. Its levels, broadest first: {', '.join(levels) or 'none'}."
        )


def _fit_kai(options: RenderOptions, snapshot: Snapshot, notes: list[str]) -> RenderOptions:
    names = sorted(q.name for q in snapshot.kai_queues or ())
    if not names:  # KAI's Queue kind not served, not readable, or no queue: no KAI detected
        if options.kai_queue is not None:
            notes.append(
                f"--kai-queue {options.kai_queue}: {snapshot.source} shows no KAI queue (KAI "
                "Scheduler not installed, or its queues not readable): pods for kai-scheduler "
                "stay Pending where KAI does not run."
            )
        return options
    if options.kai_queue is None:
        options = replace(options, kai_queue=KAI_DEFAULT_QUEUE)
        notes.append(
            f"KAI Scheduler: the cluster has KAI queues ({', '.join(names)}), so the pods use "
            f"schedulerName kai-scheduler and Dynamo's default queue '{KAI_DEFAULT_QUEUE}' "
            "(--kai-queue chooses another)."
        )
    if options.kai_queue not in names:
        notes.append(
            f"KAI queue '{options.kai_queue}' does not exist in the cluster: the pods stay "
            f"pending until it does (create it, or pass --kai-queue). Its queues: "
            f"{', '.join(names)}."
        )
    return options
