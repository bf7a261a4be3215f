"""Every MERGE prunes its target's partitions: a merged table is partitioned (if at all) by a
column its merge key holds, and each MERGE statement, the ones both adapters generate and the
ones in bigquery_sql/, matches on that column; the adapters' statements also bound it by
constants, which is what lets BigQuery skip the other partitions."""

from __future__ import annotations

import ast
import importlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from shared.adapters.duckdb_warehouse import merge_statements
from shared.adapters.warehouse_merge import (
    Prune,
    match_condition,
    merge_sql,
    partitioning,
    recency_column,
)

ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = ROOT / "bigquery_sql"
SCHEMA_TABLES = sorted(p.stem for p in (SQL_DIR / "schema").glob("*.sql"))


def merge_calls() -> list[tuple[str, str, tuple[str, ...]]]:
    """(module, table, keys) of every `merge_rows(table, rows, keys, ...)` call in shared/,
    resolved in the calling module's namespace (a local `keys = [...]` read from the source
    of the calling function)."""
    found = []
    for path in sorted((ROOT / "shared").rglob("*.py")):
        if path.name == "guard.py":  # the tombstone guard passes its caller's call through
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            local = {
                t.id: node.value
                for node in ast.walk(function)
                if isinstance(node, ast.Assign)
                for t in node.targets
                if isinstance(t, ast.Name)
            }
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "merge_rows":
                    namespace = vars(importlib.import_module(module))
                    table, keys = (
                        resolve(a, namespace, local) for a in (node.args[0], node.args[2])
                    )
                    found.append((module, str(table), tuple(keys)))
    return sorted(set(found))  # nested functions walk twice


def resolve(node: ast.expr, namespace: dict[str, Any], local: dict[str, ast.expr]) -> Any:
    if isinstance(node, ast.Name) and node.id not in namespace:
        node = local[node.id]
    return eval(compile(ast.Expression(node), "<merge call>", "eval"), namespace)  # noqa: S307


CALLS = merge_calls()


def sample_prune(table: str) -> Prune | None:
    """Two rows' partition values, as the adapters compute them from the rows they merge."""
    found = partitioning(SQL_DIR, table)
    if found is None:
        return None
    if found.by_value:
        return Prune(found.column, True, date(2026, 11, 1), date(2026, 11, 3))
    low, high = datetime(2026, 11, 1, 9, tzinfo=UTC), datetime(2026, 11, 3, 17, tzinfo=UTC)
    return Prune(found.column, False, low, high)


def matches_column(condition: exp.Expr, target: str, column: str) -> bool:
    """The condition equates the target's `column` with the source's."""
    for node in condition.find_all(exp.EQ, exp.NullSafeEQ):
        sides = {
            (c.table, c.name) for c in (node.this, node.expression) if isinstance(c, exp.Column)
        }
        if (target, column) in sides and len(sides) == 2:
            return True
    return False


def bounds_column(condition: exp.Expr, target: str, column: str) -> bool:
    """The condition holds `target.column BETWEEN <constant> AND <constant>`."""
    return any(
        isinstance(b.this, exp.Column)
        and (b.this.table, b.this.name) == (target, column)
        and not list(b.args["low"].find_all(exp.Column))
        and not list(b.args["high"].find_all(exp.Column))
        for b in condition.find_all(exp.Between)
    )


def test_every_schema_ddl_parses_and_partitions_by_a_column_or_its_day() -> None:
    for table in SCHEMA_TABLES:
        found = partitioning(SQL_DIR, table)
        text = (SQL_DIR / "schema" / f"{table}.sql").read_text(encoding="utf-8")
        assert (found is None) == ("PARTITION BY" not in text), table


def test_the_merge_calls_are_all_found() -> None:
    tables = {table for _, table, _ in CALLS}
    assert len(CALLS) >= 15
    assert {"post_matches", "ad_objects", "session_resolutions", "track_events"} <= tables


@pytest.mark.parametrize(("module", "table", "keys"), CALLS)
def test_a_merged_table_is_partitioned_by_a_column_of_its_key(
    module: str, table: str, keys: tuple[str, ...]
) -> None:
    found = partitioning(SQL_DIR, table)
    assert found is None or found.column in keys, f"{module}: merge into {table} keys {keys}"


@pytest.mark.parametrize(("module", "table", "keys"), CALLS)
def test_the_bigquery_merge_matches_and_bounds_the_partition_column(
    module: str, table: str, keys: tuple[str, ...]
) -> None:
    prune = sample_prune(table)
    sql = merge_sql(f"p.reachops.{table}", "p.reachops._s", keys, keys, update=True, prune=prune)
    merge = sqlglot.parse_one(sql, read="bigquery")
    assert isinstance(merge, exp.Merge)
    on = merge.args["on"]
    assert all(matches_column(on, "t", key) for key in keys), sql
    if prune is not None:
        assert bounds_column(on, "t", prune.column), f"{module}: {sql}"


@pytest.mark.parametrize(("module", "table", "keys"), CALLS)
def test_the_duckdb_merge_matches_and_bounds_the_partition_column(
    module: str, table: str, keys: tuple[str, ...]
) -> None:
    prune = sample_prune(table)
    for statement in merge_statements(table, keys, keys, True, prune):
        where = sqlglot.parse_one(statement, read="duckdb").find(exp.Where)
        assert where is not None
        assert all(matches_column(where, "t", key) for key in keys), statement
        if prune is not None:
            assert bounds_column(where, "t", prune.column), f"{module}: {statement}"


@pytest.mark.parametrize("table", sorted({table for _, table, _ in CALLS}))
def test_a_merged_table_has_a_recency_column_that_picks_the_latest_row(table: str) -> None:
    text = (SQL_DIR / "schema" / f"{table}.sql").read_text(encoding="utf-8")
    create = next(s for s in sqlglot.parse(text, read="bigquery") if isinstance(s, exp.Create))
    columns = [c.name for c in create.find_all(exp.ColumnDef)]
    assert recency_column(columns) is not None, table


def test_the_bounds_are_the_rows_own_values_as_constants() -> None:
    prune = Prune("scraped_at", False, datetime(2026, 11, 1, 9), datetime(2026, 11, 2, 9))
    condition = match_condition(["run_id", "scraped_at"], prune)
    assert (
        "t.scraped_at BETWEEN TIMESTAMP '2026-11-01T09:00:00+00:00' "
        "AND TIMESTAMP '2026-11-02T09:00:00+00:00'" in condition
    )
    by_day = match_condition(["date"], Prune("date", True, "2026-11-01", date(2026, 11, 2)))
    assert by_day.endswith("t.date BETWEEN DATE '2026-11-01' AND DATE '2026-11-02'")


def sql_file_merges() -> list[tuple[str, exp.Merge]]:
    found = []
    for path in sorted(SQL_DIR.rglob("*.sql")):
        if "MERGE" not in path.read_text(encoding="utf-8").upper():
            continue
        for statement in sqlglot.parse(path.read_text(encoding="utf-8"), read="bigquery"):
            for merge in statement.find_all(exp.Merge) if statement else ():
                found.append((str(path.relative_to(SQL_DIR)), merge))
    return found


def test_every_merge_in_the_sql_files_matches_on_its_target_partition_column() -> None:
    merges = sql_file_merges()
    assert len(merges) >= 4
    for name, merge in merges:
        target = merge.this
        assert isinstance(target, exp.Table)
        found = partitioning(SQL_DIR, target.name)
        if found is not None:
            alias = target.alias_or_name
            assert matches_column(merge.args["on"], alias, found.column), name
