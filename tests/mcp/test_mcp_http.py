"""The server over streamable HTTP, as a subprocess on loopback: the SDK's client, raw
handshake-era clients, bearer token, size limit, rate limit, DNS-rebinding protection."""

from __future__ import annotations

import json

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_helpers import READ_TOOLS, check_answer, http_server

from grove_mcp import core
from grove_mcp.errors import InvalidInput
from grove_mcp.mcp_server.http import HttpSettings, transport_security
from grove_mcp.mcp_server.main import main
from grove_mcp.sources import demo_source

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
CORE = {"grove_status": "status", "grove_health": "health", "grove_topology": "topology"}


@pytest.fixture(scope="module")
def server_url():
    with http_server("--demo", "--max-request-bytes", "65536", token=TOKEN) as base:
        yield base


def rpc(method: str, id_: int | None, params: dict | None = None) -> dict:
    message: dict = {"jsonrpc": "2.0", "method": method}
    if id_ is not None:
        message["id"] = id_
    if params is not None:
        message["params"] = params
    return message


def answer_of(response: httpx.Response) -> dict:
    """The JSON-RPC answer from a JSON or an SSE response."""
    if response.headers["content-type"].startswith("application/json"):
        return response.json()
    data = [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:")]
    return json.loads(next(d for d in data if d))


@pytest.mark.anyio
async def test_sdk_client_over_http_calls_every_tool(server_url):
    http_client = httpx2.AsyncClient(headers=AUTH, timeout=30)
    async with (
        http_client,
        Client(streamable_http_client(f"{server_url}/mcp", http_client=http_client)) as client,
    ):
        tools = {t.name: t for t in (await client.list_tools()).tools}
        for name, capability in CORE.items():
            result = await client.call_tool(name, {"name": "my-inference"})
            expected = core.run(capability, demo_source(), None, "my-inference").model_dump_json()
            assert check_answer(tools[name], result) == json.loads(expected)
        listing = await client.call_tool("grove_list", {})
        check_answer(tools["grove_list"], listing)


@pytest.mark.parametrize("version", ["2024-11-05", "2025-03-26", "2025-06-18"])
def test_handshake_era_client_over_http(server_url, version):
    headers = {**AUTH, **ACCEPT}
    with httpx.Client(base_url=server_url, headers=headers, timeout=30) as http:
        init = http.post(
            "/mcp",
            json=rpc(
                "initialize",
                1,
                {
                    "protocolVersion": version,
                    "capabilities": {},
                    "clientInfo": {"name": "old-ide", "version": "1"},
                },
            ),
        )
        assert init.status_code == 200, init.text
        assert answer_of(init)["result"]["protocolVersion"] == version
        session = {"mcp-session-id": init.headers["mcp-session-id"]}
        if version != "2024-11-05":
            session["mcp-protocol-version"] = version
        sent = http.post("/mcp", json=rpc("notifications/initialized", None), headers=session)
        assert sent.status_code == 202
        listed = answer_of(http.post("/mcp", json=rpc("tools/list", 2), headers=session))
        assert len(listed["result"]["tools"]) == len(READ_TOOLS)
        call = answer_of(
            http.post(
                "/mcp",
                json=rpc(
                    "tools/call",
                    3,
                    {"name": "grove_topology", "arguments": {"name": "my-inference"}},
                ),
                headers=session,
            )
        )
    assert not call["result"].get("isError")
    assert "rack rack-b [fragmented]" in call["result"]["content"][0]["text"]


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": TOKEN}]
)
def test_missing_or_wrong_token_is_401(server_url, headers):
    response = httpx.post(
        f"{server_url}/mcp",
        json=rpc("tools/list", 1),
        headers={**ACCEPT, **headers},
        timeout=10,
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "Bearer token" in response.json()["message"]


def test_oversize_request_is_refused(server_url):
    huge = rpc("tools/call", 1, {"name": "grove_status", "arguments": {"name": "x" * 100_000}})
    response = httpx.post(f"{server_url}/mcp", json=huge, headers={**ACCEPT, **AUTH}, timeout=10)
    assert response.status_code == 413


def test_foreign_host_header_is_refused(server_url):
    response = httpx.post(
        f"{server_url}/mcp",
        json=rpc("tools/list", 1),
        headers={**ACCEPT, **AUTH, "Host": "attacker.example:8000"},
        timeout=10,
    )
    assert response.status_code == 421


def test_rate_limit_answers_429():
    with http_server("--demo", "--rate-limit", "6", "--burst", "3") as base:
        codes = [httpx.get(f"{base}/healthz", timeout=5).status_code for _ in range(4)]
        last = httpx.get(f"{base}/healthz", timeout=5)
    assert codes[:2] == [200, 200]  # the readiness probe took the first token
    assert 429 in codes[2:] and last.status_code == 429
    assert int(last.headers["retry-after"]) >= 1


def test_non_loopback_bind_requires_a_token(capsys, monkeypatch):
    monkeypatch.delenv("GROVE_MCP_TOKEN", raising=False)
    assert main(["--demo", "--http", "--host", "0.0.0.0"]) == 2
    assert "bearer token" in capsys.readouterr().err


def test_transport_security_for_the_bind_address():
    loopback = transport_security(HttpSettings())
    assert "127.0.0.1:*" in loopback.allowed_hosts and "localhost:*" in loopback.allowed_hosts
    named = transport_security(
        HttpSettings(host="10.0.0.5", token="x" * 32, allowed_hosts=("mcp.example:*",))
    )
    assert named.allowed_hosts == ["mcp.example:*", "10.0.0.5", "10.0.0.5:*"]
    assert "https://mcp.example:*" in named.allowed_origins
    with pytest.raises(InvalidInput, match="--allowed-host"):
        HttpSettings(host="0.0.0.0", token="x" * 32).check()
    with pytest.raises(InvalidInput, match="shorter than"):
        HttpSettings(token="short").check()
