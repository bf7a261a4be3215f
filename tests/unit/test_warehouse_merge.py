"""The MERGE both warehouse adapters run: the BigQuery statement (transpiled and run on DuckDB
against duplicate staging rows) keeps the latest row exactly as the DuckDB adapter does, every
merge call's key holds its table's partition column where the table is partitioned by one, and
a MERGE that raced another one is run again."""

from __future__ import annotations

import ast
import importlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import sqlglot
from google.api_core.exceptions import BadRequest
from google.api_core.retry import Retry
from google.cloud import bigquery
from sqlglot.errors import ErrorLevel

from shared.adapters.bigquery_warehouse import BigQueryWarehouse, concurrent_update
from shared.adapters.duckdb_warehouse import DuckDbWarehouse, to_duckdb
from shared.adapters.sql_files import read_sql
from shared.adapters.warehouse_merge import merge_sql, partitioning, prune_range

ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = ROOT / "bigquery_sql"
OLD, NEW = datetime(2026, 11, 1, 9, tzinfo=UTC), datetime(2026, 11, 2, 9, tzinfo=UTC)
KEYS = ["org_id", "platform", "account_id", "level", "object_id"]


def ad_objects_table() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("CREATE SCHEMA reachops")
    for statement in to_duckdb(read_sql(SQL_DIR, "schema/ad_objects.sql")):
        connection.execute(statement)
    return connection


COLUMNS = [str(r[0]) for r in ad_objects_table().execute("DESCRIBE reachops.ad_objects").fetchall()]


def ad_object(name: str, synced_at: datetime) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    return {**row, "org_id": "o1", "platform": "meta", "account_id": "a1", "level": "ad",
            "object_id": "ad1", "name": name, "currency": "EUR",
            "synced_at": synced_at}  # fmt: skip


def stored_names(connection: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in connection.execute("SELECT name FROM reachops.ad_objects").fetchall()]


def test_the_bigquery_merge_keeps_the_latest_of_duplicate_staging_rows() -> None:
    connection = ad_objects_table()
    connection.execute("CREATE TABLE reachops._staging_x AS SELECT * FROM reachops.ad_objects")
    for row_data in (ad_object("stale", OLD), ad_object("latest", NEW), ad_object("older", OLD)):
        row = pd.DataFrame([row_data])[COLUMNS]  # noqa: F841 - read by name in the SQL
        connection.execute("INSERT INTO reachops._staging_x SELECT * FROM row")

    for update in (False, True):
        sql = merge_sql("reachops.ad_objects", "reachops._staging_x", COLUMNS, KEYS, update=update)
        (statement,) = sqlglot.transpile(
            sql, read="bigquery", write="duckdb", unsupported_level=ErrorLevel.RAISE
        )
        connection.execute(statement)
        assert stored_names(connection) == ["latest"]


def test_the_duckdb_adapter_keeps_the_same_row(tmp_path: Path) -> None:
    warehouse = DuckDbWarehouse(tmp_path / "w.duckdb", SQL_DIR)
    warehouse.apply_schema()
    rows = [ad_object("latest", NEW), ad_object("older", OLD)]
    warehouse.merge_rows("ad_objects", rows, KEYS, update_existing=True)
    warehouse.close()
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        assert stored_names(connection) == ["latest"]


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


def test_every_merge_key_holds_the_partition_column_of_a_table_partitioned_by_value() -> None:
    calls = merge_calls()
    assert len(calls) >= 8
    by_value = 0
    for module, table, keys in calls:
        found = partitioning(SQL_DIR, table)
        if found is not None and found.by_value:
            by_value += 1
            assert found.column in keys, f"{module}: merge into {table} keys {keys}"
    assert by_value >= 4


def test_the_merge_bounds_the_partitions_it_touches() -> None:
    rows = [{"date": date(2026, 11, 3)}, {"date": date(2026, 11, 1)}]
    keys = ["org_id", "date"]
    prune = prune_range(SQL_DIR, "ad_insights_daily", rows, keys)
    assert prune == ("date", date(2026, 11, 1), date(2026, 11, 3))
    sql = merge_sql("p.reachops.ad_insights_daily", "p.reachops.s", ["org_id", "date"], keys,
                    update=True, prune=prune)  # fmt: skip
    assert "t.date BETWEEN DATE '2026-11-01' AND DATE '2026-11-03'" in sql
    assert prune_range(SQL_DIR, "post_matches", [{"updated_at": OLD}], ["org_id"]) is None


class RacingJob:
    def __init__(self, client: RacingClient) -> None:
        self._client = client

    def result(self) -> None:
        self._client.runs += 1
        if self._client.runs == 1:
            raise BadRequest(  # type: ignore[no-untyped-call]
                "Could not serialize access to table p:reachops.t due to concurrent update"
            )


class RacingClient:
    """BigQuery as a racing MERGE meets it (no local BigQuery exists): the first MERGE job
    fails with the concurrent-update error, the next one succeeds."""

    project = "p"

    def __init__(self) -> None:
        self.runs = 0
        self.deleted: list[str] = []

    def get_table(self, table_id: str) -> bigquery.Table:
        fields = [bigquery.SchemaField(c, "STRING") for c in ("org_id", "v", "synced_at")]
        return bigquery.Table(table_id.replace(":", "."), schema=fields)

    def create_table(self, table: bigquery.Table) -> None: ...

    def load_table_from_json(self, *_args: Any, **_kwargs: Any) -> Any:
        return type("Done", (), {"result": lambda self: None})()

    def query(self, _sql: str) -> RacingJob:
        return RacingJob(self)

    def delete_table(self, table_id: str, not_found_ok: bool) -> None:
        self.deleted.append(table_id)


def test_a_merge_that_raced_another_is_run_again() -> None:
    client = RacingClient()
    fast = Retry(predicate=concurrent_update, initial=0.01, maximum=0.02, timeout=5)
    warehouse = BigQueryWarehouse(client, SQL_DIR, merge_retry=fast)  # type: ignore[arg-type]
    warehouse.merge_rows("campaign_events", [{"org_id": "o1"}], ["org_id"], update_existing=False)
    assert client.runs == 2
    assert len(client.deleted) == 1
    assert not concurrent_update(BadRequest("Syntax error"))  # type: ignore[no-untyped-call]


@pytest.mark.parametrize("table", ["ad_insights_daily", "ad_breakdowns_daily", "ad_insights_range"])
def test_tables_partitioned_by_a_business_date_are_read_as_such(table: str) -> None:
    found = partitioning(SQL_DIR, table)
    assert found is not None
    assert found.by_value
