"""People's decisions (allocation accept/decline, post confirm/reject) against the Firestore
emulator: a Pub/Sub outage never fails them nor turns a retry into a conflict (their events wait
in the outbox and the relay publishes each once), and a re-detection racing a confirm never
undoes it."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.allocations.models import Allocation, AllocationBook, AllocationStatus
from shared.allocations.service import ALLOCATION_ACCEPTED, METRICS_STALE, book_path
from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.brands.models import BrandCreate
from shared.campaigns.models import Campaign, CampaignCreate, Platform
from shared.campaigns.service import campaigns_collection
from shared.config import Settings
from shared.errors import Unavailable
from shared.events import DomainEvent
from shared.outbox import OUTBOX, OUTBOX_PENDING
from shared.ports import EventBus
from shared.posts.models import Decision, PostMatch
from shared.posts.service import matches_collection
from shared.topology import load_topology

pytestmark = pytest.mark.integration


class OutageBus:
    """The real Pub/Sub bus behind a switch that makes every publish fail as an outage does
    (Pub/Sub is an outside system); it records what actually went out."""

    def __init__(self, inner: EventBus) -> None:
        self.inner = inner
        self.down = False
        self.published: list[DomainEvent] = []

    def publish(self, event: DomainEvent) -> None:
        if self.down:
            raise Unavailable(f"could not publish {event.type}: pubsub unreachable")
        self.inner.publish(event)
        self.published.append(event)


@pytest.fixture
def world(local_stack: object, clean_firestore: None, tmp_path: Path) -> tuple[Services, OutageBus]:
    services = Services(Settings(duckdb_path=tmp_path / "warehouse.duckdb"), load_topology())
    bus = OutageBus(services.bus)
    services.__dict__["bus"] = bus  # every service built from here on publishes through it
    return services, bus


def draft_campaign(services: Services) -> tuple[Principal, Campaign]:
    org, _ = services.orgs.create_org("Once")
    owner = Principal(org.org_id, "k1", Role.OWNER)
    brand = services.brands.create(owner, BrandCreate(name="B"))
    body = {
        "brand_id": brand.brand_id,
        "name": "C",
        "budget": 100,
        "currency": "EUR",
        "goals": ["reach"],
    }
    campaign = services.campaigns.create(
        owner, CampaignCreate.model_validate_json(json.dumps(body))
    )
    return owner, campaign


def pending_allocation(campaign: Campaign) -> Allocation:
    return Allocation(
        allocation_id="cr1-instagram",
        campaign_id=campaign.campaign_id,
        creator_id="cr1",
        platform=Platform.INSTAGRAM,
        username="anna",
        status=AllocationStatus.PENDING,
        fee=100,
        currency="EUR",
        slot=0,
        rank=1,
        reasons=[],
        followers=None,
        engagement_rate=None,
        verified=False,
        created_at=datetime.now(UTC),
    )


def test_an_acceptance_during_a_pubsub_outage_succeeds_on_retry_and_is_published_once(
    world: tuple[Services, OutageBus],
) -> None:
    services, bus = world
    owner, campaign = draft_campaign(services)
    allocation = pending_allocation(campaign)
    book = AllocationBook(campaign_id=campaign.campaign_id, allocations=[allocation])
    path = book_path(owner.org_id, campaign.campaign_id)
    services.store.set(path, book.model_dump(mode="json"))

    bus.down = True
    first = services.allocations.decide(owner, campaign.campaign_id, allocation.allocation_id, True)
    retried = services.allocations.decide(
        owner, campaign.campaign_id, allocation.allocation_id, True
    )
    assert first.status is AllocationStatus.ACCEPTED
    assert retried == first
    stored = services.store.get(path) or {}
    assert [e["type"] for e in stored[OUTBOX]] == [METRICS_STALE, ALLOCATION_ACCEPTED]

    bus.down = False
    services.outbox.relay()
    services.outbox.relay()
    sent = [e.type for e in bus.published if e.subject_id == campaign.campaign_id]
    assert sorted(sent) == sorted([METRICS_STALE, ALLOCATION_ACCEPTED, "campaign.created"])
    assert (services.store.get(path) or {})[OUTBOX_PENDING] is False


def stored_match(services: Services, org_id: str, campaign_id: str) -> tuple[str, PostMatch]:
    match = PostMatch(
        post_key="instagram_p1",
        campaign_id=campaign_id,
        allocation_id="cr1-instagram",
        creator_id="cr1",
        platform="instagram",
        platform_post_id="p1",
        confidence=0.4,
        reasons=["no required hashtag"],
        detected_as_campaign_content=False,
        decision=Decision.AUTO,
        is_campaign_content=False,
        updated_at=datetime.now(UTC),
    )
    path = f"{matches_collection(org_id)}/{campaign_id}__{match.post_key}"
    services.store.set(path, match.model_dump(mode="json"))
    return path, match


def test_a_confirm_during_a_pubsub_outage_succeeds_on_retry_and_is_published_once(
    world: tuple[Services, OutageBus],
) -> None:
    services, bus = world
    owner, campaign = draft_campaign(services)
    path, match = stored_match(services, owner.org_id, campaign.campaign_id)

    bus.down = True
    first = services.post_matching.decide(owner, match.post_key, campaign.campaign_id, True)
    retried = services.post_matching.decide(owner, match.post_key, campaign.campaign_id, True)
    assert first.decision is Decision.CONFIRMED
    assert retried == first

    bus.down = False
    services.outbox.relay()
    services.outbox.relay()
    assert [e.type for e in bus.published if e.subject_id == match.post_key] == [METRICS_STALE]
    assert (services.store.get(path) or {})[OUTBOX] == []


def test_a_redetection_racing_a_confirm_keeps_the_confirm(
    world: tuple[Services, OutageBus],
) -> None:
    """Detection computed its row from state read before the confirm; its write lands after
    (and, in the threaded part, around) the person's decision."""
    services, _ = world
    owner, campaign = draft_campaign(services)
    path, detected = stored_match(services, owner.org_id, campaign.campaign_id)
    services.post_matching.decide(owner, detected.post_key, campaign.campaign_id, True)
    services.post_matching.save_detected(owner.org_id, [detected])
    assert (services.store.get(path) or {})["decision"] == Decision.CONFIRMED

    services.post_matching.decide(owner, detected.post_key, campaign.campaign_id, False)
    start = threading.Barrier(2)

    def redetect() -> None:
        start.wait()
        for _ in range(8):
            services.post_matching.save_detected(owner.org_id, [detected])

    def confirm() -> None:
        start.wait()
        services.post_matching.decide(owner, detected.post_key, campaign.campaign_id, True)

    threads = [threading.Thread(target=redetect), threading.Thread(target=confirm)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = PostMatch.model_validate(services.store.get(path))
    assert final.decision is Decision.CONFIRMED
    assert final.is_campaign_content is True
    assert final.confidence == detected.confidence


@pytest.mark.parametrize("accept", [True, False])
def test_matching_racing_a_decision_never_loses_it(
    world: tuple[Services, OutageBus], accept: bool
) -> None:
    """Matching refills the book of an active campaign while a person decides: both change the
    one allocation book in a transaction, so the decision survives every interleaving."""
    services, _ = world
    owner, campaign = draft_campaign(services)
    campaign_doc = f"{campaigns_collection(owner.org_id)}/{campaign.campaign_id}"
    services.store.set(
        campaign_doc, {**(services.store.get(campaign_doc) or {}), "status": "active"}
    )
    allocation = pending_allocation(campaign)
    book = AllocationBook(campaign_id=campaign.campaign_id, allocations=[allocation])
    path = book_path(owner.org_id, campaign.campaign_id)
    services.store.set(path, book.model_dump(mode="json"))
    start = threading.Barrier(2)

    def match() -> None:
        start.wait()
        for _ in range(8):
            services.allocations.fill(owner.org_id, campaign.campaign_id)

    def decide() -> None:
        start.wait()
        services.allocations.decide(owner, campaign.campaign_id, allocation.allocation_id, accept)

    threads = [threading.Thread(target=match), threading.Thread(target=decide)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    services.allocations.fill(owner.org_id, campaign.campaign_id)
    stored = AllocationBook.model_validate(services.store.get(path))
    decided = next(a for a in stored.allocations if a.allocation_id == allocation.allocation_id)
    wanted = AllocationStatus.ACCEPTED if accept else AllocationStatus.DECLINED
    assert decided.status is wanted
    assert decided.decided_by == owner.key_id
