"""Metrics replies rate the very rows they return, so figures and ratings never disagree.

Everything MetricsService reads is real. An organization with an owner and a member API key, a
brand, five creators, an activated campaign and its allocations (filled and decided through the
allocation service) and the organization's settings live in the Firestore emulator; the posts'
snapshots and matches are rows of a private DuckDB warehouse, into which a rollup syncs the
allocations before it runs the one set-based script. A reply with a known cost per engagement
must carry its rating at once: no separate scoring step exists that could lag behind.

The campaign pays USD 400.00 for four creators, USD 100.00 each. The allocations keep the labels
of test_rollups: a1, a2 and a5 are accepted, a3 is declined (its slot went to a6, pending).
a1's posts p1 and p2 (and the rejected p5), a2's p3 and a3's p4 carry test_rollups' shapes;
p3 adds up to 50 engagements, so a2's cost per engagement is exactly $2.00 (the upper bound of
Average). a3's p6 reports no views and a5's p7 is matched but not scraped yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.brands.models import BrandCreate
from shared.campaigns.lifecycle import Action
from shared.campaigns.models import CampaignCreate
from shared.creators.models import CreatorCreate
from shared.metrics.scoring import rate_allocation
from shared.orgs.settings import OrgSettings
from tests.e2e.helpers import ready_campaign

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)
# Allocation label: creator name, platform and declared engagement rate. The rates rank them
# in this order, so the campaign's four slots go to a1, a2, a3 and a5, and a6 is next in line.
CREATORS = {
    "a1": ("Anna", "instagram", 0.09),
    "a2": ("Ben", "tiktok", 0.08),
    "a3": ("Cleo", "instagram", 0.07),
    "a5": ("Dana", "instagram", 0.06),
    "a6": ("Emil", "instagram", 0.05),
}
# Post: its allocation, whether it is campaign content, and whether it is disclosed (None: not
# checked yet).
MATCHES = {
    "p1": ("a1", True, True),
    "p2": ("a1", True, False),
    "p3": ("a2", True, None),
    "p4": ("a3", True, False),  # a declined allocation's posts still count for the campaign
    "p5": ("a1", False, False),  # checked and rejected: not campaign content
    "p6": ("a3", True, True),
    "p7": ("a5", True, None),  # no snapshot: not scraped yet
}
# Scrapes: post, hours after T0, likes, comments, shares, views (None: hidden or not reported).
SNAPSHOTS = [
    ("p1", 1, 100, 10, None, 1000),
    ("p1", 5, 120, 15, 2, 1500),
    ("p1", 10, 150, 20, 5, 2000),  # only the latest scrape of a post counts
    ("p2", 2, None, 30, 0, 3000),
    ("p3", 3, 20, 4, 1, 500),
    ("p3", 8, 40, 8, 2, 1000),
    ("p4", 4, 10, 1, 0, 100),
    ("p5", 6, 99999, 9999, 999, 10**7),
    ("p6", 6, 100, 50, None, None),
]


@dataclass(frozen=True)
class World:
    """What a test acts on: the services, the two callers, the campaign and its allocations."""

    services: Services
    owner: Principal
    member: Principal
    campaign_id: str
    allocation_ids: dict[str, str]
    """Allocation label (a1, a2, ...) to the allocation id the allocation service gave it."""

    @property
    def org_id(self) -> str:
        return self.member.org_id

    def label(self, allocation_id: str) -> str:
        return next(k for k, v in self.allocation_ids.items() if v == allocation_id)


def principal(services: Services, api_key: str) -> Principal:
    """The caller an API key authenticates as, exactly as a request's would be."""
    return services.authenticate(f"Bearer {api_key}")


def add_creators(services: Services, member: Principal) -> dict[str, str]:
    """The creators, by allocation label, as POST /v1/creators makes them."""
    made = {}
    for label, (name, platform, rate) in CREATORS.items():
        profile = {"platform": platform, "username": name.lower(), "declared_followers": 5000}
        body = {"name": name, "profiles": [{**profile, "declared_engagement_rate": rate}]}
        request = CreatorCreate.model_validate_json(json.dumps(body))
        made[label] = services.creators.create(member, request).creator_id
    return made


def activated_campaign(services: Services, owner: Principal, member: Principal) -> str:
    """A ready USD campaign for four creators of any tier and place, activated."""
    brand = services.brands.create(owner, BrandCreate.model_validate({"name": "Acme"}))
    body = ready_campaign(
        brand.brand_id,
        currency="USD",
        budget=40_000,
        creators_wanted=4,
        audience_size=None,
        target_location=None,
    )
    request = CampaignCreate.model_validate_json(json.dumps(body))
    campaign_id = services.campaigns.create(member, request).campaign_id
    services.campaigns.perform(member, campaign_id, Action.ACTIVATE)
    return campaign_id


def seed_posts(world: World) -> None:
    """The posts' matches and scrapes, keyed as detection and ingest write them."""
    book = world.services.allocations.book(world.org_id, world.campaign_id).allocations
    allocations = {world.label(a.allocation_id): a for a in book}
    matches = []
    for post_id, (label, campaign_content, disclosed) in MATCHES.items():
        allocation = allocations[label]
        matches.append(
            {
                "org_id": world.org_id,
                "campaign_id": world.campaign_id,
                "allocation_id": allocation.allocation_id,
                "creator_id": allocation.creator_id,
                "platform": allocation.platform.value,
                "platform_post_id": post_id,
                "confidence": 0.9,
                "decision": "auto" if campaign_content else "rejected",
                "is_campaign_content": campaign_content,
                "disclosed": disclosed,
                "updated_at": T0,
            }
        )
    snapshots = []
    for post_id, hours, likes, comments, shares, views in SNAPSHOTS:
        allocation = allocations[MATCHES[post_id][0]]
        snapshots.append(
            {
                "org_id": world.org_id,
                "creator_id": allocation.creator_id,
                "platform": allocation.platform.value,
                "platform_post_id": post_id,
                "likes": likes,
                "comments": comments,
                "shares": shares,
                "views": views,
                "reach": None,
                "scraped_at": T0 + timedelta(hours=hours),
                "run_id": f"run-{hours}",
                "actor_id": "apify/scraper",
            }
        )
    warehouse = world.services.warehouse
    match_keys = ["org_id", "campaign_id", "platform", "platform_post_id"]
    warehouse.merge_rows("post_matches", matches, match_keys, update_existing=True)
    snapshot_keys = ["run_id", "platform", "platform_post_id"]
    warehouse.merge_rows("post_snapshots", snapshots, snapshot_keys, update_existing=False)


@pytest.fixture
def world(app_services: Services) -> World:
    org, owner_key = app_services.orgs.create_org("Metrics Agency")
    owner = principal(app_services, owner_key.api_key)
    member_key = app_services.orgs.create_key_for_org(org.org_id, Role.MEMBER, "member")
    member = principal(app_services, member_key.api_key)
    creators = add_creators(app_services, member)
    campaign_id = activated_campaign(app_services, owner, member)
    allocations = app_services.allocations
    filled = allocations.fill(org.org_id, campaign_id).allocations  # as creator_matching does
    assert [a.creator_id for a in filled] == [creators[k] for k in ("a1", "a2", "a3", "a5")]
    by_creator = {a.creator_id: a.allocation_id for a in filled}
    for label, accept in {"a3": False, "a1": True, "a2": True, "a5": True}.items():
        allocations.decide(member, campaign_id, by_creator[creators[label]], accept)
    labels = {creator_id: label for label, creator_id in creators.items()}
    book = allocations.book(org.org_id, campaign_id).allocations
    assert {labels[a.creator_id]: (a.status.value, a.fee) for a in book} == {
        "a1": ("accepted", 10000),
        "a2": ("accepted", 10000),
        "a3": ("declined", 10000),
        "a5": ("accepted", 10000),
        "a6": ("pending", 10000),  # took the declined a3's slot and fee
    }
    ids = {labels[a.creator_id]: a.allocation_id for a in book}
    made = World(app_services, owner, member, campaign_id, ids)
    seed_posts(made)
    return made


def test_a_known_cost_per_engagement_is_always_rated(world: World) -> None:
    metrics = world.services.metrics
    before = metrics.campaign(world.member, world.campaign_id)
    assert {world.label(a.allocation_id) for a in before.allocations} == set(CREATORS)
    for reply in before.allocations:
        assert reply.cost_per_engagement_minor is None
        assert reply.score.rating is None
        assert reply.score.rating_reason is not None
        assert reply.score.rating_reason.startswith("no metrics yet")

    metrics.rollup(world.org_id, [world.campaign_id])
    after = metrics.campaign(world.member, world.campaign_id)
    assert {a.computed_at for a in after.allocations} == {after.computed_at}
    rated = {world.label(a.allocation_id): a.score.rating for a in after.allocations}
    assert rated == {"a1": "Strong", "a2": "Average", "a3": None, "a5": None, "a6": None}
    for reply in after.allocations:
        expected = rate_allocation(reply.cost_per_engagement_minor, 2)
        assert reply.score.rating == expected, reply.allocation_id
        if reply.cost_per_engagement_minor is not None:
            assert reply.score.rating is not None
    a2 = world.allocation_ids["a2"]
    single = metrics.allocation(world.member, world.campaign_id, a2)
    assert (single.cost_per_engagement_minor, single.score.rating) == (200.0, "Average")

    # New thresholds (PUT /v1/settings) apply to the next reply, with no rescoring in between.
    body = {"cpe_thresholds": {"default": {"underperforming_above": 1.0}}}
    settings = OrgSettings.model_validate_json(json.dumps(body))
    world.services.settings_service.replace(world.owner, settings)
    assert metrics.allocation(world.member, world.campaign_id, a2).score.rating == "Underperforming"


def test_cpm_says_which_posts_it_counts(world: World) -> None:
    metrics = world.services.metrics
    metrics.rollup(world.org_id, [world.campaign_id])
    reply = metrics.campaign(world.member, world.campaign_id)
    # Campaign posts: p1, p2, p3, p4 report views; p6 does not, p7 is not scraped yet.
    assert (reply.posts_count, reply.views_posts_reported) == (6, 4)
    assert reply.cpm_note is not None
    assert "4 of 6" in reply.cpm_note
    a2 = next(a for a in reply.allocations if world.label(a.allocation_id) == "a2")
    assert (a2.views_posts_reported, a2.cpm_note) == (1, None)
    # p2 and p4 are undisclosed; p3 and p7 have not been checked.
    assert (reply.undisclosed_posts, reply.disclosure_unchecked_posts) == (2, 2)


def test_a_rollup_of_no_campaigns_does_nothing(world: World) -> None:
    world.services.metrics.rollup(world.org_id, [])
    with duckdb.connect(str(world.services.settings.duckdb_path)) as warehouse:
        found = warehouse.execute("SELECT count(*) FROM reachops.allocation_metrics")
        assert found.fetchall() == [(0,)]
        synced = warehouse.execute("SELECT count(*) FROM reachops.allocations")
        assert synced.fetchall() == [(0,)]  # not even the allocations were copied
