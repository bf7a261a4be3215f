"""A small DuckDB warehouse holding only what segments read and write: reachops.people and
reachops.segment_members from their real DDL, and reachops.journey_events as a plain table of
the view's columns (the view itself is shared/people's; segments only read its contract)."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.segments.criteria import CHANNELS, EVENTS

SQL_DIR = Path(__file__).resolve().parents[2] / "bigquery_sql"
JOURNEY_EVENTS_DDL = """
CREATE TABLE IF NOT EXISTS reachops.journey_events (
  org_id STRING NOT NULL, person_id STRING, visitor_id STRING, occurred_at TIMESTAMP NOT NULL,
  event STRING NOT NULL, channel STRING NOT NULL, stage STRING NOT NULL, source_id STRING,
  value_micros INT64, currency STRING
)
"""


def segment_warehouse(tmp: Path) -> DuckDbWarehouse:
    schema = tmp / "sql" / "schema"
    schema.mkdir(parents=True)
    for name in ("people.sql", "segment_members.sql"):
        shutil.copy(SQL_DIR / "schema" / name, schema / name)
    (schema / "journey_events.sql").write_text(JOURNEY_EVENTS_DDL, encoding="utf-8")
    shutil.copytree(SQL_DIR / "queries", tmp / "sql" / "queries")
    warehouse = DuckDbWarehouse(":memory:", tmp / "sql")
    for name in ("people.sql", "segment_members.sql", "journey_events.sql"):
        warehouse.run(f"schema/{name}")
    return warehouse


def generate(
    org_id: str, persons: int, events: int, as_of: datetime, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(people, journey events): skewed activity, a tail of events after as_of, people with
    no events, anonymous events, two currencies, values with and without amounts."""
    rng = np.random.default_rng(seed)
    ids = [f"p{i:05d}" for i in range(persons)]
    created = [
        as_of - timedelta(days=int(d), hours=int(h))
        for d, h in zip(rng.integers(0, 500, persons), rng.integers(0, 24, persons), strict=True)
    ]
    people = pd.DataFrame(
        {
            "org_id": org_id,
            "person_id": ids,
            "email_hash": [f"h{i}" for i in range(persons)],
            "created_at": created,
            "updated_at": [c + timedelta(days=3) for c in created],
        }
    )
    who = rng.zipf(1.6, events) % (persons + persons // 5)
    event = rng.choice(EVENTS, events, p=[0.1, 0.1, 0.25, 0.35, 0.1, 0.1])
    currency = rng.choice(["EUR", "USD"], events, p=[0.7, 0.3])
    value = rng.integers(1, 300_000_000, events)
    journey = pd.DataFrame(
        {
            "org_id": org_id,
            "person_id": [ids[w] if w < persons else None for w in who],
            "visitor_id": [f"v{w}" for w in who],
            "occurred_at": [
                as_of - timedelta(minutes=int(m))
                for m in rng.integers(-3 * 1440, 420 * 1440, events)
            ],
            "event": event,
            "channel": rng.choice(CHANNELS, events),
            "stage": "conversion",
            "source_id": [f"s{i}" for i in range(events)],
            "value_micros": [
                int(v) if e == "purchase" else None for v, e in zip(value, event, strict=True)
            ],
            "currency": [
                c if e == "purchase" else None for c, e in zip(currency, event, strict=True)
            ],
        }
    )
    return people, journey
