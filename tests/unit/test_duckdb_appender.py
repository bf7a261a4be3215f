"""The local append path for tracking events (shared/adapters/duckdb_appender.py): production's
semantics (an append, no key check; the view counts an event once), every column of the DDL
landed as given, a failed append landing nothing and leaving nothing behind, and appends from
many threads interleaved with queries on the same warehouse."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from shared.adapters.bigquery_write import Column, table_columns
from shared.adapters.duckdb_appender import DuckDbAppender
from shared.adapters.duckdb_warehouse import DuckDbWarehouse

SQL_DIR = Path(__file__).resolve().parents[2] / "bigquery_sql"
TABLE = "track_events"
AT = datetime(2026, 3, 16, 10, 0, 0, 123456, tzinfo=UTC)
COLUMNS = table_columns(SQL_DIR, TABLE)


def warehouse() -> DuckDbWarehouse:
    local = DuckDbWarehouse(":memory:", SQL_DIR)
    local.run(f"schema/{TABLE}.sql")
    local.run("views/track_events_unique.sql")
    return local


def sample(column: Column, n: int) -> Any:
    """A distinct value of the column's type, so a column landed in another's place shows."""
    if column.type == "TIMESTAMP":
        return AT + timedelta(seconds=n)
    if column.type == "DATE":
        return date(2026, 3, 16)
    if column.type == "INT64":
        return 1_000_000 + n
    if column.type == "FLOAT64":
        return n + 0.5
    if column.type == "BOOL":
        return True
    return f"{column.name}-{n}"


def event(event_id: str, received_at: datetime = AT) -> dict[str, Any]:
    row = {column.name: sample(column, n) for n, column in enumerate(COLUMNS)}
    return {**row, "event_id": event_id, "occurred_at": AT, "received_at": received_at}


def stored(local: DuckDbWarehouse, relation: str = TABLE) -> list[dict[str, Any]]:
    return local.run_statement(
        f"SELECT * FROM reachops.{relation} ORDER BY event_id, received_at"  # noqa: S608
    )


def test_every_column_lands_as_given_and_none_is_null() -> None:
    local = warehouse()
    full, sparse = event("e1"), {**event("e2"), "url": None, "value_micros": None}
    DuckDbAppender(local, TABLE).append([full, sparse])

    assert stored(local) == [full, sparse]


def test_a_resend_is_appended_again_and_the_view_counts_it_once_the_earliest() -> None:
    """No key check, as on a Storage Write stream: readers count through the view."""
    local = warehouse()
    appender = DuckDbAppender(local, TABLE)
    first, resent = event("e1"), event("e1", received_at=AT + timedelta(minutes=5))
    appender.append([first])
    appender.append([resent])

    assert len(stored(local)) == 2
    assert stored(local, "track_events_unique") == [first]


def test_an_unknown_column_is_refused_before_anything_lands() -> None:
    local = warehouse()
    with pytest.raises(ValueError, match="not_a_column"):
        DuckDbAppender(local, TABLE).append([event("e1"), {**event("e2"), "not_a_column": 1}])
    assert stored(local) == []


def test_a_failed_append_lands_none_of_its_rows_and_leaves_nothing_for_the_next() -> None:
    local = warehouse()
    appender = DuckDbAppender(local, TABLE)
    with pytest.raises(duckdb.Error, match="NOT NULL"):
        appender.append([event("e1"), {**event("e2"), "org_id": None}])
    with pytest.raises(duckdb.Error, match="INT64"):
        appender.append([{**event("e3"), "value_micros": "not a number"}])
    appender.append([event("e4")])

    assert [row["event_id"] for row in stored(local)] == ["e4"]


def test_an_unknown_table_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="no table"):
        DuckDbAppender(warehouse(), "no_such_table")


def test_appends_from_many_threads_all_land_between_queries_on_the_same_warehouse() -> None:
    local = warehouse()
    appender = DuckDbAppender(local, TABLE)
    errors: list[BaseException] = []

    def send(thread: int) -> None:
        try:
            for n in range(20):
                appender.append([event(f"t{thread}-{n}-{i}") for i in range(3)])
                local.run_statement("SELECT count(*) AS n FROM reachops.track_events_unique")
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    counted = local.run_statement("SELECT count(*) AS n FROM reachops.track_events_unique")
    assert counted == [{"n": 8 * 20 * 3}]


def test_an_organizations_appended_rows_are_purged_with_it() -> None:
    """Org purge and person erasure delete by column from every table that has it
    (tables_with_column); appended rows are ordinary rows of track_events."""
    local = warehouse()
    DuckDbAppender(local, TABLE).append([event("e1"), {**event("e2"), "org_id": "other"}])

    assert TABLE in local.tables_with_column("org_id")
    assert local.delete_rows(TABLE, "org_id", event("e1")["org_id"]) == 1
    assert [row["org_id"] for row in stored(local)] == ["other"]
