"""The MERGE both warehouse adapters run: the BigQuery statement (transpiled and run on DuckDB
against duplicate staging rows) keeps the latest row exactly as the DuckDB adapter does, both
bound the partitions they touch (every merge call's key is checked in
test_partition_pruning.py), and a MERGE that raced another one is run again."""

from __future__ import annotations

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
from shared.adapters.warehouse_merge import Prune, merge_sql, partitioning, prune_range

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


def test_the_bigquery_merge_bounded_by_its_partitions_matches_only_inside_them() -> None:
    """The pruned statement, run on DuckDB: the staging row of a stored key within the bounds
    is a no-op, another key inside them is inserted."""
    connection = duckdb.connect()
    connection.execute("CREATE SCHEMA reachops")
    for statement in to_duckdb(read_sql(SQL_DIR, "schema/post_snapshots.sql")):
        connection.execute(statement)
    columns = [str(r[0]) for r in connection.execute("DESCRIBE reachops.post_snapshots").fetchall()]
    keys = ["run_id", "platform", "platform_post_id", "scraped_at"]
    row = {
        **dict.fromkeys(columns),
        "org_id": "o1",
        "creator_id": "c1",
        "platform": "instagram",
        "platform_post_id": "p1",
        "scraped_at": OLD,
        "run_id": "r1",
        "actor_id": "a",
    }
    stored = pd.DataFrame([row])[columns]  # noqa: F841 - read by name in the SQL
    connection.execute("INSERT INTO reachops.post_snapshots SELECT * FROM stored")
    staged = pd.DataFrame([row, {**row, "platform_post_id": "p2"}])[columns]  # noqa: F841
    connection.execute("CREATE TABLE reachops._staging_s AS SELECT * FROM staged")
    prune = prune_range(SQL_DIR, "post_snapshots", [row], keys)
    sql = merge_sql("reachops.post_snapshots", "reachops._staging_s", columns, keys,
                    update=False, prune=prune)  # fmt: skip
    (statement,) = sqlglot.transpile(
        sql, read="bigquery", write="duckdb", unsupported_level=ErrorLevel.RAISE
    )
    connection.execute(statement)
    found = connection.execute(
        "SELECT platform_post_id FROM reachops.post_snapshots ORDER BY 1"
    ).fetchall()
    assert found == [("p1",), ("p2",)]


def test_the_duckdb_adapter_keeps_the_same_row(tmp_path: Path) -> None:
    warehouse = DuckDbWarehouse(tmp_path / "w.duckdb", SQL_DIR)
    warehouse.apply_schema()
    rows = [ad_object("latest", NEW), ad_object("older", OLD)]
    warehouse.merge_rows("ad_objects", rows, KEYS, update_existing=True)
    warehouse.close()
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        assert stored_names(connection) == ["latest"]


def test_the_merge_bounds_the_partitions_it_touches() -> None:
    rows = [{"date": date(2026, 11, 3)}, {"date": date(2026, 11, 1)}]
    keys = ["org_id", "date"]
    prune = prune_range(SQL_DIR, "ad_insights_daily", rows, keys)
    assert prune == Prune("date", True, date(2026, 11, 1), date(2026, 11, 3))
    sql = merge_sql("p.reachops.ad_insights_daily", "p.reachops.s", ["org_id", "date"], keys,
                    update=True, prune=prune)  # fmt: skip
    assert "t.date BETWEEN DATE '2026-11-01' AND DATE '2026-11-03'" in sql
    snapshots = prune_range(SQL_DIR, "post_snapshots", [{"scraped_at": NEW}, {"scraped_at": OLD}],
                            ["run_id", "scraped_at"])  # fmt: skip
    assert snapshots == Prune("scraped_at", False, OLD, NEW)
    assert prune_range(SQL_DIR, "post_snapshots", [{"scraped_at": OLD}], ["run_id"]) is None
    assert prune_range(SQL_DIR, "post_matches", [{"updated_at": OLD}], ["org_id"]) is None


def test_the_duckdb_adapter_prunes_like_bigquery_and_still_upserts(tmp_path: Path) -> None:
    """A snapshot MERGE bounded by its rows' scrape times inserts once and keeps other days'."""
    warehouse = DuckDbWarehouse(tmp_path / "w.duckdb", SQL_DIR)
    warehouse.apply_schema()
    keys = ["run_id", "platform", "platform_post_id", "scraped_at"]

    def snapshot(post: str, at: datetime) -> dict[str, Any]:
        return {"org_id": "o1", "creator_id": "c1", "platform": "instagram",
                "platform_post_id": post, "likes": 1, "scraped_at": at, "run_id": "r1",
                "actor_id": "a"}  # fmt: skip

    for _ in range(2):
        warehouse.merge_rows("post_snapshots", [snapshot("p1", OLD), snapshot("p2", NEW)], keys,
                             update_existing=False)  # fmt: skip
    warehouse.merge_rows("post_snapshots", [snapshot("p1", NEW)], keys, update_existing=False)
    warehouse.close()
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        found = connection.execute(
            "SELECT platform_post_id, scraped_at FROM reachops.post_snapshots ORDER BY 1, 2"
        ).fetchall()
    assert [(post, at.astimezone(UTC)) for post, at in found] == [
        ("p1", OLD), ("p1", NEW), ("p2", NEW)
    ]  # fmt: skip


class RacingJob:
    def __init__(self, client: RacingClient) -> None:
        self._client = client

    def result(self) -> list[Any]:
        self._client.runs += 1
        if self._client.runs == 1:
            raise BadRequest(self._client.error)  # type: ignore[no-untyped-call]
        return []


class RacingClient:
    """BigQuery as a racing MERGE meets it (no local BigQuery exists): the first MERGE job
    fails with the concurrent-update error, the next one succeeds."""

    project = "p"

    def __init__(self, error: str) -> None:
        self.error = error
        self.runs = 0
        self.deleted: list[str] = []

    def get_table(self, table_id: str) -> bigquery.Table:
        fields = [bigquery.SchemaField(c, "STRING") for c in ("org_id", "v", "synced_at")]
        return bigquery.Table(table_id.replace(":", "."), schema=fields)

    def create_table(self, table: bigquery.Table) -> None: ...

    def load_table_from_json(self, *_args: Any, **_kwargs: Any) -> Any:
        return type("Done", (), {"result": lambda self: None})()

    def query(self, _sql: str, **_config: Any) -> RacingJob:
        return RacingJob(self)

    def delete_table(self, table_id: str, not_found_ok: bool) -> None:
        self.deleted.append(table_id)


SERIALIZE = "Could not serialize access to table p:reachops.t due to concurrent update"
ABORTED = "Transaction is aborted due to concurrent update against table p:reachops.t"


def test_a_merge_that_raced_another_is_run_again() -> None:
    client = RacingClient(SERIALIZE)
    fast = Retry(predicate=concurrent_update, initial=0.01, maximum=0.02, timeout=5)
    warehouse = BigQueryWarehouse(client, SQL_DIR, merge_retry=fast)  # type: ignore[arg-type]
    warehouse.merge_rows("campaign_events", [{"org_id": "o1"}], ["org_id"], update_existing=False)
    assert client.runs == 2
    assert len(client.deleted) == 1
    assert not concurrent_update(BadRequest("Syntax error"))  # type: ignore[no-untyped-call]


@pytest.mark.parametrize("error", [SERIALIZE, ABORTED])
def test_a_sql_file_whose_statement_or_transaction_raced_another_is_run_again(error: str) -> None:
    """rollups/metrics.sql is one transaction: BigQuery cancels it when another one wrote the
    table meanwhile, rather than queueing it as it queues single DML statements."""
    client = RacingClient(error)
    fast = Retry(predicate=concurrent_update, initial=0.01, maximum=0.02, timeout=5)
    warehouse = BigQueryWarehouse(client, SQL_DIR, merge_retry=fast)  # type: ignore[arg-type]
    assert warehouse.run("rollups/metrics.sql", {"org_id": "o1"}) == []
    assert client.runs == 2


@pytest.mark.parametrize("table", ["ad_insights_daily", "ad_breakdowns_daily", "ad_insights_range"])
def test_tables_partitioned_by_a_business_date_are_read_as_such(table: str) -> None:
    found = partitioning(SQL_DIR, table)
    assert found is not None
    assert found.by_value
