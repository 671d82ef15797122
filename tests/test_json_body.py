"""bot/json_body.py: the one nesting guard and unpaired-surrogate search of the web API and the Slack gate."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import api, json_body

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=20,
)


def depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=200, deadline=None)
@given(JSON, st.integers(0, 6))
def test_nesting_is_measured_as_the_parser_nests_on_text_and_on_bytes(value, limit):
    text = json.dumps(value, ensure_ascii=False)
    assert json_body.nesting_ok(text, limit) == (depth(value) <= limit)
    assert json_body.nesting_ok(text.encode("utf-8"), limit) == (depth(value) <= limit)


def test_brackets_in_strings_do_not_count_and_both_gates_use_one_limit():
    assert json_body.nesting_ok('{"q": "[[[[[[[[[[\\"{{{{{{{"}', limit=1)
    deep = "[" * (json_body.MAX_DEPTH + 1) + "]" * (json_body.MAX_DEPTH + 1)
    assert not json_body.nesting_ok(deep) and json_body.nesting_ok(deep[1:-1])
    assert api.MAX_JSON_DEPTH == json_body.MAX_DEPTH


def test_an_unpaired_surrogate_is_found_at_any_depth_a_pair_is_not():
    assert json_body.has_lone_surrogate(json.loads('{"a": [{"b": "x\\ud800"}]}'))
    assert json_body.has_lone_surrogate(json.loads('{"\\udc00": 1}'))  # in a key too
    assert not json_body.has_lone_surrogate(json.loads('{"a": ["\\ud83d\\ude00", "中文"]}'))  # a pair is one emoji
    nested: object = "\udfff"
    for _ in range(5000):
        nested = [nested]
    assert json_body.has_lone_surrogate(nested)  # no recursion
