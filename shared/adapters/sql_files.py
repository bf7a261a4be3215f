"""Reading the BigQuery-dialect SQL files that both warehouse adapters run."""

from __future__ import annotations

import re
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


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def identifiers(*names: str) -> None:
    """Table and column names are spliced into SQL text; only plain identifiers may be."""
    for name in names:
        if not _IDENTIFIER.fullmatch(name):
            raise ValueError(f"not a plain SQL identifier: {name!r}")
