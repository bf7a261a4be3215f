"""Reading the BigQuery-dialect SQL files that both warehouse adapters run.

Files may call the KPI formulas of shared/metrics/formulas.py as `{{ name(arg, ...) }}`;
`read_sql` renders them before either adapter sees the text, so BigQuery and DuckDB run the
same formula and no SQL file carries its own copy. Only files read at run time (rollups/,
queries/) may use them: functions/, schema/ and views/ are also deployed by terraform as plain
files. Formulas that views need too are persistent SQL functions in functions/ (the paid KPIs).
"""

from __future__ import annotations

import re
from pathlib import Path

import sqlglot
from sqlglot import exp

from shared.metrics.formulas import SQL_FORMULAS

DATASET = "reachops"
"""Every environment is its own GCP project; the dataset has this one name in all of them."""

SCHEMA_FOLDERS = ("functions", "schema", "views")
"""Applied in this order: the SQL functions, then tables, then the views that call and read them
(views in dependency order, see `view_dependencies`)."""

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
    """Every DDL file, in an order that creates each object after what it reads: a view is
    checked against its sources when it is created, and names do not sort that way."""
    files = [
        f"{folder}/{path.name}"
        for folder in SCHEMA_FOLDERS[:-1]
        for path in sorted((sql_dir / folder).glob("*.sql"))
    ]
    reads = view_dependencies(sql_dir)
    done: list[str] = []
    while len(done) < len(reads):
        ready = sorted(v for v, needs in reads.items() if v not in done and needs <= set(done))
        if not ready:
            raise ValueError(f"views read each other in a cycle: {sorted(set(reads) - set(done))}")
        done.extend(ready)
    return files + [f"views/{name}.sql" for name in done]


def view_dependencies(sql_dir: Path) -> dict[str, set[str]]:
    """Each view (by file name) -> the other views it reads (`reachops.<view>` in its SQL)."""
    paths = sorted((sql_dir / "views").glob("*.sql"))
    names = {path.stem for path in paths}
    return {
        path.stem: {
            table.name
            for statement in sqlglot.parse(read_sql(sql_dir, f"views/{path.name}"), "bigquery")
            if statement is not None
            for table in statement.find_all(exp.Table)
            if table.db == DATASET and table.name in names and table.name != path.stem
        }
        for path in paths
    }


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def identifiers(*names: str) -> None:
    """Table and column names are spliced into SQL text; only plain identifiers may be."""
    for name in names:
        if not _IDENTIFIER.fullmatch(name):
            raise ValueError(f"not a plain SQL identifier: {name!r}")
