"""Cursors round-trip the sort values exactly and reject anything they did not issue: forged,
truncated or re-encoded cursors, and cursors issued for another organization or query."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import BadRequest
from shared.pagination import cursor_scope, decode_cursor, encode_cursor

SCOPE = cursor_scope("orgs/o1/campaigns", [("status", "==", "draft")], [("created_at", "desc")])

sort_values = st.lists(
    st.one_of(
        st.datetimes(timezones=st.just(UTC)),
        st.text(max_size=40),
        st.integers(min_value=-(2**53), max_value=2**53),
    ),
    min_size=1,
    max_size=3,
)


@given(sort_values)
def test_a_cursor_decodes_to_the_values_it_encoded(values: list[object]) -> None:
    assert decode_cursor(encode_cursor(values, SCOPE), SCOPE) == values


def _unsigned(payload: object) -> str:
    """What a forger can make without the key: the old, unsigned format."""
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


@pytest.mark.parametrize(
    "garbage",
    [
        "!!",
        "e30=",
        "",
        "ä.ö",
        "\x00",
        _unsigned([{"v": "x"}]),
        _unsigned([{"v": [{"v": [{"v": "nested"}]}]}]),
        encode_cursor(["a"], SCOPE)[:-3],
        encode_cursor(["a"], SCOPE) + "A",
        encode_cursor(["a"], SCOPE).replace(".", "x.", 1),
    ],
)
def test_a_cursor_we_did_not_issue_is_a_400_on_the_cursor(garbage: str) -> None:
    with pytest.raises(BadRequest) as caught:
        decode_cursor(garbage, SCOPE)
    assert caught.value.field == "query.cursor"
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "other",
    [
        cursor_scope("orgs/o2/campaigns", [("status", "==", "draft")], [("created_at", "desc")]),
        cursor_scope("orgs/o1/campaigns", [("status", "==", "active")], [("created_at", "desc")]),
        cursor_scope("orgs/o1/campaigns", [], [("created_at", "desc")]),
        cursor_scope("orgs/o1/campaigns", [("status", "==", "draft")], [("created_at", "asc")]),
    ],
)
def test_a_cursor_is_bound_to_its_organization_and_query(other: str) -> None:
    cursor = encode_cursor(["a"], SCOPE)
    with pytest.raises(BadRequest):
        decode_cursor(cursor, other)


def test_datetimes_keep_their_timezone() -> None:
    moment = datetime(2026, 11, 21, 5, 0, 0, 123456, tzinfo=UTC)
    assert decode_cursor(encode_cursor([moment], SCOPE), SCOPE)[0].tzinfo is not None
