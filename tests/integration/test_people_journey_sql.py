"""Journeys on the local warehouse (the BigQuery SQL of views/journey_events.sql and the
journey queries, run on DuckDB): tracked events, feedback and form responses become journey
events with their stage and channel from the one mapping; a visitor's earlier events join the
person's journey as soon as the link row exists (nothing is rewritten); paths are n-grams with
repeats collapsed; drop-off follows the funnel; another organization's rows never show."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.auth import Principal, Role
from shared.config import get_settings
from shared.people.journeys import JourneyService
from shared.people.models import DropoffQuery, PathsQuery
from shared.people.records import VISITORS_KEY, VISITORS_TABLE

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
DAY = date(2026, 11, 2)
EVENT_KEYS = ("org_id", "site_id", "event_id", "occurred_at")


def tracked(
    event_id: str, event_type: str, visitor: str | None, minutes: int, **extra: Any
) -> dict[str, Any]:
    at = T0 + timedelta(minutes=minutes)
    return {
        "org_id": extra.pop("org_id", "o1"),
        "site_id": "s1",
        "event_id": event_id,
        "source": extra.pop("source", "browser"),
        "event_type": event_type,
        "occurred_at": at,
        "received_at": at,
        "visitor_id": visitor,
        **extra,
    }


def feedback(feedback_id: str, person: str | None, minutes: int, channel: str) -> dict[str, Any]:
    return {
        "org_id": "o1",
        "feedback_id": feedback_id,
        "person_id": person,
        "visitor_id": None,
        "rating": 9,
        "scale": "nps_0_10",
        "rating_0_10": 9.0,
        "text": "great",
        "channel": channel,
        "created_at": T0 + timedelta(minutes=minutes),
    }


def link(visitor: str, person: str) -> dict[str, Any]:
    return {
        "org_id": "o1",
        "visitor_id": visitor,
        "person_id": person,
        "linked_at": T0 + timedelta(days=1),
        "link_source": "test",
    }


class NoPeople:
    """The journey queries need no person lookup for paths and drop-off."""


@pytest.fixture
def warehouse(tmp_path: Path) -> DuckDbWarehouse:
    found = DuckDbWarehouse(tmp_path / "w.duckdb", get_settings().sql_dir)
    found.apply_schema()
    found.merge_rows(
        "track_events",
        [
            tracked("e1", "page_view", "v1", 0, url="https://shop.example/"),
            tracked("e2", "page_view", "v1", 1, url="https://shop.example/a"),
            tracked("e3", "add_to_cart", "v1", 2),  # not a journey event
            tracked("e4", "lead_form_submission", "v1", 3),
            tracked("e5", "purchase", "v1", 4, value_micros=30_000_000, currency="EUR"),
            tracked("e6", "page_view", "v2", 5),
            tracked("e7", "lead_form_submission", None, 6, source="meta_lead_ads"),
            tracked("x1", "page_view", "v1", 0, org_id="o2"),
        ],
        EVENT_KEYS,
        update_existing=False,
    )
    found.merge_rows(
        "feedback",
        [feedback("f1", "p1", 10, "email"), feedback("f2", "p1", 11, "phone")],
        ("org_id", "feedback_id", "created_at"),
        update_existing=False,
    )
    return found


def journey_rows(warehouse: DuckDbWarehouse, person: str) -> list[dict[str, Any]]:
    return warehouse.run(
        "queries/person_journey.sql",
        {"org_id": "o1", "person_id": person, "from_date": DAY, "to_date": DAY, "max_events": 100},
    )


def test_records_become_journey_events_with_their_stage_and_channel(
    warehouse: DuckDbWarehouse,
) -> None:
    rows = warehouse.run_statement(
        "SELECT source_id, person_id, event, stage, channel, value_micros FROM "
        "reachops.journey_events WHERE org_id = @org_id ORDER BY occurred_at",
        {"org_id": "o1"},
    )
    assert [(r["source_id"], r["event"], r["stage"], r["channel"]) for r in rows] == [
        ("s1~e1", "page_view", "awareness", "web"),
        ("s1~e2", "page_view", "awareness", "web"),
        ("s1~e4", "form_submit", "consideration", "web"),
        ("s1~e5", "purchase", "conversion", "web"),
        ("s1~e6", "page_view", "awareness", "web"),
        ("s1~e7", "lead_capture", "consideration", "social"),
        ("f1", "feedback", "retention", "email"),
        ("f2", "feedback", "retention", "web"),  # phone is no journey channel: the default
    ]
    assert rows[3]["value_micros"] == 30_000_000
    assert [r["person_id"] for r in rows[:6]] == [None] * 6


def test_linking_a_visitor_backfills_its_earlier_events_into_the_journey(
    warehouse: DuckDbWarehouse,
) -> None:
    assert [r["source_id"] for r in journey_rows(warehouse, "p1")] == ["f2", "f1"]
    warehouse.merge_rows(VISITORS_TABLE, [link("v1", "p1")], VISITORS_KEY, update_existing=False)
    assert [r["source_id"] for r in journey_rows(warehouse, "p1")] == [
        "f2",
        "f1",
        "s1~e5",
        "s1~e4",
        "s1~e2",
        "s1~e1",
    ]
    other = warehouse.run(
        "queries/person_journey.sql",
        {"org_id": "o2", "person_id": "p1", "from_date": DAY, "to_date": DAY, "max_events": 100},
    )
    assert other == []  # o2's page view of a visitor named v1 is not o1's person's


def test_paths_are_n_grams_with_repeats_collapsed_and_dropoff_follows_the_funnel(
    warehouse: DuckDbWarehouse,
) -> None:
    warehouse.merge_rows(VISITORS_TABLE, [link("v1", "p1")], VISITORS_KEY, update_existing=False)
    principal = Principal("o1", "k1", Role.VIEWER)
    service = JourneyService(warehouse, NoPeople())  # type: ignore[arg-type]
    stages = service.paths(principal, PathsQuery(**{"from": DAY, "to": DAY, "n": 3}))
    assert stages.journeys == 1
    assert [(p.path, p.journeys, p.share) for p in stages.paths] == [
        (["awareness", "consideration", "conversion"], 1, 1.0),
        (["consideration", "conversion", "retention"], 1, 1.0),
    ]
    events = service.paths(
        principal, PathsQuery(**{"from": DAY, "to": DAY, "n": 2, "level": "event"})
    )
    assert ["page_view", "form_submit"] in [p.path for p in events.paths]
    none = service.paths(principal, PathsQuery(**{"from": DAY, "to": DAY, "n": 5}))
    assert (none.paths, none.reason) == ([], "no journey in the range has 5 steps")

    dropoff = service.dropoff(principal, DropoffQuery(**{"from": DAY, "to": DAY}))
    # journeys: p1 (to retention), v2 (awareness only), the lead's (no visitor: left out)
    assert dropoff.journeys == 2
    by_stage = {s.stage: (s.reached, s.ended_here, s.continued_rate) for s in dropoff.stages}
    assert by_stage == {
        "awareness": (2, 1, 0.5),
        "consideration": (1, 0, 1.0),
        "conversion": (1, 0, 1.0),
        "retention": (1, 1, None),  # no stage after it
    }
    assert dropoff.last_events == {"feedback": 1, "page_view": 1}
    empty = service.dropoff(
        principal, DropoffQuery(**{"from": date(2020, 1, 1), "to": date(2020, 1, 2)})
    )
    assert (empty.journeys, empty.reason) == (0, "no journey in the range has a step")
    assert all(s.continued_rate is None for s in empty.stages)
