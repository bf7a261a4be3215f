"""Rows appended to a DuckDB table, the local twin of shared/adapters/bigquery_write.py.

Production lands tracking events through the BigQuery Storage Write API: an append, no key
check, and readers count each event once through reachops.track_events_unique. Locally the same
append semantics hold, so a test or the demo sees what production stores (a resend is a second
row, the view counts it once).

An append is checked and encoded exactly as the Storage Write adapter encodes it (the same
protocol buffer, derived from the table's DDL: an unknown column, a wrong type or a missing NOT
NULL value fails the append, nothing of it stored), written to a durable log on disk
(append_log.py) and answered. It does not wait on DuckDB: a DuckDB commit costs a few
milliseconds of its own and, beside busy request threads, tens more waiting to take the GIL
back, which one beacon's request should not pay. A loader moves the logged rows into the table
in one DuckDB Appender flush, off the request path (within LOAD_DELAY_SECONDS of an append) and
before every other statement on the warehouse, so every reader in the process sees every
append that returned (read-your-writes, as on a COMMITTED stream), and an erasure or a purge
deletes rows that were still in the log. Rows a crash left in the log are loaded when the next
process opens the warehouse (`load_leftover_appends`).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from shared.adapters.append_log import QUARANTINE_SUFFIX, open_log, read_segment
from shared.adapters.bigquery_write import (
    Column,
    encode_row,
    message_class,
    row_descriptor,
    table_columns,
)
from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.adapters.sql_files import DATASET, identifiers

LOAD_DELAY_SECONDS = 0.2
"""How long the loader lets appends gather before it loads them (one DuckDB commit for all)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LIVE: weakref.WeakSet[DuckDbAppender] = weakref.WeakSet()
logger = logging.getLogger(__name__)


def _value(column: Column, encoded: Any) -> Any:
    """A column's Python value back from its wire value (bigquery_write._wire_value)."""
    if column.type == "TIMESTAMP":
        return _EPOCH + timedelta(microseconds=encoded)
    if column.type == "DATE":
        return date(1970, 1, 1) + timedelta(days=encoded)
    return encoded


def segment_header(columns: Sequence[Column]) -> bytes:
    """What a segment was written for: the columns in their field order, and their types."""
    return ",".join(f"{column.name} {column.type}" for column in columns).encode()


class DuckDbAppender:
    """Appends rows of one table of `warehouse`; None is NULL, an unknown key is an error. One
    per table and warehouse: get it through `for_table`."""

    def __init__(self, warehouse: DuckDbWarehouse, table: str) -> None:
        identifiers(table)
        self._warehouse = warehouse
        with warehouse.exclusive() as connection:
            found = connection.execute(
                "SELECT count(*) FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ?",
                [DATASET, table],
            ).fetchall()
            if not found[0][0]:
                raise ValueError(f"no table {DATASET}.{table}")
            self._columns = table_columns(warehouse.sql_dir, table)
            self._row_class = message_class(row_descriptor(table, self._columns))
            names = [column.name for column in self._columns]
            self._appender = connection.appender(f"{DATASET}.{table}", columns=names)
        self._log = open_log(warehouse.append_log_dir(table), segment_header(self._columns))
        self._load_lock = threading.Lock()
        self._wake = threading.Event()
        self._loader: threading.Thread | None = None
        self.load()
        warehouse.before_each_statement(self.load)
        _LIVE.add(self)

    @classmethod
    def for_table(cls, warehouse: DuckDbWarehouse, table: str) -> DuckDbAppender:
        return warehouse.attached(f"appender:{table}", lambda: cls(warehouse, table))

    def append(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        records = [encode_row(self._row_class, self._columns, row) for row in rows]
        self._log.write(records)
        self._start_loader()
        self._wake.set()

    def load(self) -> None:
        """Move every logged row into the table in one Appender flush, then delete the
        segments. A segment that cannot be read, or one written for other columns, is kept
        beside the log as `*.failed` and logged. A flush DuckDB refuses hands its segments
        back to the log, to be loaded first next time, and raises: the reader that asked for
        them learns they are not in the table. Rows are never dropped. A crash between a
        flush and the deletes loads those segments again next time, which
        reachops.track_events_unique counts once."""
        with self._load_lock:
            if self._warehouse.closed:
                return
            values: list[list[Any]] = []
            loaded: list[Path] = []
            for path in self._log.seal():
                try:
                    values += [self._values(record) for record in self._records(path)]
                except Exception:
                    _quarantine(path)
                    continue
                loaded.append(path)
            if values:
                self._flush(values, loaded)
            for path in loaded:
                path.unlink()

    def _records(self, path: Path) -> list[bytes]:
        header, records = read_segment(path)
        if header not in (None, self._log.header):
            raise ValueError(f"{path.name} was written for other columns: {header!r}")
        return records

    def _flush(self, values: list[list[Any]], segments: list[Path]) -> None:
        try:
            with self._warehouse.exclusive():
                try:
                    self._appender.append_rows(values)
                    self._appender.flush()
                except BaseException:
                    self._appender.clear()
                    raise
        except BaseException:
            self._log.unseal(segments)
            raise

    def _values(self, record: bytes) -> list[Any]:
        row = self._row_class.FromString(record)
        return [
            _value(column, getattr(row, column.name)) if row.HasField(column.name) else None
            for column in self._columns
        ]

    def _start_loader(self) -> None:
        """The loader thread holds the appender weakly and ends once it is collected."""
        if self._loader is None:
            with self._load_lock:
                if self._loader is None:
                    self._loader = threading.Thread(
                        target=_load_when_woken,
                        args=(weakref.ref(self), self._wake),
                        name="duckdb-appender",
                        daemon=True,
                    )
                    weakref.finalize(self, self._wake.set)
                    self._loader.start()


def _load_when_woken(appender: weakref.ref[DuckDbAppender], wake: threading.Event) -> None:
    """A failed load is logged and left for the next (its segments stay in the log)."""
    while True:
        wake.wait()
        wake.clear()
        time.sleep(LOAD_DELAY_SECONDS)
        alive = appender()
        if alive is None:
            return
        _load_logging_errors(alive)
        del alive


def _load_logging_errors(appender: DuckDbAppender) -> None:
    try:
        appender.load()
    except Exception:
        logger.exception("logged rows could not be loaded yet; they stay in the log")


@atexit.register
def _load_before_exit() -> None:
    """A clean exit loads what is logged; a crash leaves it to load_leftover_appends."""
    for appender in list(_LIVE):
        _load_logging_errors(appender)


def _quarantine(segment: Path) -> None:
    """Called while handling the error that stopped the load, so its traceback is logged."""
    logger.exception("a segment of logged rows cannot be loaded; kept as *.failed: %s", segment)
    segment.rename(segment.with_name(segment.name + QUARANTINE_SUFFIX))


def load_leftover_appends(warehouse: DuckDbWarehouse) -> None:
    """Load the rows an earlier process logged and did not load (it crashed), so a process that
    only reads sees them too. A log for a table the schema no longer has is left alone."""
    for directory in warehouse.append_log_dirs():
        try:
            DuckDbAppender.for_table(warehouse, directory.name)
        except ValueError:
            logger.warning(
                "logged rows of %s: no such table, left in %s", directory.name, directory
            )
