"""``kubectl grove validate -f FILE``: PodCliqueSet manifests against Grove's admission rules.

Offline by default: the files are read here and checked by the table's ``validate``. The pack
domains are checked against ClusterTopologyBinding levels when a binding is known: from
``--topology-file``, or read from the cluster or capture named by ``--context`` /
``--kubeconfig`` / ``--bundle`` / ``--demo``. Exit 0 when every PodCliqueSet passes, 1 on
violations (or no PodCliqueSet at all), 2 for unreadable or malformed files.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .. import core
from ..errors import InvalidInput
from ..render import emit
from .options import Target, with_target
from .run import console, exit_by_verdict, handled_errors, source_for
from .run import validate as validate_target

if TYPE_CHECKING:  # the inputs are imported by the command that reads them, not at start
    from ..core import ManifestText
    from ..sources import Source

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")

Files = Annotated[
    list[str],
    typer.Option(
        "-f",
        "--filename",
        help="Manifest file (multi-document YAML or JSON), a directory of them, or '-' for "
        "stdin. Repeatable.",
        show_default=False,
    ),
]
TopologyFile = Annotated[
    Path | None,
    typer.Option(
        "--topology-file",
        help="ClusterTopologyBinding YAML/JSON (kubectl get clustertopologybindings -o yaml) "
        "to check pack domains against, instead of reading the cluster's.",
        show_default=False,
    ),
]


def read_input(name: str) -> list[ManifestText]:
    """The text of ``name``: a file, every manifest of a directory, or stdin for ``-``."""
    from ..core import ManifestText

    if name == "-":
        return [ManifestText("stdin", sys.stdin.read())]
    path = Path(name).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in MANIFEST_SUFFIXES)
        if not files:
            raise InvalidInput(f"{path} holds no .yaml, .yml or .json file.")
        return [m for p in files for m in read_input(str(p))]
    try:
        return [ManifestText(str(path), path.read_text(encoding="utf-8"))]
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text: not a manifest.") from None


def _source(target: Target, topology: ManifestText | None) -> Source | None:
    """The cluster or capture to read bindings from, when one was named; None: offline."""
    named = target.demo or target.bundle or target.context or target.kubeconfig
    if not named:
        return None
    if topology is not None:
        raise InvalidInput(
            "Pass --topology-file or a cluster (--context, --kubeconfig) or capture (--bundle, "
            "--demo) to read ClusterTopologyBindings from, not both."
        )
    validate_target(target, None)
    return source_for(target)


@with_target
def validate(target: Target, filename: Files, topology_file: TopologyFile = None) -> None:
    with handled_errors():
        manifests = tuple(m for name in filename for m in read_input(name))
        topology = None
        if topology_file is not None:
            if topology_file.is_dir():
                raise InvalidInput(f"--topology-file {topology_file} is a directory: name a file.")
            topology = read_input(str(topology_file))[0]
        source = _source(target, topology)
        report = core.run("validate", source, args=core.ValidateArgs(manifests, topology))
        emit(report, target.output, console())
    exit_by_verdict(report)
