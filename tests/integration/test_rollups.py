"""The metrics rollups and the analysts' performance views, run on DuckDB.

One campaign's worth of input rows (several snapshots per post, hidden likes, a post that is
not campaign content, a declined and a pending allocation, a post not scraped yet, disclosed,
undisclosed and unchecked posts) goes into a fresh warehouse; the set-based rollup runs twice and
after replayed snapshots, and the tables and views must hold the figures worked out by hand
below. Rolling campaigns up one by one or all at once must give the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.adapters.duckdb_warehouse import DuckDbWarehouse, to_duckdb
from shared.adapters.sql_files import read_sql
from shared.config import get_settings
from shared.metrics import ROLLUP_SQL
from shared.metrics.definitions import tier_for
from shared.metrics.scoring import engagement_vs_tier_median, rate_allocation

pytestmark = pytest.mark.integration
SQL_DIR = get_settings().sql_dir
T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)
COMPUTED_AT = datetime(2026, 11, 20, 6, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def insert(warehouse: DuckDbWarehouse, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        warehouse._connection.execute(
            f"INSERT INTO reachops.{table} ({columns}) VALUES ({marks})",  # noqa: S608
            list(row.values()),
        )


def allocation(
    allocation_id: str,
    creator_id: str,
    platform: str,
    status: str,
    fee_minor: int,
    *,
    currency: str = "USD",
    campaign_id: str = "c1",
) -> dict[str, Any]:
    return {
        "org_id": "o1",
        "campaign_id": campaign_id,
        "allocation_id": allocation_id,
        "creator_id": creator_id,
        "platform": platform,
        "status": status,
        "fee_minor": fee_minor,
        "currency": currency,
        "updated_at": T0,
    }


def match(
    post_id: str,
    allocation_id: str,
    creator_id: str,
    platform: str,
    *,
    campaign_content: bool = True,
    campaign_id: str = "c1",
    disclosed: bool | None = None,
) -> dict[str, Any]:
    return {
        "org_id": "o1",
        "campaign_id": campaign_id,
        "allocation_id": allocation_id,
        "creator_id": creator_id,
        "platform": platform,
        "platform_post_id": post_id,
        "confidence": 0.9,
        "decision": "auto" if campaign_content else "rejected",
        "is_campaign_content": campaign_content,
        "disclosed": disclosed,
        "updated_at": T0,
    }


def snapshot(
    post_id: str,
    creator_id: str,
    platform: str,
    hours: float,
    *,
    likes: int | None,
    comments: int | None,
    shares: int | None,
    views: int | None,
    reach: int | None = None,
) -> dict[str, Any]:
    return {
        "org_id": "o1",
        "creator_id": creator_id,
        "platform": platform,
        "platform_post_id": post_id,
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "views": views,
        "reach": reach,
        "scraped_at": at(hours),
        "run_id": f"run-{hours}",
        "actor_id": "apify/scraper",
    }


def profile(
    creator_id: str,
    platform: str,
    hours: float,
    followers: int | None,
    engagement_rate: float | None = None,
    *,
    org_id: str = "o1",
) -> dict[str, Any]:
    return {
        "org_id": org_id,
        "creator_id": creator_id,
        "platform": platform,
        "username": f"@{creator_id}",
        "followers": followers,
        "engagement_rate": engagement_rate,
        "scraped_at": at(hours),
        "run_id": f"run-{hours}",
        "actor_id": "apify/profile",
    }


SNAPSHOTS = [
    # p1 (creator cr1, allocation a1): only the latest of its three scrapes counts.
    snapshot("p1", "cr1", "instagram", 1, likes=100, comments=10, shares=None, views=1000),
    snapshot("p1", "cr1", "instagram", 5, likes=120, comments=15, shares=2, views=1500),
    snapshot(
        "p1", "cr1", "instagram", 10, likes=150, comments=20, shares=5, views=2000, reach=1500
    ),
    # p2 (cr1, a1): likes hidden.
    snapshot("p2", "cr1", "instagram", 2, likes=None, comments=30, shares=0, views=3000),
    # p3 (cr2, a2): complete figures, no reach.
    snapshot("p3", "cr2", "tiktok", 3, likes=1000, comments=100, shares=50, views=40000),
    snapshot("p3", "cr2", "tiktok", 8, likes=2000, comments=400, shares=100, views=100000),
    # p4 (cr3, a3, allocation declined): still campaign content.
    snapshot("p4", "cr3", "instagram", 4, likes=10, comments=1, shares=0, views=100),
    # p5 (cr1, a1): checked and rejected, not campaign content.
    snapshot("p5", "cr1", "instagram", 6, likes=99999, comments=9999, shares=999, views=10**7),
    # p6 (cr4, a4): no views reported, shares hidden.
    snapshot("p6", "cr4", "youtube", 6, likes=100, comments=50, shares=None, views=None),
    # p7 (cr5, a5) is matched but not scraped yet: no snapshot.
    # p9 and p10 belong to campaign c2.
    snapshot("p9", "cr9", "instagram", 6, likes=900, comments=100, shares=0, views=20000),
]

PROFILES = [
    profile("cr1", "instagram", 0, 10000),
    profile("cr1", "instagram", 7, 20000),
    profile("cr1", "instagram", 100, 99999, 0.03),  # after every post scrape: unused by posts
    profile("cr2", "tiktok", 0, None),  # followers hidden
    profile("cr4", "youtube", 0, 0),
    # Creators that exist only as profiles, for the tier comparison.
    profile("cr6", "instagram", 0, 50000, 0.5),  # superseded by the next snapshot
    profile("cr6", "instagram", 50, 50000, 0.02),
    profile("cr7", "instagram", 50, 20000, 0.04),
    profile("cr11", "instagram", 50, 30000, None),  # rate unknown: left out of the median
    profile("cr12", "instagram", 50, 10000, 0.01),  # 10,000 is the first mid-tier count
    profile("cr8", "instagram", 50, 999, 0.1),  # below 1,000: no tier
    profile("cr13", "instagram", 50, 1_000_000, 0.015),  # alone in mega
    profile("cr14", "tiktok", 50, 40000, 0.5),  # mid-tier on another platform
    profile("cr15", "instagram", 50, 40000, 0.9, org_id="o2"),  # another organization
]


def seed(warehouse: DuckDbWarehouse) -> None:
    insert(
        warehouse,
        "allocations",
        [
            allocation("a1", "cr1", "instagram", "accepted", 10000),
            allocation("a2", "cr2", "tiktok", "accepted", 500000),
            allocation("a3", "cr3", "instagram", "declined", 30000),
            allocation("a4", "cr4", "youtube", "active", 100000),
            allocation("a5", "cr5", "instagram", "accepted", 8000),
            allocation("a6", "cr6", "instagram", "pending", 7000),
            allocation(
                "a9", "cr9", "instagram", "accepted", 150000, currency="JPY", campaign_id="c2"
            ),
            allocation(
                "a10", "cr10", "instagram", "completed", 2500, currency="EUR", campaign_id="c2"
            ),
        ],
    )
    insert(
        warehouse,
        "post_matches",
        [
            match("p1", "a1", "cr1", "instagram", disclosed=True),
            match("p2", "a1", "cr1", "instagram", disclosed=False),
            match("p3", "a2", "cr2", "tiktok"),  # disclosure not checked yet
            match("p4", "a3", "cr3", "instagram", disclosed=False),
            match("p5", "a1", "cr1", "instagram", campaign_content=False, disclosed=False),
            match("p6", "a4", "cr4", "youtube", disclosed=True),
            match("p7", "a5", "cr5", "instagram"),
            match("p9", "a9", "cr9", "instagram", campaign_id="c2", disclosed=True),
        ],
    )
    insert(warehouse, "post_snapshots", SNAPSHOTS)
    insert(warehouse, "profile_snapshots", PROFILES)


def roll_up(warehouse: DuckDbWarehouse, *batches: Sequence[str]) -> None:
    """Roll the campaigns up, by default both in one set-based run."""
    for campaign_ids in batches or (["c1", "c2"],):
        warehouse.run(
            ROLLUP_SQL,
            {"org_id": "o1", "campaign_ids": list(campaign_ids), "computed_at": COMPUTED_AT},
        )


def rows(warehouse: DuckDbWarehouse, relation: str, where: str = "TRUE") -> list[dict[str, Any]]:
    """Every row of a table or view, timestamps as naive UTC (reading TIMESTAMPTZ into Python
    would need pytz, which the project does not install)."""
    described = warehouse._connection.execute(
        f"DESCRIBE SELECT * FROM {relation}"  # noqa: S608
    ).fetchall()
    columns = [
        f"timezone('UTC', {name}) AS {name}" if kind == "TIMESTAMP WITH TIME ZONE" else name
        for name, kind, *_ in described
    ]
    cursor = warehouse._connection.execute(
        f"SELECT {', '.join(columns)} FROM {relation} WHERE {where}"  # noqa: S608
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def sorted_rows(warehouse: DuckDbWarehouse, table: str, key: str) -> list[dict[str, Any]]:
    return sorted(rows(warehouse, f"reachops.{table}"), key=lambda row: str(row[key]))


def by_key(found: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in found}


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[DuckDbWarehouse]:
    made = DuckDbWarehouse(tmp_path / "w.duckdb", SQL_DIR)
    made.apply_schema()
    seed(made)
    roll_up(made)
    yield made
    made.close()


@pytest.fixture
def allocations(warehouse: DuckDbWarehouse) -> dict[str, dict[str, Any]]:
    return by_key(rows(warehouse, "reachops.allocation_metrics"), "allocation_id")


@pytest.fixture
def campaigns(warehouse: DuckDbWarehouse) -> dict[str, dict[str, Any]]:
    return by_key(rows(warehouse, "reachops.campaign_metrics"), "campaign_id")


def test_rollup_transpiles_without_loss() -> None:
    assert to_duckdb(read_sql(SQL_DIR, ROLLUP_SQL))


def test_allocation_counts_use_each_posts_latest_snapshot(
    allocations: dict[str, dict[str, Any]],
) -> None:
    a1 = allocations["a1"]
    # p1 at its third scrape (150/20/5, 2,000 views, reach 1,500) + p2 (likes hidden): the
    # rejected p5 and the earlier scrapes of p1 add nothing.
    assert a1["posts_count"] == 2
    assert (a1["likes"], a1["comments"], a1["shares"]) == (150, 50, 5)
    assert a1["views"] == 5000
    assert a1["views_posts_reported"] == 2
    assert (a1["reach"], a1["reach_posts_reported"]) == (1500, 1)
    assert a1["engagement"] == 175 + 30
    assert a1["engagement_posts_reported"] == 2
    assert a1["engagement_complete"] is False  # p2's likes are hidden
    assert allocations["a2"]["engagement"] == 2500
    assert allocations["a2"]["engagement_complete"] is True


def test_unreported_figures_stay_null(allocations: dict[str, dict[str, Any]]) -> None:
    assert allocations["a2"]["reach"] is None
    assert allocations["a2"]["reach_posts_reported"] == 0
    a4 = allocations["a4"]  # views not reported, shares hidden
    assert (a4["views"], a4["views_posts_reported"], a4["cpm_minor"]) == (None, 0, None)
    assert (a4["shares"], a4["engagement"]) == (None, 150)
    a5 = allocations["a5"]  # matched, never scraped
    assert a5["posts_count"] == 1
    for column in ("reach", "views", "likes", "comments", "shares", "engagement"):
        assert a5[column] is None, column
    assert a5["engagement_complete"] is False
    assert a5["cost_per_engagement_minor"] is None
    a6 = allocations["a6"]  # no posts at all
    assert (a6["posts_count"], a6["engagement"], a6["engagement_complete"]) == (0, None, False)


def test_engagement_rate_is_likes_plus_comments_over_followers_known_at_the_scrape(
    allocations: dict[str, dict[str, Any]],
) -> None:
    # p1's latest scrape (hour 10) sees 20,000 followers (hour 7): (150 + 20) / 20,000; shares
    # are not part of the rate. p2 hides its likes, so it has no rate and is left out.
    assert allocations["a1"]["avg_engagement_rate"] == pytest.approx(170 / 20000)
    assert allocations["a1"]["engagement_rate_posts"] == 1
    # Hidden followers, and 0 followers, give no rate.
    assert allocations["a2"]["avg_engagement_rate"] is None
    assert allocations["a4"]["avg_engagement_rate"] is None
    assert allocations["a4"]["engagement_rate_posts"] == 0


def test_spend_and_cost_ratios(allocations: dict[str, dict[str, Any]]) -> None:
    a1 = allocations["a1"]
    assert a1["spend_minor"] == 10000
    assert a1["cost_per_engagement_minor"] == pytest.approx(10000 / 205)
    assert a1["cpm_minor"] == pytest.approx(10000 / 5000 * 1000)
    assert allocations["a2"]["cost_per_engagement_minor"] == pytest.approx(200.0)
    assert allocations["a2"]["cpm_minor"] == pytest.approx(5000.0)
    # Declined and pending allocations owe no agreed fee.
    assert allocations["a3"]["spend_minor"] is None
    assert allocations["a3"]["cost_per_engagement_minor"] is None
    assert allocations["a6"]["spend_minor"] is None
    assert allocations["a9"]["currency_minor_units"] == 0
    assert allocations["a1"]["currency_minor_units"] == 2


def test_campaign_totals(campaigns: dict[str, dict[str, Any]]) -> None:
    c1 = campaigns["c1"]
    assert c1["posts_count"] == 6  # p1, p2, p3, p4 (declined allocation), p6, p7 (not scraped)
    assert (c1["reach"], c1["reach_posts_reported"]) == (1500, 1)
    assert (c1["views"], c1["views_posts_reported"]) == (2000 + 3000 + 100000 + 100, 4)
    assert c1["likes"] == 150 + 2000 + 10 + 100
    assert c1["comments"] == 20 + 30 + 400 + 1 + 50
    assert c1["shares"] == 5 + 0 + 100 + 0
    assert c1["engagement"] == 175 + 30 + 2500 + 11 + 150
    assert (c1["engagement_posts_reported"], c1["engagement_complete"]) == (5, False)
    assert c1["avg_engagement_rate"] == pytest.approx(170 / 20000)
    assert c1["engagement_rate_posts"] == 1
    # Accepted, active and completed allocations: a1 + a2 + a4 + a5.
    assert (c1["spend_minor"], c1["currency"], c1["spend_allocations"]) == (618000, "USD", 4)
    assert c1["cost_per_engagement_minor"] == pytest.approx(618000 / 2866)
    assert c1["cpm_minor"] == pytest.approx(618000 / 105100 * 1000)
    assert c1["computed_at"] == COMPUTED_AT.replace(tzinfo=None)


def test_campaign_spend_in_several_currencies_is_not_summed(
    campaigns: dict[str, dict[str, Any]],
) -> None:
    c2 = campaigns["c2"]
    assert c2["spend_currencies"] == 2
    assert (c2["spend_minor"], c2["currency"], c2["cost_per_engagement_minor"]) == (None,) * 3
    assert c2["engagement"] == 1000


def test_rerun_and_replayed_snapshots_change_nothing(warehouse: DuckDbWarehouse) -> None:
    def tables() -> tuple[list[dict[str, Any]], ...]:
        return (
            sorted_rows(warehouse, "allocation_metrics", "allocation_id"),
            sorted_rows(warehouse, "campaign_metrics", "campaign_id"),
        )

    first = tables()
    roll_up(warehouse)
    assert tables() == first
    insert(warehouse, "post_snapshots", SNAPSHOTS)  # the scraper's webhook delivered twice
    roll_up(warehouse)
    assert tables() == first
    assert len(first[0]) == 8
    assert len(first[1]) == 2


def test_undisclosed_posts_count_checked_posts_only(
    allocations: dict[str, dict[str, Any]], campaigns: dict[str, dict[str, Any]]
) -> None:
    # a1: p1 disclosed, p2 not (the rejected p5 does not count); a2: p3 not checked yet.
    assert (
        allocations["a1"]["undisclosed_posts"],
        allocations["a1"]["disclosure_unchecked_posts"],
    ) == (1, 0)
    assert (
        allocations["a2"]["undisclosed_posts"],
        allocations["a2"]["disclosure_unchecked_posts"],
    ) == (0, 1)
    assert (
        allocations["a6"]["undisclosed_posts"],
        allocations["a6"]["disclosure_unchecked_posts"],
    ) == (0, 0)
    # c1: p2 and p4 undisclosed; p3 and p7 unknown.
    c1 = campaigns["c1"]
    assert (c1["undisclosed_posts"], c1["disclosure_unchecked_posts"]) == (2, 2)
    assert (
        campaigns["c2"]["undisclosed_posts"],
        campaigns["c2"]["disclosure_unchecked_posts"],
    ) == (0, 0)


def test_one_by_one_and_all_at_once_give_the_same_rows(
    warehouse: DuckDbWarehouse, tmp_path: Path
) -> None:
    separate = DuckDbWarehouse(tmp_path / "separate.duckdb", SQL_DIR)
    separate.apply_schema()
    seed(separate)
    roll_up(separate, ["c1"], ["c2"], ["c2", "c2"])
    for table, key in (
        ("allocation_metrics", "allocation_id"),
        ("campaign_metrics", "campaign_id"),
    ):
        assert sorted_rows(separate, table, key) == sorted_rows(warehouse, table, key), table
    separate.close()


def test_a_removed_allocation_loses_its_row(warehouse: DuckDbWarehouse) -> None:
    warehouse._connection.execute("DELETE FROM reachops.allocations WHERE allocation_id = 'a6'")
    roll_up(warehouse)
    left = rows(warehouse, "reachops.allocation_metrics")
    assert {row["allocation_id"] for row in left} == {"a1", "a2", "a3", "a4", "a5", "a9", "a10"}


def test_allocation_view_rates_with_default_thresholds(warehouse: DuckDbWarehouse) -> None:
    view = by_key(rows(warehouse, "reachops.allocation_performance"), "allocation_id")
    ratings = {key: row["rating"] for key, row in view.items()}
    assert ratings == {
        "a1": "Strong",  # $0.49 per engagement
        "a2": "Average",  # exactly $2.00: the upper bound is Average
        "a3": None,
        "a4": "Underperforming",  # $6.67
        "a5": None,
        "a6": None,
        "a9": "Underperforming",  # 150 yen: JPY has no minor unit
        "a10": None,
    }
    assert view["a2"]["cost_per_engagement"] == pytest.approx(2.0)
    assert view["a2"]["cpm"] == pytest.approx(50.0)
    assert view["a3"]["rating_unknown_reason"] == "no agreed fee: the allocation is not accepted"
    assert view["a5"]["rating_unknown_reason"] == "no engagement reported"
    for row in view.values():
        app = rate_allocation(row["cost_per_engagement_minor"], row["currency_minor_units"])
        assert (app.value if app else None) == row["rating"], row["allocation_id"]


def test_campaign_view_rates_the_campaign_and_counts_allocation_ratings(
    warehouse: DuckDbWarehouse,
) -> None:
    view = by_key(rows(warehouse, "reachops.campaign_performance"), "campaign_id")
    c1 = view["c1"]
    assert c1["rating"] == "Underperforming"  # 618,000 cents / 2,866 engagements = $2.16
    assert c1["cost_per_engagement"] == pytest.approx(6180 / 2866)
    counts = (
        c1["strong_allocations"],
        c1["average_allocations"],
        c1["underperforming_allocations"],
        c1["unrated_allocations"],
    )
    assert counts == (1, 1, 1, 1)  # a5 is accepted but has no engagement yet
    assert view["c2"]["rating"] is None


def test_creator_view_compares_with_the_median_of_the_tier(warehouse: DuckDbWarehouse) -> None:
    found = rows(warehouse, "reachops.creator_performance", "org_id = 'o1'")
    view = {(row["creator_id"], row["platform"]): row for row in found}
    cr1 = view[("cr1", "instagram")]
    assert (cr1["followers"], cr1["engagement_rate"], cr1["tier"]) == (99999, 0.03, "mid-tier")
    # Instagram mid-tier rates in o1: cr1 0.03, cr6 0.02 (latest), cr7 0.04, cr12 0.01.
    assert cr1["tier_median_engagement_rate"] == pytest.approx(0.025)
    assert cr1["tier_creators_with_rate"] == 4
    assert cr1["engagement_rate_vs_tier_median"] == pytest.approx(1.2)
    assert view[("cr7", "instagram")]["engagement_rate_vs_tier_median"] == pytest.approx(1.6)
    assert view[("cr11", "instagram")]["engagement_rate_vs_tier_median"] is None
    assert view[("cr8", "instagram")]["tier"] is None
    assert view[("cr8", "instagram")]["engagement_rate_vs_tier_median"] is None
    assert view[("cr13", "instagram")]["tier"] == "mega"
    assert view[("cr13", "instagram")]["engagement_rate_vs_tier_median"] == pytest.approx(1.0)
    assert view[("cr14", "tiktok")]["engagement_rate_vs_tier_median"] == pytest.approx(1.0)
    assert view[("cr2", "tiktok")]["tier"] is None  # followers hidden
    for row in found:
        assert row["tier"] == tier_for(row["followers"])
        peers = [
            other["engagement_rate"]
            for other in found
            if other["platform"] == row["platform"]
            and other["tier"] == row["tier"]
            and other["engagement_rate"] is not None
        ]
        expected = engagement_vs_tier_median(row["engagement_rate"], peers) if row["tier"] else None
        assert row["engagement_rate_vs_tier_median"] == pytest.approx(expected), row["creator_id"]
