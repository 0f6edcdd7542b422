"""YAML read with the line of every key, and pydantic errors told as ``file:line: key: what``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import SettingsError

if TYPE_CHECKING:
    import yaml

M = TypeVar("M", bound=BaseModel)
Key = tuple[str | int, ...]


@dataclass(frozen=True)
class Located:
    """A YAML document's data and the line (1-based) where each key path is written."""

    where: str
    data: Any
    lines: dict[Key, int] = field(default_factory=dict)

    def line(self, key: Key) -> int | None:
        """The line of ``key``, else of its closest written parent."""
        for end in range(len(key), -1, -1):
            if key[:end] in self.lines:
                return self.lines[key[:end]]
        return None

    def section(self, name: str) -> Located:
        """The part under top-level key ``name``, keeping its lines."""
        size = 1
        lines = {k[size:]: v for k, v in self.lines.items() if k[:size] == (name,)}
        data = self.data.get(name) if isinstance(self.data, dict) else None
        return Located(self.where, data if data is not None else {}, lines)


def read_located(path: Path) -> Located:
    """Parse ``path``; a file that cannot be read or is not a YAML mapping is a SettingsError."""
    import yaml  # only when there is a config file: a start without one needs no YAML

    try:
        text = path.read_text()
    except OSError as err:
        raise SettingsError(f"Cannot read the config file {path}: {err.strerror}.") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise SettingsError(f"{path}{at}: not valid YAML: {problem}.") from None
    if data is None:
        return Located(str(path), {})
    if not isinstance(data, dict):
        raise SettingsError(
            f"{path}:1: the config file must be a mapping of keys, not a list or text."
        )
    lines: dict[Key, int] = {}
    _walk(node, (), lines)
    return Located(str(path), data, lines)


def _walk(node: yaml.Node | None, key: Key, lines: dict[Key, int]) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            child = (*key, str(name.value))
            lines[child] = name.start_mark.line + 1
            _walk(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*key, index)] = item.start_mark.line + 1
            _walk(item, (*key, index), lines)


def validated(model: type[M], located: Located, prefix: Key = ()) -> M:
    """``model`` from the located data; every problem names the file, the line and the key."""
    try:
        return model.model_validate(located.data)
    except ValidationError as err:
        problems = []
        for error in err.errors():
            key = tuple(error["loc"])
            line = located.line(key)
            name = ".".join(str(part) for part in (*prefix, *key)) or "(top)"
            what = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(f"{located.where}:{line or 1}: {name}: {what}")
        raise SettingsError("; ".join(problems) + ".") from None
