"""What a warehouse MERGE means, for both adapters: which of a key's duplicate rows wins, which
column prunes the target's partitions, and the BigQuery statement that does it.

- Among rows with one key, the most recent wins: the greatest of the table's first recency
  column (`RECENCY_COLUMNS`), ties to the last one given. BigQuery loses the staging rows'
  order, so its MERGE orders by that column; DuckDB keeps the input order and sorts by it.
- A MERGE prunes the target's partitions only when the statement filters the partition
  column by constants. Tables partitioned by a business column (`date`, `until`) have it in
  every merge key, so the rows' own values bound the partitions the MERGE touches. Tables
  partitioned by the time of the write (`DATE(updated_at)` of latest-state tables, the
  scrape time of snapshots) cannot: the stored row of a key may sit in any partition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from shared.adapters.sql_files import identifiers

RECENCY_COLUMNS = ("synced_at", "updated_at", "computed_at", "scraped_at", "occurred_at")


def recency_column(columns: Sequence[str]) -> str | None:
    return next((c for c in RECENCY_COLUMNS if c in columns), None)


def latest_rows(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> list[Mapping[str, Any]]:
    """One row per key, the most recent (ties: the last given), in first-seen key order. Both
    adapters apply it before writing; BigQuery's MERGE orders the staging rows the same way
    again, for the duplicates a retried load job can leave in the staging table."""
    recency = recency_column(list(rows[0])) if rows else None
    latest: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        key = tuple(row.get(k) for k in keys)
        kept = latest.get(key)
        if kept is None or recency is None or not _older(row[recency], kept[recency]):
            latest[key] = row
    return list(latest.values())


def _older(value: Any, than: Any) -> bool:
    return value is None or (than is not None and value < than)


@dataclass(frozen=True)
class Partitioning:
    """A table's PARTITION BY: the column, and whether it is the column itself (a business
    date a key can hold) or a DATE() of a write timestamp."""

    column: str
    by_value: bool


@cache
def partitioning(sql_dir: Path, table: str) -> Partitioning | None:
    """Read from the table's DDL in bigquery_sql/schema/ (the one definition)."""
    text = (sql_dir / "schema" / f"{table}.sql").read_text(encoding="utf-8")
    statements = [s for s in sqlglot.parse(text, read="bigquery") if isinstance(s, exp.Create)]
    found = next((p for s in statements for p in s.find_all(exp.PartitionedByProperty)), None)
    if found is None:
        return None
    if isinstance(found.this, exp.Column | exp.Identifier):
        return Partitioning(column=found.this.name, by_value=True)
    column = found.this.find(exp.Column)
    return None if column is None else Partitioning(column=column.name, by_value=False)


def merge_sql(
    target_id: str,
    staging_id: str,
    columns: Sequence[str],
    keys: Sequence[str],
    *,
    update: bool,
    prune: tuple[str, Any, Any] | None = None,
) -> str:
    """BigQuery MERGE of `staging_id` into `target_id`: the most recent staging row of each
    key; `prune` (column, lowest, highest value of the rows) bounds the target partitions."""
    identifiers(*columns, *keys)
    matches = " AND ".join(f"t.{k} IS NOT DISTINCT FROM s.{k}" for k in keys)
    if prune is not None:
        column, lowest, highest = prune
        identifiers(column)
        matches += f" AND t.{column} BETWEEN {_literal(lowest)} AND {_literal(highest)}"
    recency = recency_column(columns)
    order = f" ORDER BY {recency} DESC" if recency else ""
    window = f"PARTITION BY {', '.join(keys)}{order}"
    source = f"SELECT * FROM `{staging_id}` QUALIFY ROW_NUMBER() OVER ({window}) = 1"  # noqa: S608
    sql = f"MERGE `{target_id}` t USING ({source}) s ON {matches} "
    if update:
        assignments = ", ".join(f"{c} = s.{c}" for c in columns if c not in keys)
        sql += f"WHEN MATCHED THEN UPDATE SET {assignments} "
    listed = ", ".join(columns)
    values = ", ".join(f"s.{c}" for c in columns)
    return sql + f"WHEN NOT MATCHED THEN INSERT ({listed}) VALUES ({values})"  # noqa: S608


def prune_range(
    sql_dir: Path, table: str, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> tuple[str, Any, Any] | None:
    """The partition bounds of `rows` when the table's partition column is in the key."""
    found = partitioning(sql_dir, table)
    if found is None or not found.by_value or found.column not in keys:
        return None
    values = [row[found.column] for row in rows]
    return found.column, min(values), max(values)


def _literal(value: Any) -> str:
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat()}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return f"DATE '{date.fromisoformat(str(value)).isoformat()}'"
