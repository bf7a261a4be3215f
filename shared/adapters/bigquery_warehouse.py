"""Warehouse on BigQuery: the same SQL files, with typed named query parameters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from google.cloud import bigquery

from shared.adapters.sql_files import read_sql, schema_files

_SCALAR_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "BOOL"),
    (int, "INT64"),
    (float, "FLOAT64"),
    (datetime, "TIMESTAMP"),
    (date, "DATE"),
    (str, "STRING"),
)


def query_parameter(name: str, value: Any) -> bigquery.ScalarQueryParameter:
    """A typed parameter; None is sent as a NULL STRING (the SQL casts where it matters)."""
    if value is None:
        return bigquery.ScalarQueryParameter(name, "STRING", None)
    bigquery_type = next((bq for py, bq in _SCALAR_TYPES if isinstance(value, py)), None)
    if bigquery_type is None:
        raise TypeError(f"parameter {name!r}: no BigQuery type for {type(value).__name__}")
    return bigquery.ScalarQueryParameter(name, bigquery_type, value)


class BigQueryWarehouse:
    def __init__(self, client: bigquery.Client, sql_dir: Path) -> None:
        self._client = client
        self._sql_dir = sql_dir

    def apply_schema(self) -> None:
        for name in schema_files(self._sql_dir):
            self.run(name)

    def run(self, sql_file: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        config = bigquery.QueryJobConfig(
            query_parameters=[query_parameter(k, v) for k, v in (params or {}).items()]
        )
        job = self._client.query(read_sql(self._sql_dir, sql_file), job_config=config)
        return [dict(row.items()) for row in job.result()]
