"""Rewrite the embedded demo bundle (grove_mcp/demo/bundle) from the demo scenario.

The bundle is data shipped in the package; tests/unit/test_demo_bundle.py fails when it and
the scenario drift apart. Run after changing grove_mcp/scenarios: ``make demo-bundle``.
The objects are written as JSON: every ``--demo`` start reads them, and JSON needs no YAML
parser (imported and run, YAML cost the demo's start about 0.03 s).
"""

from __future__ import annotations

import shutil

from grove_mcp.scenarios import demo
from grove_mcp.sources import demo_bundle_path


def main() -> None:
    path = demo_bundle_path()
    shutil.rmtree(path / "objects", ignore_errors=True)
    bundle = demo()
    bundle.write(path, objects_as="json")
    print(f"wrote {len(bundle.objects)} objects to {path}")


if __name__ == "__main__":
    main()
