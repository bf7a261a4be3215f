"""Benchmark the metrics rollup on the local warehouse against a raw DuckDB group-by.

Generates a deterministic, realistic warehouse (10,000,000 post snapshots: 20,000 campaigns of
one organization with 2-8 allocations each, creators re-scraped every 12 hours so each post has
1-31 snapshots, campaign posts among the creators' other posts, hidden likes, missing shares,
views and followers, posts not scraped yet, disclosure checked or not), then times the
project's real rollup (bigquery_sql/rollups/metrics.sql for every campaign in one run, through
the DuckDB warehouse adapter: sqlglot transpilation, MERGEs, one transaction) and, on the same
connection and data, a raw DuckDB query that computes the same figures into plain tables.
Both run twice; the best of each counts. Generation is not timed. The figures of both must
agree. The last line printed is one JSON object:
    python scripts/bench/rollup.py [--snapshots N] [--campaigns N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.config import get_settings
from shared.metrics import ROLLUP_SQL

SEED = 20_261_201
ORG = "org-bench"
PLATFORMS = np.array(["instagram", "tiktok", "youtube"])
T0 = np.datetime64("2026-09-01T00:00:00", "s")
TWELVE_HOURS = np.timedelta64(12 * 3600, "s")
STATUSES = np.array(["accepted", "active", "completed", "pending", "declined"])
CURRENCIES = np.array(["USD", "EUR", "GBP", "JPY"])

RAW_SQL = """
CREATE OR REPLACE TEMP TABLE raw_posts AS
WITH matched AS (
  SELECT campaign_id, allocation_id, platform, platform_post_id, disclosed
  FROM reachops.post_matches WHERE org_id = $org AND is_campaign_content
),
latest AS (
  SELECT s.creator_id, s.platform, s.platform_post_id, s.likes, s.comments, s.shares,
         s.views, s.reach, s.scraped_at
  FROM reachops.post_snapshots AS s
  SEMI JOIN matched AS m ON s.platform = m.platform AND s.platform_post_id = m.platform_post_id
  WHERE s.org_id = $org
  QUALIFY row_number() OVER (PARTITION BY s.platform, s.platform_post_id
                             ORDER BY s.scraped_at DESC, s.run_id DESC) = 1
),
followed AS (
  SELECT l.*, f.followers
  FROM latest AS l
  LEFT JOIN reachops.profile_snapshots AS f
    ON f.org_id = $org AND f.creator_id = l.creator_id AND f.platform = l.platform
   AND f.followers IS NOT NULL
  QUALIFY row_number() OVER (
    PARTITION BY l.platform, l.platform_post_id
    ORDER BY (f.scraped_at > l.scraped_at), abs(epoch(l.scraped_at) - epoch(f.scraped_at)),
             f.run_id DESC) = 1
)
SELECT m.campaign_id, m.allocation_id, m.disclosed, p.reach, p.views, p.likes, p.comments,
       p.shares,
       CASE WHEN p.likes IS NULL AND p.comments IS NULL AND p.shares IS NULL THEN NULL
            ELSE coalesce(p.likes, 0) + coalesce(p.comments, 0) + coalesce(p.shares, 0)
       END AS engagement,
       coalesce(p.likes IS NOT NULL AND p.comments IS NOT NULL AND p.shares IS NOT NULL, false)
         AS engagement_complete,
       (p.likes + p.comments) / nullif(p.followers, 0) AS engagement_rate
FROM matched AS m LEFT JOIN followed AS p USING (platform, platform_post_id);

CREATE OR REPLACE TABLE raw_allocation AS
WITH agg AS (
  SELECT campaign_id, allocation_id, count(*) AS posts_count, sum(views) AS views,
         count(views) AS views_posts_reported, sum(engagement) AS engagement,
         avg(engagement_rate) AS avg_engagement_rate, count_if(NOT disclosed) AS undisclosed_posts
  FROM raw_posts GROUP BY ALL
)
SELECT a.allocation_id, coalesce(g.posts_count, 0) AS posts_count, g.views, g.engagement,
       g.avg_engagement_rate, coalesce(g.undisclosed_posts, 0) AS undisclosed_posts,
       CASE WHEN a.status IN ('accepted', 'active', 'completed') THEN a.fee_minor END
         AS spend_minor,
       cu.minor_units AS currency_minor_units
FROM reachops.allocations AS a
LEFT JOIN agg AS g USING (campaign_id, allocation_id)
LEFT JOIN reachops.ref_currency_minor_units AS cu USING (currency)
WHERE a.org_id = $org;

CREATE OR REPLACE TABLE raw_campaign AS
WITH agg AS (
  SELECT campaign_id, count(*) AS posts_count, sum(views) AS views,
         sum(engagement) AS engagement, avg(engagement_rate) AS avg_engagement_rate,
         count_if(NOT disclosed) AS undisclosed_posts
  FROM raw_posts GROUP BY ALL
),
spend AS (
  SELECT campaign_id, count(DISTINCT currency) AS currencies, sum(fee_minor) AS fee_minor
  FROM reachops.allocations
  WHERE org_id = $org AND status IN ('accepted', 'active', 'completed') GROUP BY ALL
)
SELECT c.campaign_id, coalesce(g.posts_count, 0) AS posts_count, g.views, g.engagement,
       g.avg_engagement_rate, coalesce(g.undisclosed_posts, 0) AS undisclosed_posts,
       CASE WHEN s.currencies = 1 THEN s.fee_minor END AS spend_minor
FROM (SELECT DISTINCT campaign_id FROM reachops.allocations WHERE org_id = $org) AS c
LEFT JOIN agg AS g USING (campaign_id)
LEFT JOIN spend AS s USING (campaign_id);
"""

COMPARE = {
    "allocation_metrics": (
        "raw_allocation",
        "allocation_id",
        "posts_count, views, engagement, undisclosed_posts, spend_minor, currency_minor_units",
    ),
    "campaign_metrics": (
        "raw_campaign",
        "campaign_id",
        "posts_count, views, engagement, undisclosed_posts, spend_minor",
    ),
}


def generate(warehouse: DuckDbWarehouse, snapshots: int, campaigns: int) -> dict[str, int]:
    """Fill the warehouse with generated rows; returns the row counts."""
    rng = np.random.default_rng(SEED)
    con = warehouse._connection
    creators = max(campaigns * 3 // 2, 10)
    creator_platform = rng.choice(3, size=creators, p=[0.6, 0.3, 0.1])

    per_campaign = rng.integers(2, 9, size=campaigns)
    alloc_campaign = np.repeat(np.arange(campaigns), per_campaign)
    allocations = len(alloc_campaign)
    alloc_creator = rng.integers(0, creators, size=allocations)
    alloc = pd.DataFrame(
        {
            "n": np.arange(allocations),
            "c": alloc_campaign,
            "cr": alloc_creator,
            "pl": PLATFORMS[creator_platform[alloc_creator]],
            "st": rng.choice(STATUSES, size=allocations, p=[0.35, 0.3, 0.2, 0.1, 0.05]),
            "fee": rng.integers(5_000, 2_000_000, size=allocations),
            "cur": CURRENCIES[alloc_campaign % 17 % 4],
        }
    )

    campaign_posts = rng.integers(0, 6, size=allocations)
    post_alloc = np.repeat(np.arange(allocations), campaign_posts)
    matched = len(post_alloc)
    mean_snapshots = 16
    total_posts = max(snapshots // mean_snapshots, matched + 1)
    post_creator = np.concatenate(
        [alloc_creator[post_alloc], rng.integers(0, creators, size=total_posts - matched)]
    )
    match_rows = pd.DataFrame(
        {
            "post": np.concatenate(
                [np.arange(matched), np.arange(matched, matched + matched // 10)]
            ),
            "a": np.concatenate([post_alloc, rng.integers(0, allocations, size=matched // 10)]),
            "content": np.concatenate([np.ones(matched, bool), np.zeros(matched // 10, bool)]),
            "disclosed": pd.array(
                rng.choice([1, 0, -1], size=matched + matched // 10, p=[0.7, 0.15, 0.15]),
                dtype="Int8",
            ),
        }
    )

    counts = rng.integers(1, 2 * mean_snapshots, size=total_posts)
    order = rng.permutation(total_posts)
    cumulative = np.cumsum(counts[order])
    scraped = order[: int(np.searchsorted(cumulative, snapshots)) + 1]
    counts_scraped = counts[scraped]
    counts_scraped[-1] -= int(counts_scraped.sum()) - snapshots
    post_of_row = np.repeat(scraped, counts_scraped)
    step = np.arange(len(post_of_row)) - np.repeat(
        np.cumsum(counts_scraped) - counts_scraped, counts_scraped
    )
    posted = T0 + rng.integers(0, 60 * 24 * 3600, size=total_posts).astype("timedelta64[s]")
    growth = (step + 1) / np.repeat(counts_scraped, counts_scraped)
    base_views = rng.lognormal(9, 1.5, size=total_posts)
    views = (base_views[post_of_row] * growth).astype(np.int64)
    likes = (views * rng.uniform(0.01, 0.08, size=len(views))).astype(np.int64)
    platform = creator_platform[post_creator]
    hidden_likes = (rng.random(total_posts) < 0.05) & (platform == 0)
    no_shares = (rng.random(total_posts) < 0.3) & (platform == 0)
    no_views = rng.random(total_posts) < 0.1
    snaps = pd.DataFrame(
        {
            "post": post_of_row,
            "cr": post_creator[post_of_row],
            "pl": PLATFORMS[platform[post_of_row]],
            "likes": pd.array(np.where(hidden_likes[post_of_row], -1, likes)).astype("Int64"),
            "comments": likes // 20,
            "shares": pd.array(np.where(no_shares[post_of_row], -1, likes // 50)).astype("Int64"),
            "views": pd.array(np.where(no_views[post_of_row], -1, views)).astype("Int64"),
            "ts": posted[post_of_row] + step * TWELVE_HOURS,
            "run": step,
        }
    )

    scrapes_per_creator = 20
    prof_creator = np.repeat(np.arange(creators), scrapes_per_creator)
    followers = np.repeat(
        rng.lognormal(10.5, 1.6, size=creators).astype(np.int64), scrapes_per_creator
    )
    followers = np.where(rng.random(len(followers)) < 0.02, -1, followers)
    profiles = pd.DataFrame(
        {
            "cr": prof_creator,
            "pl": PLATFORMS[creator_platform[prof_creator]],
            "followers": followers,
            "ts": T0 + np.tile(np.arange(scrapes_per_creator), creators) * 3 * TWELVE_HOURS,
        }
    )

    con.register("alloc", alloc)
    con.execute(
        "INSERT INTO reachops.allocations SELECT ?, 'c' || c, 'a' || n, 'cr' || cr, pl, st, fee,"
        " cur, TIMESTAMP '2026-09-01' FROM alloc",
        [ORG],
    )
    con.register("match_rows", match_rows)
    con.execute(
        "INSERT INTO reachops.post_matches (org_id, campaign_id, allocation_id, creator_id,"
        " platform, platform_post_id, confidence, decision, is_campaign_content, disclosed,"
        " updated_at) SELECT ?, 'c' || a.c, 'a' || a.n, 'cr' || a.cr, a.pl, 'p' || m.post, 0.9,"
        " CASE WHEN m.content THEN 'auto' ELSE 'rejected' END, m.content,"
        " CASE m.disclosed WHEN 1 THEN TRUE WHEN 0 THEN FALSE END, TIMESTAMP '2026-09-01'"
        " FROM match_rows AS m JOIN alloc AS a ON a.n = m.a",
        [ORG],
    )
    con.register("snaps", snaps)
    con.execute(
        "INSERT INTO reachops.post_snapshots (org_id, creator_id, platform, platform_post_id,"
        " likes, comments, shares, views, reach, scraped_at, run_id, actor_id)"
        " SELECT ?, 'cr' || cr, pl, 'p' || post, nullif(likes, -1), comments, nullif(shares, -1),"
        " nullif(views, -1), NULL, ts, 'run-' || run, 'apify/bench' FROM snaps",
        [ORG],
    )
    con.register("profiles", profiles)
    con.execute(
        "INSERT INTO reachops.profile_snapshots (org_id, creator_id, platform, username,"
        " followers, scraped_at, run_id, actor_id) SELECT ?, 'cr' || cr, pl, 'u' || cr,"
        " nullif(followers, -1), ts, 'run-p' || row_number() OVER (), 'apify/bench'"
        " FROM profiles",
        [ORG],
    )
    for name in ("alloc", "match_rows", "snaps", "profiles"):
        con.unregister(name)
    return {
        "allocations": allocations,
        "campaign_posts": matched,
        "posts": total_posts,
        "profile_snapshots": len(profiles),
    }


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def figures_agree(warehouse: DuckDbWarehouse) -> bool:
    con = warehouse._connection
    for table, (raw, key, columns) in COMPARE.items():
        differ = con.execute(
            f"SELECT count(*) FROM (SELECT {key}, {columns} FROM reachops.{table} EXCEPT"  # noqa: S608
            f" SELECT {key}, {columns} FROM {raw})"
        ).fetchone()
        if differ is None or differ[0] != 0:
            return False
    rates = con.execute(
        "SELECT max(abs(m.avg_engagement_rate - r.avg_engagement_rate)) FROM"
        " reachops.campaign_metrics AS m JOIN raw_campaign AS r USING (campaign_id)"
    ).fetchone()
    return rates is not None and (rates[0] or 0.0) < 1e-12


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshots", type=int, default=10_000_000)
    parser.add_argument("--campaigns", type=int, default=20_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        warehouse = DuckDbWarehouse(Path(folder) / "bench.duckdb", get_settings().sql_dir)
        warehouse.apply_schema()
        started = time.perf_counter()
        sizes = generate(warehouse, args.snapshots, args.campaigns)
        generated = time.perf_counter() - started
        campaign_ids = [f"c{n}" for n in range(args.campaigns)]
        params = {"org_id": ORG, "campaign_ids": campaign_ids, "computed_at": datetime.now(UTC)}
        rollup = best_of(2, lambda: warehouse.run(ROLLUP_SQL, params))
        con = warehouse._connection
        raw = best_of(2, lambda: con.execute(RAW_SQL.replace("$org", f"'{ORG}'")))
        agree = figures_agree(warehouse)
        warehouse.close()

    ratio = rollup / raw
    print(
        f"generated {args.snapshots:,} post snapshots of {sizes['posts']:,} posts,"
        f" {sizes['campaign_posts']:,} campaign posts, {sizes['allocations']:,} allocations in"
        f" {args.campaigns:,} campaigns, {sizes['profile_snapshots']:,} profile snapshots"
        f" ({generated:.1f} s, not timed)"
    )
    print(f"rollup ({ROLLUP_SQL}, all campaigns in one run, DuckDB adapter): {rollup:.2f} s")
    print(f"raw DuckDB group-by of the same figures: {raw:.2f} s (ratio {ratio:.2f})")
    print(f"figures agree with the raw group-by: {agree}")
    print(
        json.dumps(
            {
                "benchmark": "rollup",
                "snapshots": args.snapshots,
                "seconds": round(rollup, 3),
                "raw_seconds": round(raw, 3),
                "ratio": round(ratio, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
