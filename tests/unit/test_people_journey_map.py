"""The journey mapping is one definition: every journey event of the contract has a stage and
channel, the file refuses unknown names and double claims, the warehouse's reference rows are
exactly the file's, and no SQL spells an event, stage or channel itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from shared.people.journey_map import ORIGINS, journey_map, parse

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_EVENTS = {
    "form_submit",
    "feedback",
    "purchase",
    "page_view",
    "social_engage",
    "lead_capture",
}


def test_every_journey_event_has_a_stage_and_a_channel() -> None:
    mapping = journey_map()
    assert set(mapping.events) == CONTRACT_EVENTS
    assert mapping.stages == ("awareness", "consideration", "conversion", "retention")
    assert set(mapping.channel_of.values()) <= set(mapping.channels)


def test_reference_rows_rank_stages_in_funnel_order_and_map_record_channels() -> None:
    rows = journey_map().rows()
    ranks = {row["stage"]: row["stage_rank"] for row in rows}
    assert ranks == {"awareness": 1, "consideration": 2, "conversion": 3, "retention": 4}
    leads = [r for r in rows if r["track_source"] == "meta_lead_ads"]
    assert [(r["event"], r["channel"]) for r in leads] == [("lead_capture", "social")]
    feedback = {r["record_channel"]: r["channel"] for r in rows if r["origin"] == "feedback"}
    assert feedback[None] == "web"
    assert feedback["email"] == "email"
    assert feedback["in_app"] == "web"
    assert "phone" not in feedback  # counts as the default channel
    comments = [r for r in rows if r["origin"] == "comment"]
    assert [(r["event"], r["stage"], r["channel"], r["record_channel"]) for r in comments] == [
        ("social_engage", "awareness", "social", None)
    ]


def loaded(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "stages": ["awareness", "conversion"],
        "channels": ["web"],
        "record_channels": {"web": "web"},
        "record_channel_origins": ["feedback"],
        "events": {"page_view": {"stage": "awareness", "channel": "web"}},
        "sources": [
            {
                "origin": "track",
                "track_source": "browser",
                "event_type": "page_view",
                "event": "page_view",
            }
        ],
    }
    return {**base, **changes}


@pytest.mark.parametrize(
    "changes",
    [
        {"events": {"page_view": {"stage": "nowhere", "channel": "web"}}},
        {"events": {"page_view": {"stage": "awareness", "channel": "fax"}}},
        {"record_channels": {"web": "fax"}},
        {
            "sources": [
                {
                    "origin": "track",
                    "track_source": "browser",
                    "event_type": "page_view",
                    "event": "page_view",
                }
            ]
            * 2
        },
        {"sources": [{"origin": "track", "event": "page_view"}]},
        {"sources": [{"origin": "feedback", "event_type": "x", "event": "page_view"}]},
        {"sources": [{"origin": "somewhere", "event": "page_view"}]},
        {"sources": [{"origin": "feedback", "event": "unknown_event"}]},
        {"record_channel_origins": ["track"]},
    ],
)
def test_an_inconsistent_mapping_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"journey_map\.yaml"):
        parse(loaded(**changes))


def sql_without_comments(path: Path) -> str:
    return re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "bigquery_sql" / "views" / "journey_events.sql",
        *sorted((ROOT / "bigquery_sql" / "queries").glob("journey_*.sql")),
        ROOT / "bigquery_sql" / "queries" / "person_journey.sql",
    ],
    ids=lambda p: p.name,
)
def test_no_sql_spells_a_journey_name(path: Path) -> None:
    mapping = journey_map()
    literals = set(re.findall(r"'([^']*)'", sql_without_comments(path))) - set(ORIGINS)
    names = set(mapping.events) | set(mapping.stages) | set(mapping.channels)
    assert not literals & names, f"{path.name} spells {sorted(literals & names)}"


def test_terraform_seeds_the_reference_table_from_the_same_yaml() -> None:
    terraform = (ROOT / "terraform" / "bigquery.tf").read_text(encoding="utf-8")
    assert 'file("${path.module}/../shared/people/journey_map.yaml")' in terraform


def test_only_the_comment_origin_is_public_content_kept_on_erasure() -> None:
    assert journey_map().public_origins == ("comment",)
    assert journey_map().public_events == ("social_engage",)
