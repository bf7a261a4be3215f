"""Social identities on the emulator and the local warehouse: a person's handles are
normalised, one person's each (a second person asking for one is refused with nothing
changed), and every comment a handle wrote on the organization's campaign posts, earlier
ones included, is a social_engage event of their journey (awareness, social) that counts in
the engagement score's social weight; a dropped handle takes its comments out; another
platform's same handle, another organization's comments and comments with no time never join.
Feedback and form responses still map through the one union of records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.errors import Conflict
from shared.people.handles import SocialHandle
from shared.people.models import JourneyQuery, LinkPersonInteractions, PersonCreate, PersonUpdate
from shared.people.records import HANDLES_TABLE, handle_claim_path
from shared.scores.engagement import DEFAULT_WEIGHTS, decayed, query_params
from shared.scraping.comments import COMMENTS_KEY, COMMENTS_TABLE
from tests.integration.test_people_service import people_services

pytestmark = pytest.mark.integration
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)


def comment(org_id: str, comment_id: str, author: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "org_id": org_id,
        "campaign_id": "c1",
        "creator_id": "cr1",
        "platform": extra.pop("platform", "instagram"),
        "post_key": "instagram:DA1",
        "comment_id": comment_id,
        "text": "love these boots",
        "author_username": author,
        "likes": 2,
        "posted_at": extra.pop("posted_at", T0),
        "scraped_at": T0 + timedelta(hours=1),
    }


def handle(platform: str, name: str) -> SocialHandle:
    return SocialHandle.model_validate({"platform": platform, "handle": name})


@pytest.fixture
def world(local_stack: object, clean_firestore: None, tmp_path: Path) -> tuple[Services, Principal]:
    services = people_services(tmp_path)
    org, key = services.orgs.create_org("Social Inc")
    elsewhere, _ = services.orgs.create_org("Elsewhere Inc")
    services.warehouse.merge_rows(
        COMMENTS_TABLE,
        [
            comment(org.org_id, "ig-1", "jane.doe"),
            comment(org.org_id, "ig-2", "jane.doe", posted_at=T0 + timedelta(hours=2)),
            comment(org.org_id, "ig-3", "jane.doe", posted_at=None),  # no time: no event
            comment(org.org_id, "ig-4", "someone.else"),
            comment(org.org_id, "tt-1", "jane.doe", platform="tiktok"),
            comment(org.org_id, "tt-2", "janedoe", platform="tiktok"),
            comment(elsewhere.org_id, "ig-9", "jane.doe"),
        ],
        COMMENTS_KEY,
        update_existing=True,
    )
    return services, Principal(org.org_id, key.key_id, Role.MEMBER)


def journey(services: Services, principal: Principal, person_id: str) -> list[tuple[str, ...]]:
    events = services.journeys.journey(principal, person_id, JourneyQuery()).events
    return [(e.event, e.stage, e.channel, e.source_id) for e in events]


def test_a_persons_handles_bring_their_comments_into_the_journey_and_the_score(
    world: tuple[Services, Principal],
) -> None:
    services, member = world
    people = services.people
    created, person = people.create(
        member,
        PersonCreate(email="jane@example.com", social_handles=[handle("instagram", "@Jane.Doe ")]),
    )
    assert created
    assert [(h.platform.value, h.handle) for h in person.social_handles] == [
        ("instagram", "jane.doe")
    ]
    assert journey(services, member, person.person_id) == [
        ("social_engage", "awareness", "social", "instagram:ig-1"),
        ("social_engage", "awareness", "social", "instagram:ig-2"),
    ]

    again, same = people.create(
        member,
        PersonCreate(email="JANE@example.com", social_handles=[handle("tiktok", "JaneDoe")]),
    )
    assert (again, same.person_id) == (False, person.person_id)
    assert {(h.platform.value, h.handle) for h in same.social_handles} == {
        ("instagram", "jane.doe"),
        ("tiktok", "janedoe"),
    }
    assert [e[3] for e in journey(services, member, person.person_id)] == [
        "instagram:ig-1",
        "tiktok:tt-2",
        "instagram:ig-2",
    ]

    as_of = T0 + timedelta(days=1)
    scores = services.warehouse.run(
        "queries/scores_engagement.sql",
        query_params(member.org_id, as_of, DEFAULT_WEIGHTS, half_life_days=30.0),
    )
    social = [r for r in scores if r["event"] == "social_engage"]
    assert [(r["person_id"], r["events"]) for r in social] == [(person.person_id, 3)]
    expected = sum(
        decayed(DEFAULT_WEIGHTS["social_engage"], (as_of - at).total_seconds() / 86400, 30.0)
        for at in (T0, T0, T0 + timedelta(hours=2))
    )
    assert social[0]["points"] == pytest.approx(expected)

    dropped = people.update(
        member, person.person_id, PersonUpdate(social_handles=[handle("tiktok", "janedoe")])
    )
    assert [h.handle for h in dropped.social_handles] == ["janedoe"]
    assert [e[3] for e in journey(services, member, person.person_id)] == ["tiktok:tt-2"]
    rows = services.warehouse.run_statement(
        f"SELECT platform, handle FROM reachops.{HANDLES_TABLE} WHERE org_id = @org_id",  # noqa: S608
        {"org_id": member.org_id},
    )
    assert rows == [{"platform": "tiktok", "handle": "janedoe"}]


def test_a_handle_is_one_persons_and_a_refused_change_changes_nothing(
    world: tuple[Services, Principal],
) -> None:
    services, member = world
    people = services.people
    _, jane = people.create(
        member,
        PersonCreate(email="jane@example.com", social_handles=[handle("instagram", "jane.doe")]),
    )
    _, other = people.create(member, PersonCreate(email="other@example.com"))
    with pytest.raises(Conflict) as refused:
        people.update(
            member,
            other.person_id,
            PersonUpdate(
                social_handles=[handle("tiktok", "other"), handle("instagram", "JANE.DOE")]
            ),
        )
    assert refused.value.field == "social_handles"
    assert people.get(member, other.person_id).social_handles == []
    assert journey(services, member, other.person_id) == []
    # tiktok "other" was not claimed by the refused change: a third person may take it
    _, third = people.create(
        member, PersonCreate(email="third@example.com", social_handles=[handle("tiktok", "other")])
    )
    assert [h.handle for h in third.social_handles] == ["other"]

    people.update(member, jane.person_id, PersonUpdate(social_handles=[]))
    taken = people.update(
        member, other.person_id, PersonUpdate(social_handles=[handle("instagram", "jane.doe")])
    )  # released by jane: now the other person's
    assert [h.handle for h in taken.social_handles] == ["jane.doe"]
    assert len(journey(services, member, other.person_id)) == 2
    assert journey(services, member, jane.person_id) == []


def test_feedback_and_form_responses_map_through_one_union_with_their_channels(
    world: tuple[Services, Principal],
) -> None:
    services, member = world
    _, person = services.people.create(member, PersonCreate(email="jane@example.com"))
    services.people.link(member, LinkPersonInteractions(email="jane@example.com", visitor_id="v1"))
    services.warehouse.merge_rows(
        "form_responses",
        [
            {
                "org_id": member.org_id,
                "form_id": "f1",
                "response_id": "r-visitor",
                "person_id": None,
                "visitor_id": "v1",
                "fields_json": "{}",
                "channel": "sms",
                "created_at": T0,
            },
            {
                "org_id": member.org_id,
                "form_id": "f1",
                "response_id": "r-person",
                "person_id": person.person_id,
                "visitor_id": None,
                "fields_json": "{}",
                "channel": "phone",
                "created_at": T0 + timedelta(minutes=1),
            },
        ],
        ("org_id", "response_id", "created_at"),
        update_existing=False,
    )
    assert journey(services, member, person.person_id) == [
        ("form_submit", "consideration", "sms", "r-visitor"),
        ("form_submit", "consideration", "web", "r-person"),  # phone: the default channel
    ]


def test_a_refused_create_stores_no_one_and_erasure_frees_every_claim_of_the_person(
    world: tuple[Services, Principal],
) -> None:
    services, member = world
    people, admin = services.people, Principal(member.org_id, member.key_id, Role.ADMIN)
    _, jane = people.create(
        member,
        PersonCreate(email="jane@example.com", social_handles=[handle("instagram", "jane.doe")]),
    )
    with pytest.raises(Conflict):
        people.create(
            member,
            PersonCreate(email="new@example.com", social_handles=[handle("instagram", "jane.doe")]),
        )
    created, _ = people.create(member, PersonCreate(email="new@example.com"))
    assert created  # the refused request made no one
    # a claim the person's document lost (an interrupted change) is found by its person_id
    stray = handle("tiktok", "jane.stray")
    stray_path = handle_claim_path(member.org_id, stray.key)
    services.store.create(stray_path, {"person_id": jane.person_id})
    scored = {
        "org_id": member.org_id,
        "source_type": "comment",
        "source_id": "instagram:ig-1",
        "content_hash": "h-ig-1",
        "engine": "vader",
        "model": "vader-3.3.2",
        "status": "scored",
        "score": 0.6,
        "label": "positive",
        "keywords_json": "[]",
        "entities_json": "[]",
        "toxicity": None,
        "reason": None,
        "scored_at": T0,
    }
    services.warehouse.merge_rows(
        "sentiment_scores", [scored], ("org_id", "source_type", "source_id"), update_existing=True
    )
    people.erase(admin, jane.person_id)
    assert services.store.get(stray_path) is None
    _, taken = people.create(
        member,
        PersonCreate(email="other@example.com", social_handles=[handle("instagram", "jane.doe")]),
    )
    assert [h.handle for h in taken.social_handles] == ["jane.doe"]
    # the comments are the post's: they and their sentiment stay, now another person's journey
    kept = services.warehouse.run_statement(
        "SELECT source_id FROM reachops.sentiment_scores WHERE org_id = @org_id",
        {"org_id": member.org_id},
    )
    assert kept == [{"source_id": "instagram:ig-1"}]
    assert len(journey(services, member, taken.person_id)) == 2
