"""Reading the BigQuery-dialect SQL files that both warehouse adapters run.

Files may call the KPI formulas of shared/metrics/formulas.py as `{{ name(arg, ...) }}`;
`read_sql` renders them before either adapter sees the text, so BigQuery and DuckDB run the
same formula and no SQL file carries its own copy. Only files read at run time (rollups/,
queries/) may use them: schema/ and views/ are also deployed by terraform as plain files.
"""

from __future__ import annotations

import re
from pathlib import Path

from shared.metrics.formulas import SQL_FORMULAS

DATASET = "reachops"
"""Every environment is its own GCP project; the dataset has this one name in all of them."""

SCHEMA_FOLDERS = ("schema", "views")
"""Applied in this order: tables first, then the views that read them."""

_FORMULA_CALL = re.compile(r"\{\{\s*(\w+)\(([^(){}]*)\)\s*\}\}")


def read_sql(sql_dir: Path, name: str) -> str:
    """`name` is relative to bigquery_sql/, e.g. "queries/record_campaign_event.sql"."""
    return render_formulas((sql_dir / name).read_text(encoding="utf-8"))


def render_formulas(sql: str) -> str:
    """Replace each `{{ formula(args) }}` with the formula's SQL over those column references."""

    def expand(call: re.Match[str]) -> str:
        name, listed = call.group(1), call.group(2)
        formula = SQL_FORMULAS.get(name)
        if formula is None:
            raise ValueError(f"unknown SQL formula {name!r}")
        args = [arg.strip() for arg in listed.split(",")]
        if len(args) != len(formula.params):
            raise ValueError(f"{name} takes {len(formula.params)} arguments, got {len(args)}")
        return "(" + formula.body.format(**dict(zip(formula.params, args, strict=True))) + ")"

    rendered = _FORMULA_CALL.sub(expand, sql)
    if "{{" in rendered:
        raise ValueError("malformed {{ formula(...) }} call in SQL")
    return rendered


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
