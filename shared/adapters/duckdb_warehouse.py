"""Warehouse on embedded DuckDB, running the project's BigQuery SQL transpiled by sqlglot.

Transpilation raises on anything DuckDB cannot express, so a query that would silently change
meaning fails loudly instead. BigQuery storage hints (PARTITION BY, CLUSTER BY, OPTIONS) have
no DuckDB meaning and are dropped before generation; TEMP (a script's scratch table) is kept.
A BigQuery SQL function (`CREATE FUNCTION reachops.f(a INT64, ...) RETURNS T AS (expr)`, the files
of bigquery_sql/functions/) becomes a DuckDB macro of the same name in the same schema, its body
transpiled like any query and cast to the declared return type, so a call `reachops.f(x, ...)`
in a view or query runs unchanged on both.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb
import pandas as pd
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from shared.adapters.sql_files import DATASET, identifiers, read_sql, schema_files
from shared.adapters.warehouse_merge import Prune, latest_rows, match_condition, prune_range
from shared.metrics.definitions import ReferenceTable, reference_tables

T = TypeVar("T")
_STORAGE_HINTS = (exp.PartitionedByProperty, exp.ClusterProperty, exp.Property)
_PARAMETER = re.compile(r"\$(\w+)")


def _drop_storage_hints(statement: exp.Expr) -> exp.Expr:
    properties = statement.args.get("properties")
    if isinstance(properties, exp.Properties):
        kept = [
            p
            for p in properties.expressions
            if isinstance(p, exp.TemporaryProperty) or not isinstance(p, _STORAGE_HINTS)
        ]
        statement.set("properties", exp.Properties(expressions=kept) if kept else None)
    return statement


def _as_macro(function: exp.Create) -> str:
    """`CREATE OR REPLACE MACRO schema.name(params) AS CAST((body) AS returns)`."""
    signature = function.this
    if not isinstance(signature, exp.UserDefinedFunction) or function.expression is None:
        raise ValueError(f"not a SQL expression function: {function.sql('bigquery')}")
    returns = function.find(exp.ReturnsProperty)
    if returns is None or not isinstance(returns.this, exp.DataType):
        raise ValueError(f"function {signature.this.sql('bigquery')} declares no RETURNS type")
    body = exp.cast(function.expression, returns.this)
    params = ", ".join(param.name for param in signature.expressions)
    return f"CREATE OR REPLACE MACRO {signature.this.sql('duckdb')}({params}) AS " + body.sql(
        "duckdb", unsupported_level=ErrorLevel.RAISE
    )


def _statement(statement: exp.Expr) -> str:
    if isinstance(statement, exp.Create) and statement.kind == "FUNCTION":
        return _as_macro(statement)
    return _drop_storage_hints(statement).sql("duckdb", unsupported_level=ErrorLevel.RAISE)


@cache
def to_duckdb(bigquery_sql: str) -> tuple[str, ...]:
    """BigQuery SQL text (one or more statements) as DuckDB statements."""
    return tuple(
        _statement(statement)
        for statement in sqlglot.parse(bigquery_sql, read="bigquery")
        if statement is not None
    )


def merge_statements(
    table: str, columns: Sequence[str], keys: Sequence[str], update: bool, prune: Prune | None
) -> list[str]:
    """BigQuery's MERGE as DuckDB statements over the registered frame `incoming`: delete the
    matched rows (when updating), then insert the rows with no match, both matched by the
    condition BigQuery's MERGE uses (partition range included)."""
    identifiers(table, *columns)
    target = f"{DATASET}.{table}"
    matches = match_condition(keys, prune, dialect="duckdb")
    listed = ", ".join(columns)
    insert = (
        f"INSERT INTO {target} ({listed}) SELECT {listed} FROM incoming s "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {matches})"
    )
    if not update:
        return [insert]
    return [f"DELETE FROM {target} t USING incoming s WHERE {matches}", insert]  # noqa: S608


class DuckDbWarehouse:
    def __init__(self, path: Path | str, sql_dir: Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._connection = duckdb.connect(str(path))
        self._connection.execute(f"CREATE SCHEMA IF NOT EXISTS {DATASET}")
        self._sql_dir = sql_dir
        self._lock = threading.Lock()
        self._hooks: list[Callable[[], None]] = []
        self._attached: dict[str, Any] = {}
        self._attach_lock = threading.Lock()
        self._closed = False
        self._in_memory = str(path) == ":memory:"
        self._appends = Path(f"{path}.appends")
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    @property
    def sql_dir(self) -> Path:
        return self._sql_dir

    @property
    def closed(self) -> bool:
        return self._closed

    def attached(self, key: str, make: Callable[[], T]) -> T:
        """One object per key for this warehouse's life, made on first use (an appender per
        table: two would each seal the other's segments)."""
        with self._attach_lock:
            if key not in self._attached:
                self._attached[key] = make()
            return cast(T, self._attached[key])

    def append_log_dir(self, table: str) -> Path:
        """Where rows appended to `table` are logged before they are loaded
        (duckdb_appender.py): beside the database file (a temporary directory for an
        in-memory one)."""
        identifiers(table)
        if not self._in_memory:
            return self._appends / table
        with self._lock:
            if self._scratch is None:
                self._scratch = tempfile.TemporaryDirectory(prefix="reachops-appends-")
        return Path(self._scratch.name) / table

    def append_log_dirs(self) -> list[Path]:
        """The tables that have a log on disk (none for an in-memory database: no other
        process can have left one)."""
        if self._in_memory or not self._appends.is_dir():
            return []
        return sorted(path for path in self._appends.iterdir() if path.is_dir())

    def before_each_statement(self, hook: Callable[[], None]) -> None:
        """`hook` runs before every statement but an `exclusive()` writer's (an appender's
        loader: every append that returned is in the table before anything reads or
        deletes)."""
        self._hooks.append(hook)

    def _before_statement(self) -> None:
        for hook in self._hooks:
            hook()

    def apply_schema(self) -> None:
        """Create SQL functions, tables and views, then replace the reference tables' rows with
        the current definitions (shared/metrics/definitions.py), so a changed bound reaches the
        SQL."""
        for name in schema_files(self._sql_dir):
            self.run(name)
        for table in reference_tables():
            self._replace_rows(table)

    def _replace_rows(self, table: ReferenceTable) -> None:
        columns = list(table.rows[0])
        identifiers(table.name, *columns)
        target = f"{DATASET}.{table.name}"
        marks = ", ".join("?" for _ in columns)
        self._before_statement()
        with self._lock:
            cursor = self._connection.cursor()
            cursor.execute("BEGIN TRANSACTION")
            cursor.execute(f"DELETE FROM {target}")  # noqa: S608 - identifiers checked
            cursor.executemany(
                f"INSERT INTO {target} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                [[row[column] for column in columns] for row in table.rows],
            )
            cursor.execute("COMMIT")

    def run(self, sql_file: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.run_statement(read_sql(self._sql_dir, sql_file), params)

    def run_statement(
        self, sql: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        statements = to_duckdb(sql)
        self._before_statement()
        with self._lock:
            cursor = self._connection.cursor()
            rows: list[dict[str, Any]] = []
            for statement in statements:
                wanted = set(_PARAMETER.findall(statement))
                cursor.execute(statement, {name: (params or {})[name] for name in wanted})
                if cursor.description:
                    columns = [column[0] for column in cursor.description]
                    rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
            return rows

    def merge_rows(
        self,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        keys: Sequence[str],
        *,
        update_existing: bool,
    ) -> None:
        if not rows:
            return
        frame = pd.DataFrame(latest_rows(rows, keys))  # the rule BigQuery's MERGE applies
        prune = prune_range(self._sql_dir, table, rows, keys)
        statements = merge_statements(table, list(frame.columns), keys, update_existing, prune)
        self._before_statement()
        with self._lock:
            cursor = self._connection.cursor()
            cursor.register("incoming", frame)
            # One transaction, as BigQuery's MERGE is one statement: a failed insert never
            # leaves the deleted rows gone.
            cursor.execute("BEGIN TRANSACTION")
            try:
                for statement in statements:
                    cursor.execute(statement)
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            finally:
                cursor.unregister("incoming")
            cursor.execute("COMMIT")

    @contextmanager
    def exclusive(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The connection, held under the lock every statement here takes, for a writer that
        brings its own (duckdb_appender.py appends through a DuckDB Appender)."""
        with self._lock:
            yield self._connection

    def tables_with_column(self, column: str) -> list[str]:
        self._before_statement()
        with self._lock:
            found = self._connection.execute(
                "SELECT c.table_name FROM information_schema.columns c "
                "JOIN information_schema.tables t USING (table_schema, table_name) "
                "WHERE c.table_schema = ? AND c.column_name = ? AND t.table_type = 'BASE TABLE' "
                "ORDER BY c.table_name",
                [DATASET, column],
            ).fetchall()
        return [str(row[0]) for row in found]

    def delete_rows(self, table: str, column: str, value: str, *, org_id: str | None = None) -> int:
        identifiers(table, column)
        tenant = "" if org_id is None else " AND org_id = ?"
        self._before_statement()
        with self._lock:
            deleted = self._connection.execute(
                f"DELETE FROM {DATASET}.{table} WHERE {column} = ?{tenant}",  # noqa: S608 - identifiers checked
                [value] if org_id is None else [value, org_id],
            ).fetchone()
        return int(deleted[0]) if deleted else 0

    def close(self) -> None:
        """Loads what is logged first (the hooks), then closes; what a failed load leaves in
        the log is loaded when the warehouse is next opened."""
        try:
            self._before_statement()
        finally:
            with self._lock:
                self._closed = True
                self._connection.close()
