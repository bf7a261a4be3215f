"""Rows for the Storage Write API: the proto descriptor is derived from the table's DDL (every
column, in order, NOT NULL as required), and a row survives the proto round trip with
TIMESTAMP as epoch micros, INT64 whole, NULL as absent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.adapters.bigquery_write import (
    encode_row,
    message_class,
    row_descriptor,
    table_columns,
)
from shared.config import Settings

SQL_DIR = Settings().sql_dir
COLUMNS = table_columns(SQL_DIR, "track_events")
ROW_CLASS = message_class(row_descriptor("track_events", COLUMNS))
REQUIRED = {"org_id", "site_id", "event_id", "source", "event_type", "occurred_at", "received_at"}


def test_the_descriptor_is_the_tables_ddl() -> None:
    ddl = (SQL_DIR / "schema" / "track_events.sql").read_text()
    fields = ROW_CLASS.DESCRIPTOR.fields
    assert [f.name for f in fields] == [c.name for c in COLUMNS]
    assert all(f"  {f.name} " in ddl for f in fields)
    assert {c.name for c in COLUMNS if c.required} == REQUIRED
    assert {"value_micros", "properties_json", "lead_id"} <= {c.name for c in COLUMNS}


def base_row(at: datetime) -> dict[str, Any]:
    return {
        "org_id": "o1",
        "site_id": "",
        "event_id": "e1",
        "source": "api",
        "event_type": "purchase",
        "occurred_at": at,
        "received_at": at,
    }


@given(
    at=st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    micros=st.none() | st.integers(min_value=-(2**63), max_value=2**63 - 1),
    currency=st.none() | st.text(max_size=5),
)
def test_a_row_round_trips(at: datetime, micros: int | None, currency: str | None) -> None:
    row = {**base_row(at), "value_micros": micros, "currency": currency}
    decoded: Any = ROW_CLASS.FromString(encode_row(ROW_CLASS, COLUMNS, row))
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert decoded.occurred_at == (at - epoch) // timedelta(microseconds=1)
    assert decoded.HasField("site_id")  # '' is a value, not NULL
    assert decoded.site_id == ""
    assert decoded.HasField("value_micros") is (micros is not None)
    assert (decoded.value_micros if micros is not None else None) == micros
    assert (decoded.currency if decoded.HasField("currency") else None) == currency


def test_a_missing_required_column_a_wrong_type_or_an_unknown_column_is_refused() -> None:
    row = base_row(datetime(2026, 3, 16, tzinfo=UTC))
    with pytest.raises(ValueError, match="event_id: NOT NULL"):
        encode_row(ROW_CLASS, COLUMNS, {**row, "event_id": None})
    with pytest.raises(ValueError, match="value_micros is INT64, not str"):
        encode_row(ROW_CLASS, COLUMNS, {**row, "value_micros": "12.50"})
    with pytest.raises(ValueError, match="occurred_at is TIMESTAMP, not str"):
        encode_row(ROW_CLASS, COLUMNS, {**row, "occurred_at": "2026-03-16"})
    with pytest.raises(ValueError, match="not in the table"):
        encode_row(ROW_CLASS, COLUMNS, {**row, "colour": "red"})
