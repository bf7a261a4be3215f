"""Warehouse on BigQuery: the same SQL files, with typed named query parameters."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from google.api_core.exceptions import GoogleAPICallError
from google.api_core.retry import Retry
from google.cloud import bigquery

from shared.adapters.sql_files import DATASET, identifiers, read_sql, schema_files
from shared.adapters.warehouse_merge import latest_rows, merge_sql, prune_range
from shared.metrics.definitions import reference_tables

_SCALAR_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "BOOL"),
    (int, "INT64"),
    (float, "FLOAT64"),
    (datetime, "TIMESTAMP"),
    (date, "DATE"),
    (str, "STRING"),
)


def query_parameter(
    name: str, value: Any
) -> bigquery.ScalarQueryParameter | bigquery.ArrayQueryParameter:
    """A typed parameter; None is sent as a NULL STRING (the SQL casts where it matters).
    A list or tuple is an ARRAY of its items' type (STRING when empty)."""
    if value is None:
        return bigquery.ScalarQueryParameter(name, "STRING", None)
    if isinstance(value, list | tuple):
        item = next((bq for py, bq in _SCALAR_TYPES for v in value[:1] if isinstance(v, py)), None)
        return bigquery.ArrayQueryParameter(name, item or "STRING", list(value))
    bigquery_type = next((bq for py, bq in _SCALAR_TYPES if isinstance(value, py)), None)
    if bigquery_type is None:
        raise TypeError(f"parameter {name!r}: no BigQuery type for {type(value).__name__}")
    return bigquery.ScalarQueryParameter(name, bigquery_type, value)


def concurrent_update(error: BaseException) -> bool:
    """BigQuery refuses a mutating DML statement that raced another one on the same table
    ("Could not serialize access to table ... due to concurrent update") and cancels a
    multi-statement transaction that did ("Transaction is aborted due to concurrent update
    against table ..."); run again, it succeeds."""
    return (
        isinstance(error, GoogleAPICallError) and "due to concurrent update" in str(error).lower()
    )


MERGE_RETRY = Retry(predicate=concurrent_update, initial=1.0, maximum=30.0, timeout=300.0)
"""Concurrent writes into one table (parallel syncs, a replay beside a run, two rollups) back off
and run again: every write the adapter runs (a MERGE, a SQL file) is idempotent, and a failed
statement or transaction has changed nothing it would not write again."""


class BigQueryWarehouse:
    def __init__(self, client: bigquery.Client, sql_dir: Path, merge_retry: Retry = MERGE_RETRY):
        self._client = client
        self._sql_dir = sql_dir
        self._merge_retry = merge_retry

    def apply_schema(self) -> None:
        """Create tables and views, then replace the reference tables' rows with the current
        definitions in one load job each (WRITE_TRUNCATE swaps the contents atomically).
        Production gets the same rows from terraform, which reads the same YAML."""
        for name in schema_files(self._sql_dir):
            self.run(name)
        for table in reference_tables():
            target = self._client.get_table(f"{self._client.project}.{DATASET}.{table.name}")
            config = bigquery.LoadJobConfig(
                schema=target.schema, write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE
            )
            rows = [dict(row) for row in table.rows]
            self._client.load_table_from_json(rows, target, job_config=config).result()

    def merge_rows(
        self,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        keys: Sequence[str],
        *,
        update_existing: bool,
    ) -> None:
        """Load into a short-lived staging table with the target's schema, then MERGE."""
        if not rows:
            return
        target = self._client.get_table(f"{self._client.project}.{DATASET}.{table}")
        staging_id = f"{self._client.project}.{DATASET}._staging_{table}_{uuid.uuid4().hex}"
        staging = bigquery.Table(staging_id, schema=target.schema)
        staging.expires = datetime.now(UTC) + timedelta(hours=1)
        self._client.create_table(staging)
        try:
            config = bigquery.LoadJobConfig(schema=target.schema)
            payload = [_jsonable(row) for row in latest_rows(rows, keys)]
            self._client.load_table_from_json(payload, staging_id, job_config=config).result()
            sql = merge_sql(
                f"{target.project}.{target.dataset_id}.{target.table_id}",
                staging_id,
                [field.name for field in target.schema],
                keys,
                update=update_existing,
                prune=prune_range(self._sql_dir, table, rows, keys),
            )
            self._merge_retry(lambda: self._client.query(sql).result())()
        finally:
            self._client.delete_table(staging_id, not_found_ok=True)

    def run(self, sql_file: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.run_statement(read_sql(self._sql_dir, sql_file), params)

    def run_statement(
        self, sql: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        config = bigquery.QueryJobConfig(
            query_parameters=[query_parameter(k, v) for k, v in (params or {}).items()]
        )
        rows = self._merge_retry(lambda: self._client.query(sql, job_config=config).result())()
        return [dict(row.items()) for row in rows]

    def tables_with_column(self, column: str) -> list[str]:
        dataset = f"`{self._client.project}.{DATASET}.INFORMATION_SCHEMA"
        sql = (
            f"SELECT c.table_name FROM {dataset}.COLUMNS` c "  # noqa: S608 - fixed names
            f"JOIN {dataset}.TABLES` t USING (table_name) "
            "WHERE c.column_name = @column AND t.table_type = 'BASE TABLE' "
            "AND NOT STARTS_WITH(c.table_name, '_staging_') ORDER BY c.table_name"
        )
        config = bigquery.QueryJobConfig(query_parameters=[query_parameter("column", column)])
        return [str(row["table_name"]) for row in self._client.query(sql, job_config=config)]

    def delete_rows(self, table: str, column: str, value: str, *, org_id: str | None = None) -> int:
        """A DML DELETE with no partition filter scans `column` across the whole table (the
        tables are clustered by org_id, which prunes blocks); it fails on rows still in a
        streaming buffer, and the caller retries later."""
        identifiers(table, column)
        target = f"`{self._client.project}.{DATASET}.{table}`"
        parameters = {"value": value} if org_id is None else {"value": value, "org_id": org_id}
        tenant = "" if org_id is None else " AND org_id = @org_id"
        config = bigquery.QueryJobConfig(
            query_parameters=[query_parameter(k, v) for k, v in parameters.items()]
        )
        job = self._client.query(
            f"DELETE FROM {target} WHERE {column} = @value{tenant}",  # noqa: S608 - identifiers checked
            job_config=config,
        )
        job.result()
        return int(job.num_dml_affected_rows or 0)


def _jsonable(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in row.items()}
