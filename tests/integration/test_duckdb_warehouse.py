"""The project's BigQuery SQL, transpiled by sqlglot, running on DuckDB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.adapters.duckdb_warehouse import DuckDbWarehouse, to_duckdb
from shared.adapters.sql_files import read_sql, schema_files
from shared.campaigns.activity import RECORD_EVENT_SQL
from shared.config import get_settings

pytestmark = pytest.mark.integration
SQL_DIR = get_settings().sql_dir
START = datetime(2026, 11, 1, 9, tzinfo=UTC)


@pytest.fixture
def warehouse(tmp_path: Path) -> DuckDbWarehouse:
    made = DuckDbWarehouse(tmp_path / "w.duckdb", SQL_DIR)
    made.apply_schema()
    return made


def event(event_id: str, event_type: str, at: datetime) -> dict[str, object]:
    return {
        "event_id": event_id,
        "event_type": event_type,
        "org_id": "o1",
        "campaign_id": "c1",
        "actor_kind": "api_key",
        "actor_id": "k1",
        "actor_role": "MEMBER",
        "occurred_at": at,
        "data_json": "{}",
        "recorded_at": at,
    }


@pytest.mark.parametrize("name", [*schema_files(SQL_DIR), RECORD_EVENT_SQL])
def test_every_sql_file_transpiles_without_loss(name: str) -> None:
    assert to_duckdb(read_sql(SQL_DIR, name))


def test_schema_applies_twice_without_error(warehouse: DuckDbWarehouse) -> None:
    warehouse.apply_schema()


def test_recording_an_event_twice_keeps_one_row(warehouse: DuckDbWarehouse) -> None:
    row = event("e1", "campaign.activated", START)
    warehouse.run(RECORD_EVENT_SQL, row)
    warehouse.run(RECORD_EVENT_SQL, row)
    warehouse.run(RECORD_EVENT_SQL, event("e2", "campaign.paused", START + timedelta(hours=5)))

    counted = warehouse._connection.execute(
        "SELECT event_id, count(*) FROM reachops.campaign_events GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert counted == [("e1", 1), ("e2", 1)]


def test_state_periods_view_measures_time_in_each_state(warehouse: DuckDbWarehouse) -> None:
    for event_id, event_type, hours in [
        ("e0", "campaign.created", -1),
        ("e1", "campaign.activated", 0),
        ("e2", "campaign.paused", 5),
        ("e3", "campaign.resumed", 6),
        ("e4", "campaign.completed", 30),
    ]:
        warehouse.run(RECORD_EVENT_SQL, event(event_id, event_type, START + timedelta(hours=hours)))

    periods = warehouse._connection.execute(
        "SELECT state, seconds_in_state FROM reachops.campaign_state_periods ORDER BY entered_at"
    ).fetchall()
    assert periods == [
        ("active", 5 * 3600),
        ("paused", 3600),
        ("active", 24 * 3600),
        ("completed", None),
    ]


def test_a_merge_whose_insert_fails_keeps_the_rows_it_would_have_replaced(
    warehouse: DuckDbWarehouse,
) -> None:
    """The DELETE and INSERT of an updating merge are one transaction, like BigQuery's MERGE."""
    keys = ["org_id", "event_id"]
    warehouse.merge_rows(
        "campaign_events", [event("e1", "campaign.created", START)], keys, update_existing=True
    )
    broken = {**event("e1", "campaign.updated", START), "event_type": None}  # NOT NULL column
    with pytest.raises(Exception, match=r"(?i)not null|constraint"):
        warehouse.merge_rows("campaign_events", [broken], keys, update_existing=True)
    stored = warehouse._connection.execute(
        "SELECT event_type FROM reachops.campaign_events WHERE event_id = 'e1'"
    ).fetchall()
    assert stored == [("campaign.created",)]
