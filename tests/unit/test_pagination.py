"""Cursors round-trip the sort values exactly and reject anything they did not issue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import ValidationFailed
from shared.pagination import decode_cursor, encode_cursor

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
    assert decode_cursor(encode_cursor(values)) == values


@pytest.mark.parametrize("garbage", ["!!", "e30=", "W10=", "bm90IGpzb24=", "W3sieCI6IDF9XQ=="])
def test_a_cursor_we_did_not_issue_is_a_422_on_the_cursor(garbage: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        decode_cursor(garbage)
    assert caught.value.field == "query.cursor"


def test_datetimes_keep_their_timezone() -> None:
    moment = datetime(2026, 11, 21, 5, 0, 0, 123456, tzinfo=UTC)
    assert decode_cursor(encode_cursor([moment]))[0].tzinfo is not None
