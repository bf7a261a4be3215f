"""Server-side conversions and the Meta Lead Ads webhook, as pure logic: what is accepted,
what is refused and why, the signature check, the corpus of leadgen payloads, and no PII kept."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.conversions.meta_leads import (
    LeadgenNotification,
    field_names,
    handshake,
    lead_event,
    leads_of,
    verify_signature,
)
from shared.conversions.models import (
    SERVER_WINDOW,
    ConversionCreate,
    ConversionType,
    StatsQuery,
)
from shared.conversions.stats import CAMPAIGN_SESSIONS, NO_SESSIONS, shape
from shared.errors import Forbidden, Unauthenticated
from shared.tracking.events import CONVERSIONS, Rejection, check_event

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus" / "meta"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SECRET = "app-secret-ü"


def conversion(**fields: Any) -> dict[str, Any]:
    body = {
        "type": "purchase",
        "event_id": "crm-1",
        "occurred_at": NOW.isoformat(),
        "order_id": "o-1",
        "value": "49.50",
        "currency": "EUR",
    }
    return {**body, **fields}


def checked(raw: dict[str, Any]) -> ConversionCreate | Rejection:
    outcome = check_event(0, raw, NOW, SERVER_WINDOW, ConversionCreate)
    return outcome if isinstance(outcome, Rejection) else outcome[0]  # type: ignore[return-value]


def test_the_conversion_types_are_the_tracking_intakes_and_the_views() -> None:
    assert set(get_args(ConversionType)) == CONVERSIONS
    sql = (ROOT / "bigquery_sql" / "views" / "conversions.sql").read_text(encoding="utf-8")
    listed = re.search(r"event_type IN \(([^)]*)\)", sql)
    assert listed is not None
    assert set(re.findall(r"'(\w+)'", listed.group(1))) == CONVERSIONS


def test_a_server_side_conversion_may_be_90_days_old_but_not_91() -> None:
    old = (NOW - timedelta(days=89, hours=23)).isoformat()
    assert isinstance(checked(conversion(occurred_at=old)), ConversionCreate)
    too_old = checked(conversion(occurred_at=(NOW - timedelta(days=91)).isoformat()))
    assert isinstance(too_old, Rejection)
    assert (too_old.field, too_old.reason) == ("occurred_at", "is more than 90 days old")


def test_a_browser_event_keeps_its_72_hours() -> None:
    raw = conversion(occurred_at=(NOW - timedelta(days=4)).isoformat())
    outcome = check_event(0, raw, NOW)
    assert isinstance(outcome, Rejection)
    assert outcome.reason == "is more than 72 hours old"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "page_view"}, "type"),
        ({"order_id": None}, "order_id"),
        ({"value": None, "currency": None}, "value"),
        ({"currency": "eur"}, "currency"),
        ({"currency": "XXQ"}, "currency"),
        ({"session_id": "s1"}, "session_id"),
        ({"visitor_id": "v1"}, "visitor_id"),
        ({"site_id": "../x"}, "site_id"),
        ({"campaign_id": "a b"}, "campaign_id"),
        ({"unknown": 1}, "unknown"),
        ({"value": "1.1234567"}, "value"),
    ],
)
def test_a_bad_conversion_names_its_field(fields: dict[str, Any], field: str) -> None:
    raw = {k: v for k, v in conversion(**fields).items() if v is not None}
    outcome = checked(raw)
    assert isinstance(outcome, Rejection)
    assert outcome.field == field


def test_a_lead_needs_no_value_and_may_join_a_sites_session() -> None:
    raw = {
        "type": "lead_form_submission",
        "event_id": "lead-1",
        "occurred_at": NOW.isoformat(),
        "site_id": "site1",
        "session_id": "s1",
        "campaign_id": "camp1",
    }
    outcome = checked(raw)
    assert isinstance(outcome, ConversionCreate)
    assert (outcome.site_id, outcome.campaign_id) == ("site1", "camp1")


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_signature_over_the_raw_body_is_accepted_and_any_other_refused() -> None:
    body = json.dumps({"object": "page", "entry": [], "note": "Zürich ✓"}).encode()
    verify_signature(SECRET, body, sign(body))
    for forged in (
        sign(body, "other-secret"),
        sign(body + b" "),
        sign(body).upper(),
        "sha1=" + hashlib.sha1(body).hexdigest(),  # noqa: S324 - the old header, refused
        "sha256=ünïcödé",
        "",
        sign(body)[:-1],
    ):
        with pytest.raises(Unauthenticated) as refused:
            verify_signature(SECRET, body, forged)
        assert refused.value.field == "header.X-Hub-Signature-256"
    with pytest.raises(Unauthenticated):
        verify_signature(SECRET, body, None)
    with pytest.raises(Forbidden):
        verify_signature("", body, sign(body, ""))


@given(st.binary(max_size=300), st.text(max_size=80))
def test_no_body_or_header_breaks_the_signature_check(body: bytes, header: str) -> None:
    try:
        verify_signature(SECRET, body, header)
    except Unauthenticated:
        return
    assert header.strip() == sign(body)


def test_the_handshake_echoes_the_challenge_only_for_our_verify_token() -> None:
    assert handshake("verify-me", "subscribe", "verify-me", "1158201444") == "1158201444"
    for mode, token in (("subscribe", "wrong"), ("unsubscribe", "verify-me"), (None, None)):
        with pytest.raises(Forbidden):
            handshake("verify-me", mode, token, "1158201444")
    with pytest.raises(Forbidden):
        handshake("", "subscribe", "", "1158201444")


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.json")), ids=lambda p: p.name)
def test_every_recorded_format_payload_parses(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    leads, ignored = leads_of(LeadgenNotification.model_validate(document))
    assert {"leads": len(leads), "ignored": ignored} == document["_expect"]
    assert all(lead.leadgen_id.isdigit() for lead in leads)


def test_the_corpus_is_not_empty() -> None:
    assert len(list(CORPUS.glob("*.json"))) >= 4


def test_a_change_of_another_object_or_field_is_ignored() -> None:
    notification = LeadgenNotification.model_validate(
        {"object": "user", "entry": [{"changes": [{"field": "leadgen", "value": {}}]}]}
    )
    assert leads_of(notification) == ([], 1)


def test_a_fetched_lead_keeps_field_names_never_answers() -> None:
    lead = {
        "id": "900000000000001",
        "created_time": "2026-11-30T09:14:05+0000",
        "form_id": "700000000000001",
        "platform": "fb",
        "is_organic": False,
        "field_data": [
            {"name": "email", "values": ["person@example.invalid"]},
            {"name": "full_name", "values": ["Sample Person"]},
        ],
    }
    event = lead_event(lead)
    assert event["event_id"] == "meta_lead_900000000000001"
    assert event["occurred_at"] == "2026-11-30T09:14:05+00:00"
    assert event["properties"]["field_names"] == "email,full_name"
    text = json.dumps(event)
    assert "person@example.invalid" not in text
    assert "Sample Person" not in text
    assert field_names({"field_data": [{"values": ["x"]}, "junk"]}) == []


def stats_row(**fields: Any) -> dict[str, Any]:
    base = {"measure": "count", "currency": None, "value_micros": None}
    return {**base, **fields}


def test_stats_say_why_a_rate_is_null() -> None:
    query = StatsQuery.model_validate({"from": "2026-11-01", "to": "2026-11-30"})
    rows = [
        stats_row(
            dimension="total", dim_key=None, conversions=2, converting_sessions=0, sessions=0
        ),
        stats_row(
            dimension="type", dim_key="purchase", conversions=2, converting_sessions=0, sessions=0
        ),
        stats_row(
            dimension="campaign", dim_key="c1", conversions=2, converting_sessions=0, sessions=0
        ),
        {
            "measure": "value",
            "dimension": "total",
            "dim_key": None,
            "currency": "EUR",
            "value_micros": 99_000_000,
        },
    ]
    stats = shape(query, rows)
    assert stats.total.conversion_rate is None
    assert stats.total.conversion_rate_reason == NO_SESSIONS
    assert stats.total.value[0].value_micros == 99_000_000
    assert stats.by_campaign[0].conversion_rate_reason == CAMPAIGN_SESSIONS
    assert stats.by_campaign[0].sessions is None


def test_a_stats_range_is_bounded_and_ordered() -> None:
    with pytest.raises(ValueError, match="before from"):
        StatsQuery.model_validate({"from": "2026-11-02", "to": "2026-11-01"})
    with pytest.raises(ValueError, match="400 days"):
        StatsQuery.model_validate({"from": "2025-01-01", "to": "2026-11-01"})
    assert StatsQuery.model_validate({"from": "2026-01-01", "to": "2026-01-01"}).to == date(
        2026, 1, 1
    )
