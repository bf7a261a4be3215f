"""Benchmark RFM scoring: 1,000,000 customers from 10,000,000 purchases on the local warehouse.

Generates (seeded, not timed) --transactions purchases (default 10,000,000) of --customers
customers (1,000,000) in EUR over the two years to `as_of`: every customer buys at least once,
the rest of the purchases go to customers by a Gamma(0.6)-distributed buying rate (a few buy
very often, most once or twice, as retail data looks), each customer active from a uniform
start date, order values log-normal (median about 40 EUR). They are loaded into DuckDB as
reachops.journey_events (a table with the view's columns: the view's own cost is the journey's,
not RFM's) beside the real reachops.segment_members.

Timed (`seconds`), through the DuckDB warehouse adapter: shared/segments/rfm.py's statement
(quintile scores as NTILE(5), ties sharing the lowest tile, names from rfm_segments.yaml) over
every customer, summed up per name in the warehouse (1,000,000 rows are not shipped to
Python); best of two runs. `write_seconds`: once, the whole of what `POST .../calculate` runs
for an RFM segment (shared/segments/members.py's script, which also writes every scored
customer into segment_members and counts them).
Baseline, same run and data: pandas groupby + rank + qcut into quintiles and the grid by
lookup (no warehouse write). Every customer must be scored. The last line is one JSON object:
    python scripts/bench/rfm.py [--customers N] [--transactions N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from shared.adapters.duckdb_warehouse import DuckDbWarehouse, to_duckdb
from shared.config import get_settings
from shared.segments.members import write_script
from shared.segments.rfm import compile_rfm, rfm_segment_name

SEED = 20_261_202
ORG = "org-bench"
AS_OF = datetime(2026, 12, 1, tzinfo=UTC)
LOOKBACK_DAYS = 730
SCORING = (
    "SELECT rfm_segment, COUNT(*) AS n, SUM(rfm_recency + rfm_frequency + rfm_monetary) AS scores"
    " FROM ({source}) GROUP BY rfm_segment ORDER BY rfm_segment"
)
JOURNEY_EVENTS = """
CREATE TABLE reachops.journey_events (
  org_id STRING NOT NULL, person_id STRING, visitor_id STRING, occurred_at TIMESTAMP NOT NULL,
  event STRING NOT NULL, channel STRING NOT NULL, stage STRING NOT NULL, source_id STRING,
  value_micros INT64, currency STRING
)
"""


def purchases(customers: int, transactions: int) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    rate = rng.gamma(0.6, 1.0, customers)
    extra = rng.choice(customers, transactions - customers, p=rate / rate.sum())
    who = np.concatenate([np.arange(customers), extra])
    start = rng.uniform(0, LOOKBACK_DAYS - 1, customers)
    days_ago = rng.uniform(0, 1, transactions) * start[who]
    seconds = (days_ago * 86_400).astype(np.int64)
    value = np.round(rng.lognormal(np.log(40), 0.9, transactions), 2)
    return pd.DataFrame(
        {
            "who": who,
            "occurred_at": pd.Timestamp(AS_OF) - pd.to_timedelta(seconds, unit="s"),
            "value_micros": (value * 1_000_000).astype(np.int64),
        }
    )


def load(warehouse: DuckDbWarehouse, frame: pd.DataFrame) -> None:
    con = warehouse._connection  # generation only: the timed runs use the adapter
    for statement in to_duckdb(JOURNEY_EVENTS):
        con.execute(statement)
    con.register("generated", frame)
    con.execute(
        "INSERT INTO reachops.journey_events SELECT ?, 'c' || LPAD(CAST(who AS VARCHAR), 7, '0'),"
        " NULL, occurred_at, 'purchase', 'web', 'conversion',"
        " CAST(ROW_NUMBER() OVER () AS VARCHAR),"
        " value_micros, 'EUR' FROM generated",
        [ORG],
    )
    con.unregister("generated")


def baseline(frame: pd.DataFrame) -> tuple[float, int]:
    started = time.perf_counter()
    per = frame.groupby("who").agg(
        last=("occurred_at", "max"), n=("occurred_at", "size"), m=("value_micros", "sum")
    )
    scores = {
        name: pd.qcut(per[column].rank(method="first"), 5, labels=False) + 1
        for name, column in (("r", "last"), ("f", "n"), ("m", "m"))
    }
    grid = {(r, f): rfm_segment_name(r, f) for r in range(1, 6) for f in range(1, 6)}
    names = [grid[r, f] for r, f in zip(scores["r"], scores["f"], strict=True)]
    return time.perf_counter() - started, len(names)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    args = parser.parse_args()
    frame = purchases(args.customers, args.transactions)
    with tempfile.TemporaryDirectory() as folder:
        warehouse = DuckDbWarehouse(Path(folder) / "bench.duckdb", get_settings().sql_dir)
        warehouse.run("schema/segment_members.sql")
        load(warehouse, frame)
        since = AS_OF - timedelta(days=LOOKBACK_DAYS)
        source = compile_rfm(ORG, "EUR", since, AS_OF)
        scoring = SCORING.format(source=source.sql)
        runs = []
        for _ in range(2):
            started = time.perf_counter()
            counts = warehouse.run_statement(scoring, source.params)
            runs.append(time.perf_counter() - started)
        script = write_script(ORG, ["rfm"], source, AS_OF, rfm_currency="EUR")
        started = time.perf_counter()
        rows = warehouse.run_statement(script.sql, script.params)
        write_seconds = time.perf_counter() - started
        warehouse.close()
    scored = sum(int(row["n"]) for row in counts)
    assert scored == args.customers == int(rows[0]["members"]), (scored, rows)
    baseline_seconds, named = baseline(frame)
    assert named == args.customers
    seconds = min(runs)
    print("segments:", {str(row["rfm_segment"]): int(row["n"]) for row in counts})
    print(
        json.dumps(
            {
                "benchmark": "rfm",
                "customers": args.customers,
                "transactions": args.transactions,
                "seconds": round(seconds, 3),
                "write_seconds": round(write_seconds, 3),
                "baseline": "pandas groupby + rank + qcut",
                "baseline_seconds": round(baseline_seconds, 3),
                "ratio": round(baseline_seconds / seconds, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
