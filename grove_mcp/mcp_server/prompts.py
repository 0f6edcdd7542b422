"""Prompts: Markdown templates in ``prompts/*.md`` with their arguments declared up front.

A template is YAML front matter (``name``, ``title``, ``description``, ``arguments``: each
with ``name``, ``description``, and ``required: true`` or a ``default``) followed by the
Markdown body, in which ``{{argument}}`` is replaced by the caller's value. Templates ship as
package data (``grove_mcp/prompts``); a source checkout reads the repository's ``prompts/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from ..errors import InvalidInput
from ..names import validate_namespace, validate_pcs_name

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
_VALIDATORS = {"name": validate_pcs_name, "namespace": validate_namespace}


def prompts_dir() -> Path:
    """The installed templates, else the repository's ``prompts/`` (editable installs)."""
    packaged = Path(str(resources.files("grove_mcp") / "prompts"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "prompts"


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    description: str
    arguments: tuple[PromptArgument, ...]
    defaults: dict[str, str]
    body: str

    @classmethod
    def parse(cls, text: str, where: str) -> Template:
        match = _FRONT_MATTER.match(text)
        if not match:
            raise ValueError(f"{where}: a prompt starts with YAML front matter between '---'")
        meta: dict[str, Any] = yaml.safe_load(match.group(1)) or {}
        args = [
            PromptArgument(
                name=a["name"], description=a.get("description"), required=a.get("required", False)
            )
            for a in meta.get("arguments") or []
        ]
        defaults = {a["name"]: str(a.get("default", "")) for a in meta.get("arguments") or []}
        body = match.group(2)
        undeclared = set(_PLACEHOLDER.findall(body)) - set(defaults)
        if undeclared:
            raise ValueError(f"{where}: placeholders not declared: {sorted(undeclared)}")
        return cls(
            name=meta["name"],
            title=meta.get("title", meta["name"]),
            description=meta.get("description", ""),
            arguments=tuple(args),
            defaults=defaults,
            body=body,
        )

    def render(self, **values: Any) -> str:
        unknown = sorted(set(values) - set(self.defaults))
        if unknown:
            raise MCPError(
                code=INVALID_PARAMS,
                message=f"Prompt {self.name} has no argument(s) {', '.join(unknown)}; "
                f"arguments: {', '.join(self.defaults)}.",
            )
        filled = {**self.defaults, **{k: str(v) for k, v in values.items() if v is not None}}
        for key, validate in _VALIDATORS.items():
            if filled.get(key):
                try:
                    validate(filled[key])
                except InvalidInput as err:
                    raise MCPError(code=INVALID_PARAMS, message=str(err)) from None
        return _PLACEHOLDER.sub(lambda m: filled[m.group(1)], self.body)


def load_templates(directory: Path | None = None) -> list[Template]:
    directory = directory or prompts_dir()
    return [
        Template.parse(path.read_text(encoding="utf-8"), str(path))
        for path in sorted(directory.glob("*.md"))
    ]


def register_prompts(server: MCPServer[Any], directory: Path | None = None) -> None:
    for template in load_templates(directory):
        server.add_prompt(
            Prompt(
                name=template.name,
                title=template.title,
                description=template.description,
                arguments=list(template.arguments),
                fn=template.render,
                context_kwarg=None,
            )
        )
