"""What a warehouse MERGE means, for both adapters: which of a key's duplicate rows wins, which
column prunes the target's partitions, and the condition that matches a staging row to its
stored row.

- Among rows with one key, the most recent wins: the greatest of the table's first recency
  column (`RECENCY_COLUMNS`), ties to the last one given. BigQuery loses the staging rows'
  order, so its MERGE orders by that column; DuckDB keeps the input order and sorts by it.
- A MERGE prunes the target's partitions only when the statement filters the partition
  column by constants. Every merged table that is partitioned is partitioned by a column its
  merge key holds and that never changes for a key: a business date (`date`, `until`, `day`)
  or the time of the fact itself (a scrape's `scraped_at`, an event's `occurred_at`, a
  session's `started_at`). The rows' own values of that column then bound the partitions a
  MERGE can touch, and the condition says so with constants. Latest-state tables with no such
  column are not partitioned at all (tests/unit/test_partition_pruning.py holds both rules).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from shared.adapters.sql_files import identifiers

RECENCY_COLUMNS = (
    "synced_at",
    "updated_at",
    "computed_at",
    "scored_at",
    "scraped_at",
    "occurred_at",
    "resolved_at",
    "generated_at",
    "linked_at",
    "created_at",
)
"""When a row was written or observed, in order of preference; every merged table has one
(tests/unit/test_partition_pruning.py), so the latest row of a key is never chosen at random."""


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
    """A table's PARTITION BY: the column, and whether it is the column itself (a DATE) or
    the DATE() of a TIMESTAMP column (bounded by TIMESTAMP constants)."""

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


def match_condition(keys: Sequence[str], prune: Prune | None, dialect: str = "bigquery") -> str:
    """`t` (the target) matches `s` (a staging row) on every key column; `prune` (column,
    lowest, highest value of the rows) adds the constant range BigQuery prunes partitions by.
    Written once in BigQuery SQL and transpiled, so both adapters match rows identically."""
    identifiers(*keys)
    condition = " AND ".join(f"t.{k} IS NOT DISTINCT FROM s.{k}" for k in keys)
    if prune is not None:
        identifiers(prune.column)
        low, high = (_literal(v, prune.by_value) for v in (prune.lowest, prune.highest))
        condition += f" AND t.{prune.column} BETWEEN {low} AND {high}"
    if dialect == "bigquery":
        return condition
    (transpiled,) = sqlglot.transpile(
        condition, read="bigquery", write=dialect, unsupported_level=ErrorLevel.RAISE
    )
    return transpiled


def merge_sql(
    target_id: str,
    staging_id: str,
    columns: Sequence[str],
    keys: Sequence[str],
    *,
    update: bool,
    prune: Prune | None = None,
) -> str:
    """BigQuery MERGE of `staging_id` into `target_id`: the most recent staging row of each
    key, matched by `match_condition`."""
    identifiers(*columns, *keys)
    recency = recency_column(columns)
    order = f" ORDER BY {recency} DESC" if recency else ""
    window = f"PARTITION BY {', '.join(keys)}{order}"
    source = f"SELECT * FROM `{staging_id}` QUALIFY ROW_NUMBER() OVER ({window}) = 1"  # noqa: S608
    sql = f"MERGE `{target_id}` t USING ({source}) s ON {match_condition(keys, prune)} "
    if update:
        assignments = ", ".join(f"{c} = s.{c}" for c in columns if c not in keys)
        sql += f"WHEN MATCHED THEN UPDATE SET {assignments} "
    listed = ", ".join(columns)
    values = ", ".join(f"s.{c}" for c in columns)
    return sql + f"WHEN NOT MATCHED THEN INSERT ({listed}) VALUES ({values})"  # noqa: S608


@dataclass(frozen=True)
class Prune:
    """The partition column's lowest and highest value among a MERGE's rows."""

    column: str
    by_value: bool
    lowest: Any
    highest: Any


def prune_range(
    sql_dir: Path, table: str, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> Prune | None:
    """The partition bounds of `rows` when the table's partition column is in the key."""
    found = partitioning(sql_dir, table)
    if found is None or found.column not in keys:
        return None
    values: list[Any] = [row.get(found.column) for row in rows]
    if not values or any(v is None for v in values):
        return None
    return Prune(found.column, found.by_value, min(values), max(values))


def _literal(value: Any, by_value: bool) -> str:
    """A DATE constant for a business-date column, a TIMESTAMP one for a DATE() partition's
    timestamp (a string is read as ISO 8601, as JSON rows carry them)."""
    if by_value:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        return f"DATE '{(day.date() if isinstance(day, datetime) else day).isoformat()}'"
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return f"TIMESTAMP '{(at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()}'"
