"""Metrics replies rate the very rows they return, so figures and ratings never disagree.

The rollup runs through MetricsService (allocations synced, one set-based script) on DuckDB with
the input rows of test_rollups; the campaign and allocation services, posts, creators and
settings are stand-ins (plain objects returning fixed data), as the reply logic is what is under
test. A reply with a known cost per engagement must carry its rating at once: no separate
scoring step exists that could lag behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.allocations.models import Allocation, AllocationBook, AllocationStatus
from shared.auth import Principal, Role
from shared.campaigns.models import Platform
from shared.errors import NotFound
from shared.metrics.scoring import rate_allocation
from shared.metrics.service import MetricsService
from tests.integration.test_rollups import SQL_DIR, T0, insert, seed

pytestmark = pytest.mark.integration
PRINCIPAL = Principal(org_id="o1", key_id="k1", role=Role.MEMBER)
BOOK = {
    "c1": [
        ("a1", "cr1", "instagram", "accepted", 10000),
        ("a2", "cr2", "tiktok", "accepted", 500000),
        ("a3", "cr3", "instagram", "declined", 30000),
        ("a5", "cr5", "instagram", "accepted", 8000),
        ("a6", "cr6", "instagram", "pending", 7000),
    ]
}


def allocation(campaign_id: str, spec: tuple[str, str, str, str, int]) -> Allocation:
    allocation_id, creator_id, platform, status, fee = spec
    return Allocation(
        allocation_id=allocation_id,
        campaign_id=campaign_id,
        creator_id=creator_id,
        platform=Platform(platform),
        username=creator_id,
        status=AllocationStatus(status),
        fee=fee,
        currency="USD",
        slot=0,
        rank=0,
        reasons=[],
        followers=None,
        engagement_rate=None,
        verified=False,
        created_at=T0,
    )


class Allocations:
    def book(self, org_id: str, campaign_id: str) -> AllocationBook:
        specs = BOOK.get(campaign_id, [])
        return AllocationBook(
            campaign_id=campaign_id, allocations=[allocation(campaign_id, s) for s in specs]
        )

    def get(self, principal: Principal, campaign_id: str, allocation_id: str) -> Allocation:
        book = self.book(principal.org_id, campaign_id).allocations
        return next(a for a in book if a.allocation_id == allocation_id)


class Creators:
    def load(self, org_id: str, creator_id: str) -> None:
        raise NotFound(f"creator {creator_id} not found")


class Settings:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def raw(self, org_id: str) -> dict[str, Any]:
        return self.values


def service(warehouse: DuckDbWarehouse, settings: Settings) -> MetricsService:
    campaigns = SimpleNamespace(get=lambda principal, campaign_id: SimpleNamespace(currency="USD"))
    posts = SimpleNamespace(campaign_posts=lambda principal, campaign_id, allocation_id=None: [])
    return MetricsService(
        store=cast(Any, None),
        warehouse=warehouse,
        campaigns=cast(Any, campaigns),
        allocations=cast(Any, Allocations()),
        creators=cast(Any, Creators()),
        posts=cast(Any, posts),
        settings=cast(Any, settings),
    )


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[DuckDbWarehouse]:
    made = DuckDbWarehouse(tmp_path / "w.duckdb", SQL_DIR)
    made.apply_schema()
    seed(made)
    made._connection.execute("DELETE FROM reachops.allocations")  # the service syncs them
    yield made
    made.close()


def test_a_known_cost_per_engagement_is_always_rated(warehouse: DuckDbWarehouse) -> None:
    settings = Settings()
    metrics = service(warehouse, settings)
    before = metrics.campaign(PRINCIPAL, "c1")
    for reply in before.allocations:
        assert reply.cost_per_engagement_minor is None
        assert reply.score.rating is None
        assert reply.score.rating_reason is not None
        assert reply.score.rating_reason.startswith("no metrics yet")

    metrics.rollup("o1", ["c1"])
    after = metrics.campaign(PRINCIPAL, "c1")
    assert {a.computed_at for a in after.allocations} == {after.computed_at}
    rated = {a.allocation_id: a.score.rating for a in after.allocations}
    assert rated == {"a1": "Strong", "a2": "Average", "a3": None, "a5": None, "a6": None}
    for reply in after.allocations:
        expected = rate_allocation(reply.cost_per_engagement_minor, 2)
        assert reply.score.rating == expected, reply.allocation_id
        if reply.cost_per_engagement_minor is not None:
            assert reply.score.rating is not None
    single = metrics.allocation(PRINCIPAL, "c1", "a2")
    assert (single.cost_per_engagement_minor, single.score.rating) == (200.0, "Average")

    # New thresholds apply to the next reply, with no rescoring step in between.
    settings.values = {"cpe_thresholds": {"default": {"underperforming_above": 1.0}}}
    assert metrics.allocation(PRINCIPAL, "c1", "a2").score.rating == "Underperforming"


def test_cpm_says_which_posts_it_counts(warehouse: DuckDbWarehouse) -> None:
    metrics = service(warehouse, Settings())
    metrics.rollup("o1", ["c1"])
    reply = metrics.campaign(PRINCIPAL, "c1")
    # c1 campaign posts: p1, p2, p3, p4 report views; p6 does not, p7 is not scraped yet.
    assert (reply.posts_count, reply.views_posts_reported) == (6, 4)
    assert reply.cpm_note is not None
    assert "4 of 6" in reply.cpm_note
    a2 = next(a for a in reply.allocations if a.allocation_id == "a2")
    assert (a2.views_posts_reported, a2.cpm_note) == (1, None)
    assert (reply.undisclosed_posts, reply.disclosure_unchecked_posts) == (2, 2)


def test_a_rollup_of_no_campaigns_does_nothing(warehouse: DuckDbWarehouse) -> None:
    service(warehouse, Settings()).rollup("o1", [])
    insert(warehouse, "allocations", [])
    found = warehouse._connection.execute("SELECT count(*) FROM reachops.allocation_metrics")
    assert found.fetchall() == [(0,)]
