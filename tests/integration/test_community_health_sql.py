"""The creator_community_health view (BigQuery SQL transpiled to DuckDB) over hand-written
comments and sentiment rows: per creator, campaign and day, counts, the shares over scored
comments only (a failed or missing score counts in none), the mean toxicity of those that report
one (NULL when none does), and the creator's 30-day trend against the 30 days before."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.auth import Principal, Role
from shared.config import Settings
from shared.metrics.community import CommunityHealthService
from shared.scraping.comments import COMMENTS_KEY, COMMENTS_TABLE, comment_source_id

pytestmark = pytest.mark.integration

TODAY = datetime.now(UTC).date()
RECENT = TODAY - timedelta(days=2)
EARLIER = TODAY - timedelta(days=40)


def comment(n: int, day: date, creator: str = "cr1", campaign: str = "c1") -> dict[str, Any]:
    return {
        "org_id": "o1",
        "campaign_id": campaign,
        "creator_id": creator,
        "platform": "instagram",
        "post_key": f"instagram__p{creator}",
        "comment_id": f"{creator}{n}",
        "text": f"comment {n}",
        "author_username": "fan",
        "likes": 1,
        "posted_at": datetime.combine(day, time(12), UTC),
        "scraped_at": datetime.combine(TODAY, time(1), UTC),
    }


def score(row: dict[str, Any], label: str | None, toxicity: float | None = None) -> dict[str, Any]:
    return {
        "org_id": row["org_id"],
        "source_type": "comment",
        "source_id": comment_source_id(row["platform"], row["comment_id"]),
        "content_hash": row["comment_id"],
        "engine": "vader",
        "model": "vaderSentiment-3.3.2",
        "status": "scored" if label else "failed",
        "score": {"positive": 0.8, "negative": -0.7, "neutral": 0.0}.get(label or ""),
        "label": label,
        "keywords_json": "[]",
        "entities_json": "[]",
        "toxicity": toxicity,
        "reason": None if label else "refused",
        "scored_at": datetime.combine(TODAY, time(2), UTC),
    }


@pytest.fixture
def warehouse() -> DuckDbWarehouse:
    store = DuckDbWarehouse(":memory:", Settings().sql_dir)
    store.apply_schema()
    recent = [comment(n, RECENT) for n in range(5)]
    earlier = [comment(n, EARLIER) for n in range(10, 14)]
    unscored = comment(99, RECENT, creator="cr2")
    store.merge_rows(
        COMMENTS_TABLE, [*recent, *earlier, unscored], COMMENTS_KEY, update_existing=True
    )
    scores = [
        score(recent[0], "positive", 0.1),
        score(recent[1], "positive", 0.3),
        score(recent[2], "negative"),
        score(recent[3], None),  # the engine refused: not scored
        # recent[4] not scored yet
        score(earlier[0], "negative"),
        score(earlier[1], "negative"),
        score(earlier[2], "positive"),
        score(earlier[3], "neutral"),
    ]
    store.merge_rows(
        "sentiment_scores", scores, ["org_id", "source_type", "source_id"], update_existing=True
    )
    return store


def rows(store: DuckDbWarehouse) -> dict[tuple[str, date], dict[str, Any]]:
    found = store.run_statement(
        "SELECT * FROM reachops.creator_community_health WHERE org_id = @org", {"org": "o1"}
    )
    return {(r["creator_id"], r["day"]): r for r in found}


def test_a_day_counts_shares_over_scored_comments_only(warehouse: DuckDbWarehouse) -> None:
    day = rows(warehouse)[("cr1", RECENT)]
    assert (day["comments"], day["scored"]) == (5, 3)
    assert (day["positive_comments"], day["negative_comments"]) == (2, 1)
    assert day["positive_share"] == pytest.approx(2 / 3)
    assert day["negative_share"] == pytest.approx(1 / 3)
    assert day["toxicity_scored"] == 2
    assert day["mean_toxicity"] == pytest.approx(0.2)
    assert day["campaign_id"] == "c1"


def test_no_toxicity_reported_and_nothing_scored_stay_null(warehouse: DuckDbWarehouse) -> None:
    found = rows(warehouse)
    assert found[("cr1", EARLIER)]["mean_toxicity"] is None
    lone = found[("cr2", RECENT)]
    assert (lone["comments"], lone["scored"]) == (1, 0)
    assert lone["positive_share"] is None
    assert lone["negative_share"] is None
    assert lone["creator_positive_share_30d"] is None
    assert lone["creator_positive_share_change"] is None


def test_the_trend_compares_the_last_30_days_with_the_30_before(
    warehouse: DuckDbWarehouse,
) -> None:
    day = rows(warehouse)[("cr1", RECENT)]
    assert day["creator_positive_share_30d"] == pytest.approx(2 / 3)
    assert day["creator_positive_share_prev_30d"] == pytest.approx(1 / 4)
    assert day["creator_positive_share_change"] == pytest.approx(2 / 3 - 1 / 4)
    assert day["creator_negative_share_change"] == pytest.approx(1 / 3 - 2 / 4)
    assert rows(warehouse)[("cr1", EARLIER)]["creator_positive_share_30d"] == pytest.approx(2 / 3)


def test_the_creator_reply_sums_days_and_names_every_null(warehouse: DuckDbWarehouse) -> None:
    service = CommunityHealthService(warehouse)
    reader = Principal(org_id="o1", key_id="k1", role=Role.VIEWER)

    health = service.creator(reader, "cr1")
    assert (health.comments, health.scored) == (9, 7)
    assert health.positive_share == pytest.approx(3 / 7)
    assert health.mean_toxicity == pytest.approx(0.2)
    assert health.trend is not None
    assert health.trend.positive_share_change == pytest.approx(2 / 3 - 1 / 4)
    assert health.unknown == {}

    lone = service.creator(reader, "cr2")
    assert lone.positive_share is None
    assert set(lone.unknown) >= {"positive_share", "negative_share", "mean_toxicity"}
    nobody = service.creator(reader, "cr-none")
    assert nobody.comments == 0
    assert "no comment" in nobody.unknown["positive_share"]


def test_the_campaign_reply_has_a_total_and_each_creator(warehouse: DuckDbWarehouse) -> None:
    total, by_creator = CommunityHealthService(warehouse).campaign("o1", "c1")
    assert (total.comments, total.scored) == (10, 7)
    assert total.trend is None
    assert "trend" in total.unknown
    assert set(by_creator) == {"cr1", "cr2"}
    assert CommunityHealthService(warehouse).campaign("o2", "c1")[1] == {}
