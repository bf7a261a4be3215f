"""Reading the BigQuery-dialect SQL files that both warehouse adapters run."""

from __future__ import annotations

from pathlib import Path

DATASET = "reachops"
"""Every environment is its own GCP project; the dataset has this one name in all of them."""

SCHEMA_FOLDERS = ("schema", "views")
"""Applied in this order: tables first, then the views that read them."""


def read_sql(sql_dir: Path, name: str) -> str:
    """`name` is relative to bigquery_sql/, e.g. "queries/record_campaign_event.sql"."""
    return (sql_dir / name).read_text(encoding="utf-8")


def schema_files(sql_dir: Path) -> list[str]:
    return [
        f"{folder}/{path.name}"
        for folder in SCHEMA_FOLDERS
        for path in sorted((sql_dir / folder).glob("*.sql"))
    ]
