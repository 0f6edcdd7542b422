"""grove_diag through a real MCP client against the real API server: the bundle lands in
--diag-dir and the answer says what it holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client

from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.bundle import Bundle
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.seeder import seed

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_grove_diag_writes_the_bundle_and_answers_with_its_manifest(
    admin: KubeClient, admin_kubeconfig: str, namespace: str, tmp_path: Path
) -> None:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    config = ServerConfig(
        kubeconfig=admin_kubeconfig, allow_writes=True, diag_dir=str(tmp_path / "diag")
    )
    async with Client(build_server(config)) as client:
        result = await client.call_tool(
            "grove_diag", {"name": "my-inference", "namespace": namespace, "log_lines": 0}
        )
    answer = result.structured_content
    assert answer is not None and not result.is_error, result.content
    path = Path(answer["path"])
    assert path.parent == tmp_path / "diag" and path.name.endswith(".tar.gz")
    states = {c["name"]: c["state"] for c in answer["collectors"]}
    assert states["objects"] == "ok"
    bundle = Bundle.load(path)
    assert bundle.manifest.namespace == namespace and len(bundle.objects) == answer["objects"]
