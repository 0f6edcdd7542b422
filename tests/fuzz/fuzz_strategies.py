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
