"""Benchmark all six attribution models on the local warehouse (DuckDB).

Generates a deterministic, realistic warehouse inside DuckDB (not timed): --touches resolved
sessions (default 10,000,000) of --visitors visitors (1,000,000) over 60 days, on the nine
channels with realistic weights (direct and organic search most common, creator and paid
sessions resolved to campaigns and allocations), and one purchase for each of --converting
visitors (200,000) in the last 30 days, some with no session in the look-back, a few naming
their campaign. Then it times the project's real code through the DuckDB warehouse adapter:
the data-driven job step (bigquery_sql/queries/attribution_transitions.sql over every journey,
converting or not, the Markov removal effects in numpy, queries/attribution_data_driven.sql),
then the report query every model's API reply reads (queries/attribution_report.sql over
reachops.attributed_conversions_daily: last/first click, linear, time decay and position-based
computed by the views, data-driven from the job's table). The baseline is a raw DuckDB pass that
reads every touch once (a group-by of the touches per channel): the floor any model pays. The
CPU time of the timed steps is printed too (wall time on a shared, loaded machine overstates
what the work needs). Every model must credit each purchase exactly once. The last line
printed is one JSON object:
    python scripts/bench/attribution.py [--touches N] [--visitors N] [--converting N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.attribution.job import AttributionJob
from shared.attribution.paths import MODELS
from shared.attribution.service import REPORT_SQL
from shared.config import get_settings

ORG = "org-bench"
START = datetime(2026, 9, 1, tzinfo=UTC)
DAYS = 60
CHANNEL_WEIGHTS = (
    ("direct", 22),
    ("organic_search", 20),
    ("paid_social", 16),
    ("creator", 12),
    ("organic_social", 10),
    ("paid_search", 8),
    ("email", 6),
    ("referral", 4),
    ("other", 2),
)

SESSIONS_SQL = """
INSERT INTO reachops.session_resolutions
WITH draws AS (
  SELECT i, hash(i, 1) % 100 AS pick, hash(i, 2) AS h2, hash(i, 3) AS h3
  FROM range($touches) AS t(i)
),
picked AS (
  SELECT d.*, c.channel
  FROM draws AS d JOIN channel_bands AS c ON d.pick >= c.low AND d.pick < c.high
)
SELECT
  $org, 'site-1', 's' || i, 'v' || (h2 % $visitors),
  $start + to_seconds(CAST(h3 % ($days * 86400) AS BIGINT)),
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  channel,
  CASE WHEN channel = 'creator' THEN 'camp-' || (h3 % 40) END,
  CASE WHEN channel = 'creator' AND h2 % 3 > 0 THEN 'alloc-' || (h2 % 7) END,
  CASE WHEN channel = 'paid_social' THEN 'meta-' || (h2 % 25) END,
  CASE WHEN channel IN ('creator', 'paid_social') THEN 'utm_id' END,
  CASE WHEN channel NOT IN ('creator', 'paid_social') THEN 'no campaign' END,
  $start, FALSE
FROM picked
"""

PURCHASES_SQL = """
INSERT INTO reachops.track_events (
  org_id, site_id, event_id, source, event_type, occurred_at, received_at, visitor_id,
  value_micros, currency, order_id, campaign_id
)
SELECT
  $org, 'site-1', 'b' || i, 'browser', 'purchase',
  $start + to_seconds(CAST(30 * 86400 + hash(i, 4) % (30 * 86400) AS BIGINT)),
  $start, 'v' || (i * ($visitors // $converting)),
  (5 + hash(i, 5) % 200) * 1000000, 'EUR', 'o' || i,
  CASE WHEN hash(i, 6) % 100 = 0 THEN 'camp-' || (hash(i, 7) % 40) END
FROM range($converting) AS t(i)
"""

BASELINE_SQL = """
SELECT channel, count(*) AS touches FROM reachops.session_resolutions
WHERE org_id = $org GROUP BY channel
"""


def generate(warehouse: DuckDbWarehouse, touches: int, visitors: int, converting: int) -> None:
    con = warehouse._connection  # generation only: the timed runs use the adapter
    total = sum(weight for _, weight in CHANNEL_WEIGHTS)
    assert total == 100
    bands, low = [], 0
    for channel, weight in CHANNEL_WEIGHTS:
        bands.append((channel, low, low + weight))
        low += weight
    con.execute("CREATE TEMP TABLE channel_bands (channel VARCHAR, low BIGINT, high BIGINT)")
    con.executemany("INSERT INTO channel_bands VALUES (?, ?, ?)", bands)
    params = {
        "org": ORG,
        "touches": touches,
        "visitors": visitors,
        "converting": converting,
        "days": DAYS,
        "start": START,
    }
    sessions = ("org", "touches", "visitors", "days", "start")
    con.execute(SESSIONS_SQL, {k: params[k] for k in sessions})
    con.execute(PURCHASES_SQL, {k: params[k] for k in ("org", "visitors", "converting", "start")})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--touches", type=int, default=10_000_000)
    parser.add_argument("--visitors", type=int, default=1_000_000)
    parser.add_argument("--converting", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        warehouse = DuckDbWarehouse(Path(folder) / "bench.duckdb", get_settings().sql_dir)
        warehouse.apply_schema()
        generate(warehouse, args.touches, args.visitors, args.converting)
        job = AttributionJob(store=None, warehouse=warehouse)  # type: ignore[arg-type]  # no Firestore step
        first, last = (START + timedelta(days=30)).date(), (START + timedelta(days=DAYS)).date()

        cpu = time.process_time()
        began = time.perf_counter()
        effects = job.data_driven(ORG, first, last, datetime.now(UTC))
        data_driven = time.perf_counter() - began
        began = time.perf_counter()
        rows = warehouse.run(
            REPORT_SQL, {"org_id": ORG, "from_date": first, "to_date": last, "event_type": None}
        )
        report = time.perf_counter() - began
        cpu = time.process_time() - cpu
        began = time.perf_counter()
        warehouse._connection.execute(BASELINE_SQL, {"org": ORG}).fetchall()
        baseline = time.perf_counter() - began
    totals: dict[str, float] = dict.fromkeys(MODELS, 0.0)
    for row in rows:
        totals[str(row["model"])] += float(row["conversions"])
    once = all(abs(total - args.converting) < 1e-6 * args.converting for total in totals.values())
    seconds = data_driven + report
    print(f"{args.touches:,} touches, {args.visitors:,} visitors, {args.converting:,} converting")
    print(f"data-driven job step (Markov chain, removal effects, credit): {data_driven:.2f} s")
    print(f"all six models' report (views + data-driven table): {report:.2f} s")
    print(f"CPU time of both (all threads; the machine's load does not inflate it): {cpu:.2f} s")
    ratio = seconds / baseline
    print(f"baseline (one raw pass over the touches): {baseline:.2f} s, ratio {ratio:.1f}")
    shares = ", ".join(f"{c} {s:.3f}" for c, s in sorted(effects.shares.items()))
    print(f"removal-effect shares: {shares}")
    print(f"every model credits each purchase once: {once} ({totals})")
    assert once, totals
    print(
        json.dumps(
            {
                "benchmark": "attribution",
                "touches": args.touches,
                "seconds": round(seconds, 2),
                "models": list(MODELS),
                "visitors": args.visitors,
                "converting": args.converting,
                "cpu_seconds": round(cpu, 2),
                "baseline_seconds": round(baseline, 2),
                "ratio": round(ratio, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
