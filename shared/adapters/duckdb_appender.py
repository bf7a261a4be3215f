"""Rows appended to a DuckDB table, the local twin of shared/adapters/bigquery_write.py.

Production lands tracking events through the BigQuery Storage Write API: an append, no key
check, and readers count each event once through reachops.track_events_unique. Locally the same
append semantics hold, so a test or the demo sees what production stores (a resend is a second
row, the view counts it once), and the write is cheap enough for the intake's beacon rate: a
DuckDB Appender buffers the rows as values (no staging frame, no SQL to transpile, no
anti-join) and flushes them with one statement, committed on its own like an append on a
COMMITTED stream.

The column order is read from the table once; each append is only the rows' values in that
order, taken under the warehouse's lock (the Appender is on its connection).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.adapters.sql_files import DATASET, identifiers


class DuckDbAppender:
    """Appends rows of one table of `warehouse`; None is NULL, an unknown key is an error."""

    def __init__(self, warehouse: DuckDbWarehouse, table: str) -> None:
        identifiers(table)
        self._warehouse = warehouse
        with warehouse.exclusive() as connection:
            found = connection.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [DATASET, table],
            ).fetchall()
            if not found:
                raise ValueError(f"no table {DATASET}.{table}")
            self._columns = tuple(str(row[0]) for row in found)
            self._appender = connection.appender(f"{DATASET}.{table}", columns=list(self._columns))
        self._known = frozenset(self._columns)

    def append(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        unknown = {key for row in rows for key in row} - self._known
        if unknown:
            raise ValueError(f"columns not in the table: {sorted(unknown)}")
        values = [[row.get(column) for column in self._columns] for row in rows]
        with self._warehouse.exclusive():
            try:
                self._appender.append_rows(values)
                self._appender.flush()
            except BaseException:
                self._appender.clear()  # a failed append leaves nothing for the next flush
                raise
