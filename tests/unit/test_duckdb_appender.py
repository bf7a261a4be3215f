"""The local append path for tracking events (shared/adapters/duckdb_appender.py): production's
semantics (an append, no key check; the view counts an event once), every column of the DDL
landed as given, a failed append landing nothing and leaving nothing behind, appends from many
threads interleaved with queries on the same warehouse, and the log between an append and the
table: read before any statement, loaded on its own with no reader, kept across a crash, and
never dropped."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from shared.adapters import append_log
from shared.adapters.bigquery_write import (
    Column,
    encode_row,
    message_class,
    row_descriptor,
    table_columns,
)
from shared.adapters.duckdb_appender import (
    DuckDbAppender,
    load_leftover_appends,
    segment_header,
)
from shared.adapters.duckdb_warehouse import DuckDbWarehouse

SQL_DIR = Path(__file__).resolve().parents[2] / "bigquery_sql"
TABLE = "track_events"
AT = datetime(2026, 3, 16, 10, 0, 0, 123456, tzinfo=UTC)
COLUMNS = table_columns(SQL_DIR, TABLE)


def warehouse(path: Path | str = ":memory:") -> DuckDbWarehouse:
    local = DuckDbWarehouse(path, SQL_DIR)
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
    """Refused as production's encoder refuses them (bigquery_write.encode_row), at once."""
    local = warehouse()
    appender = DuckDbAppender(local, TABLE)
    with pytest.raises(ValueError, match="org_id: NOT NULL"):
        appender.append([event("e1"), {**event("e2"), "org_id": None}])
    with pytest.raises(ValueError, match="value_micros is INT64"):
        appender.append([{**event("e3"), "value_micros": "not a number"}])
    appender.append([event("e4")])

    assert [row["event_id"] for row in stored(local)] == ["e4"]


def test_a_full_disk_fails_the_append_whole_and_the_next_one_lands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    local = warehouse()
    appender = DuckDbAppender(local, TABLE)
    appender.append([event("e1")])
    local.run_statement("SELECT 1")  # loads e1: the next append opens a new segment
    real_allocate = os.posix_fallocate

    def full_disk(fd: int, offset: int, length: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("shared.adapters.append_log.os.posix_fallocate", full_disk)
    with pytest.raises(OSError, match="No space"):
        appender.append([event("e2"), event("e3")])
    monkeypatch.setattr("shared.adapters.append_log.os.posix_fallocate", real_allocate)
    appender.append([event("e4")])

    assert [row["event_id"] for row in stored(local)] == ["e1", "e4"]
    assert list(local.append_log_dir(TABLE).glob("*.seg")) == []


def test_an_append_a_crash_cut_short_is_not_in_the_segment(tmp_path: Path) -> None:
    """The writer leaves an append's first length for last: until it is written, the segment
    ends where the append began."""
    log = append_log.AppendLog(tmp_path, b"header")
    log.write([b"row 1"])
    (segment,) = log.seal()
    whole = append_log.frame([b"header", b"row 1"])
    cut_short = whole + bytes(4) + append_log.frame([b"row 2", b"row 3"])[4:]
    with segment.open("r+b") as file:
        file.write(cut_short)

    assert append_log.read_segment(segment) == (b"header", [b"row 1"])
    assert segment.stat().st_size == append_log.SEGMENT_BYTES


def test_an_append_too_big_for_a_segment_has_one_of_its_own(tmp_path: Path) -> None:
    log = append_log.AppendLog(tmp_path, b"header")
    log.write([b"small"])
    big = b"x" * append_log.SEGMENT_BYTES
    log.write([big])
    log.write([b"after"])
    segments = log.seal()

    assert [append_log.read_segment(path)[1] for path in segments] == [
        [b"small"],
        [big],
        [b"after"],
    ]


def test_logged_rows_reach_the_table_with_no_reader_to_ask_for_them() -> None:
    local = warehouse()
    DuckDbAppender(local, TABLE).append([event("e1")])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with local.exclusive() as connection:  # reads without loading the log first
            count = connection.execute("SELECT count(*) FROM reachops.track_events").fetchall()
        if count == [(1,)]:
            return
        time.sleep(0.05)
    pytest.fail("the loader never loaded the logged row")


def logged_by_a_process_that_crashed(path: Path, rows: list[dict[str, Any]]) -> None:
    """Rows written to the log and never loaded, as a process killed after its 202 leaves them."""
    local = warehouse(path)
    row_class = message_class(row_descriptor(TABLE, COLUMNS))
    log = append_log.open_log(local.append_log_dir(TABLE), segment_header(COLUMNS))
    log.write([encode_row(row_class, COLUMNS, row) for row in rows])
    local.close()


def test_rows_a_crash_left_in_the_log_are_loaded_when_the_warehouse_opens_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "warehouse.duckdb"
    logged_by_a_process_that_crashed(path, [event("e1"), event("e2")])
    reopened = warehouse(path)
    load_leftover_appends(reopened)

    assert [row["event_id"] for row in stored(reopened)] == ["e1", "e2"]
    assert list(reopened.append_log_dir(TABLE).glob("*.seg")) == []
    assert reopened.append_log_dirs() == [reopened.append_log_dir(TABLE)]


def test_a_segment_that_cannot_be_read_is_kept_aside_and_the_others_still_load(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "warehouse.duckdb"
    logged_by_a_process_that_crashed(path, [event("e1")])
    directory = path.parent / f"{path.name}.appends" / TABLE
    torn = directory / "000000000000.seg"
    torn.write_bytes(append_log.frame([b"\x08"])[:-1])  # a record cut short
    reopened = warehouse(path)
    load_leftover_appends(reopened)

    assert [row["event_id"] for row in stored(reopened)] == ["e1"]
    assert [p.name for p in directory.glob("*.failed")] == ["000000000000.seg.failed"]
    assert "cannot be loaded" in caplog.text


def test_a_new_segment_is_numbered_past_every_file_so_none_is_written_over(
    tmp_path: Path,
) -> None:
    (tmp_path / "000000000007.seg.failed").write_bytes(b"kept for a person to look at")
    log = append_log.AppendLog(tmp_path, b"header")
    log.write([b"row"])

    assert [path.name for path in log.seal()] == ["000000000008.seg"]
    assert (tmp_path / "000000000007.seg.failed").read_bytes() == b"kept for a person to look at"


def test_a_flush_duckdb_refuses_keeps_the_rows_logged_until_one_succeeds() -> None:
    local = warehouse()
    appender = DuckDbAppender.for_table(local, TABLE)
    assert DuckDbAppender.for_table(local, TABLE) is appender
    with local.exclusive() as connection:
        connection.execute("ALTER TABLE reachops.track_events ALTER COLUMN url SET NOT NULL")
    appender.append([{**event("e1"), "url": None}])
    with pytest.raises(duckdb.Error, match="NOT NULL"):
        stored(local)  # the reader learns the row is not in the table yet
    with local.exclusive() as connection:
        connection.execute("ALTER TABLE reachops.track_events ALTER COLUMN url DROP NOT NULL")

    assert [row["event_id"] for row in stored(local)] == ["e1"]


def test_closing_the_warehouse_loads_what_is_logged(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    local = warehouse(path)
    DuckDbAppender.for_table(local, TABLE).append([event("e1")])
    local.close()

    assert [row["event_id"] for row in stored(warehouse(path))] == ["e1"]


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
