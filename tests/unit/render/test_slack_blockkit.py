"""blockkit.problems names what Slack would refuse: the checks the Slack renderer's tests rely on."""

from __future__ import annotations

from grove_mcp.render import blockkit


def _table(*rows: list[str]) -> dict:
    return {"type": "table", "rows": [[{"type": "raw_text", "text": c} for c in r] for r in rows]}


def test_a_valid_message_has_no_problems():
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "t"}},
        _table(["a", "b"], ["1", "2"]),
    ]
    assert blockkit.problems(blocks) == []
    assert blockkit.blocks_size(blocks) == len(
        '[{"type":"header","text":{"type":"plain_text","text":"t"}},'
        '{"type":"table","rows":[[{"type":"raw_text","text":"a"},{"type":"raw_text","text":"b"}],'
        '[{"type":"raw_text","text":"1"},{"type":"raw_text","text":"2"}]]}]'
    )


def test_empty_cells_two_tables_and_long_texts_are_refused():
    found = blockkit.problems(
        [
            _table(["a"], [""]),
            _table(["a"]),
            {"type": "header", "text": {"type": "mrkdwn", "text": "x"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}},
        ]
    )
    assert "block 0 (table): cell 1,0 is empty" in found
    assert "2 table blocks, more than 1" in found
    assert "block 2 (header): text must be plain_text" in found
    assert "block 3 (section): text has 3001 characters, more than 3000" in found
