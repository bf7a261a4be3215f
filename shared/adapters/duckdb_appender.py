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

from shared.adapters.append_log import QUARANTINE_SUFFIX, open_log, unframe
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


class DuckDbAppender:
    """Appends rows of one table of `warehouse`; None is NULL, an unknown key is an error."""

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
        self._log = open_log(warehouse.append_log_dir(table))
        self._load_lock = threading.Lock()
        self._wake = threading.Event()
        self._loader: threading.Thread | None = None
        self.load()
        warehouse.before_each_statement(self.load)
        _LIVE.add(self)

    def append(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        records = [encode_row(self._row_class, self._columns, row) for row in rows]
        self._log.write(records)
        self._start_loader()
        self._wake.set()

    def load(self) -> None:
        """Move every logged row into the table in one Appender flush, then delete the
        segments. A segment that cannot be read, or a flush DuckDB refuses, is kept beside
        the log as `*.failed` and logged: rows are never dropped."""
        with self._load_lock:
            values: list[list[Any]] = []
            loaded: list[Path] = []
            for path in self._log.seal():
                try:
                    values += [self._values(record) for record in unframe(path.read_bytes())]
                except Exception:
                    _quarantine([path])
                    continue
                loaded.append(path)
            if not loaded:
                return
            try:
                with self._warehouse.exclusive():
                    try:
                        self._appender.append_rows(values)
                        self._appender.flush()
                    except BaseException:
                        self._appender.clear()
                        raise
            except Exception:
                _quarantine(loaded)
                return
            for path in loaded:
                path.unlink()

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
    while True:
        wake.wait()
        wake.clear()
        time.sleep(LOAD_DELAY_SECONDS)
        alive = appender()
        if alive is None:
            return
        alive.load()
        del alive


@atexit.register
def _load_before_exit() -> None:
    """A clean exit loads what is logged; a crash leaves it to load_leftover_appends."""
    for appender in list(_LIVE):
        appender.load()


def _quarantine(segments: Sequence[Path]) -> None:
    """Called while handling the error that stopped the load, so its traceback is logged."""
    logger.exception("appended rows could not be loaded; kept as *.failed: %s", segments)
    for path in segments:
        path.rename(path.with_name(path.name + QUARANTINE_SUFFIX))


def load_leftover_appends(warehouse: DuckDbWarehouse) -> None:
    """Load the rows an earlier process logged and did not load (it crashed), so a process that
    only reads sees them too."""
    for directory in warehouse.append_log_dirs():
        DuckDbAppender(warehouse, directory.name)
