"""server.json, the server's entry for MCP registries: valid against the registry's schema of
2025-12-11 (vendored here, see README.md), in step with pyproject.toml and the code."""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft7Validator, FormatChecker
from packaging_support import NAME, REPO, SCHEMA, SERVER_JSON, VERSION

import grove_mcp
from grove_mcp.mcp_server.main import parser


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def format_checker() -> FormatChecker:
    """Draft 7's format checks, with ``uri`` checked even without jsonschema's optional
    rfc3987 package: an absolute URI (a scheme, then a host or a path) with no blanks."""
    checker = copy.deepcopy(Draft7Validator.FORMAT_CHECKER)

    @checker.checks("uri")
    def is_uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return (
            bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", parts.scheme))
            and bool(parts.netloc or parts.path)
            and not re.search(r"\s", value)
        )

    return checker


@pytest.fixture(scope="module")
def validator(schema) -> Draft7Validator:
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=format_checker())


@pytest.fixture
def server() -> dict[str, Any]:
    return json.loads(SERVER_JSON.read_text(encoding="utf-8"))


def errors(validator: Draft7Validator, document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def test_the_vendored_schema_is_the_dated_one(schema):
    assert (
        schema["$id"]
        == "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
    )
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_server_json_is_valid(validator, schema, server):
    assert errors(validator, server) == []
    assert server["$schema"] == schema["$id"]


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda s: s.update(name="grove-mcp"), "does not match"),
        (lambda s: s.update(description="x" * 101), "is too long"),
        (lambda s: s["packages"][0].update(version="latest"), "should not be valid"),
        (lambda s: s["packages"][0].pop("transport"), "'transport' is a required property"),
        (lambda s: s["repository"].update(url="not a uri"), "is not a 'uri'"),
    ],
)
def test_the_schema_catches_a_broken_entry(validator, server, change, complaint):
    """The vendored schema and the validator do constrain: each change alone is refused."""
    broken = copy.deepcopy(server)
    change(broken)
    found = errors(validator, broken)
    assert any(complaint in e for e in found), found


def test_versions_agree(server):
    assert server["version"] == VERSION
    assert grove_mcp.__version__ == VERSION, "the installed grove-mcp is not this checkout's"
    assert [p["version"] for p in server["packages"]] == [VERSION]


def test_the_package_is_this_pypi_distribution_run_by_uvx_over_stdio(server):
    (package,) = server["packages"]
    assert package["registryType"] == "pypi"
    assert package["identifier"] == NAME
    assert package["runtimeHint"] == "uvx"
    assert package["transport"] == {"type": "stdio"}


def test_the_name_is_in_the_repository_owners_namespace(server):
    """The registry lets a GitHub user publish io.github.<user>/… only: the name's owner is the
    repository's."""
    match = re.fullmatch(
        r"https://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+)", server["repository"]["url"]
    )
    assert match, server["repository"]
    assert server["repository"]["source"] == "github"
    assert server["name"] == f"io.github.{match.group(1)}/{NAME}"


def test_package_arguments_are_options_grove_mcp_takes(server):
    """A client may pass each as ``--flag=value`` or ``--flag value``: grove-mcp accepts both."""
    (package,) = server["packages"]
    named = [a for a in package["packageArguments"] if a["type"] == "named"]
    assert named, "no package arguments"
    for argument in named:
        value = argument.get("placeholder", "x")
        for argv in ([f"{argument['name']}={value}"], [argument["name"], value]):
            parsed = vars(parser().parse_args(argv))
            assert value in parsed.values(), (argv, parsed)


def test_environment_variables(server):
    (package,) = server["packages"]
    variables = {v["name"]: v for v in package["environmentVariables"]}
    assert set(variables) == {"KUBECONFIG"}
    assert variables["KUBECONFIG"]["format"] == "filepath"
    assert not any(v.get("isRequired") or v.get("isSecret") for v in variables.values())


def test_the_readme_carries_the_registry_ownership_marker(server):
    """The registry accepts a PyPI package only if its description (the README, pyproject's
    ``readme``) says ``mcp-name: <name>``."""
    assert f"mcp-name: {server['name']}" in (REPO / "README.md").read_text(encoding="utf-8")
