"""Hypothesis strategies shared by the fuzz tests: names, JSON of any shape, weird scalars."""

from __future__ import annotations

from hypothesis import strategies as st

# Text that trips parsers: separators, quotes, control and non-ASCII characters, numbers.
WEIRD_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "-",
        ".",
        "..",
        "/",
        "../../etc/passwd",
        "a" * 64,
        "a" * 254,
        "my-inference",
        "My-Inference",
        "my_inference",
        "vllm-disagg",
        "kube-system",
        "x.y",
        "-a",
        "a-",
        "\x00",
        "\n",
        "\t",
        "é",
        "💥",
        "1e999",
        "NaN",
        "-1",
        "0",
        "null",
        "true",
        "'",
        '"',
        "{}",
        "[]",
        "%s",
        "{0}",
        "$(id)",
        "--all",
        "-n",
        "Traceback",
    ]
)
TEXT = st.one_of(WEIRD_STRINGS, st.text(max_size=80))
NAMES = st.one_of(
    WEIRD_STRINGS,
    st.from_regex(r"[a-z0-9]([-a-z0-9]{0,70}[a-z0-9])?", fullmatch=True),
    st.text(alphabet="abcXYZ019-._ /:\x00é", max_size=70),
)
HUGE_INTS = st.sampled_from([2**31, 2**63, 2**64 + 1, -(2**63) - 1, 10**30, -1, 0])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    HUGE_INTS,
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)


def _swapped(value: object) -> list[object]:
    """Values of the wrong type for ``value``'s place."""
    if isinstance(value, bool):
        return ["True", 1, None]
    if isinstance(value, int | float):
        return [str(value), "x", [value], {"value": value}]
    if isinstance(value, str):
        return [7, -1, 1.5, True, [value], {value: value}]
    if isinstance(value, list):
        return [{}, "x", 0, [None], [[]]]
    if isinstance(value, dict):
        return [[], "x", 0, [value]]
    return [{}, []]


REPLACEMENTS = st.one_of(
    st.none(),
    HUGE_INTS,
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308, -0.0, 0.5]),
    WEIRD_STRINGS,
    st.just({}),
    st.just([]),
)


def _same_type(value: object) -> st.SearchStrategy[object]:
    """An odd value of ``value``'s own type: zero, negative, huge, NaN, empty, weird."""
    if isinstance(value, bool):
        return st.just(not value)
    if isinstance(value, int):
        return HUGE_INTS | st.integers(-3, 3)
    if isinstance(value, float):
        return st.sampled_from([float("nan"), float("inf"), -1.0, 0.0, 1e-300, 1e308])
    if isinstance(value, str):
        return WEIRD_STRINGS
    return st.just(type(value)())  # an empty list or dict


@st.composite
def mutate(draw: st.DrawFn, root: dict | list, keep_types: bool = False) -> str:
    """Change one value somewhere inside ``root`` (in place): drop its key, swap its type, or
    replace it with None, a huge number, NaN or a weird string; with ``keep_types``, only an
    odd value of the same type (what a schema lets through). Returns the path changed."""
    node: dict | list = root
    path: list[str] = []
    while True:
        keys = sorted(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return ".".join(path) + " (empty)"
        key = draw(st.sampled_from(keys))
        path.append(str(key))
        child = node[key]  # type: ignore[index]
        # mostly deeper: the top-level keys (kind, metadata …) are what the loader checks
        deeper = draw(st.integers(0, 7 if len(path) == 1 else 3)) > 0
        if isinstance(child, dict | list) and child and deeper:
            node = child
            continue
        ops = ["same type"] if keep_types else ["drop", "swap", "replace", "same type"]
        operation = draw(st.sampled_from(ops))
        if operation == "same type":
            node[key] = draw(_same_type(child))  # type: ignore[index]
        elif operation == "drop":
            node.pop(key)  # type: ignore[arg-type]
        elif operation == "swap":
            node[key] = draw(st.sampled_from(_swapped(child)))  # type: ignore[index]
        else:
            node[key] = draw(REPLACEMENTS)  # type: ignore[index]
        return f"{'.'.join(path)}: {operation}"
