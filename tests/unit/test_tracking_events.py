"""Tracked events are checked one by one: what is stored, what is rejected and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.errors import RateLimited
from shared.ports import DocumentStore, Warehouse
from shared.tracking.events import (
    MAX_VALUE,
    Rejection,
    TrackEvent,
    campaign_parameters,
    check_event,
    event_row,
    to_micros,
)
from shared.tracking.intake import TrackIntake
from shared.tracking.limits import IntakeLimits
from shared.tracking.sites import SiteCreate, SiteService

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def event(**fields: Any) -> dict[str, Any]:
    return {
        "type": "page_view",
        "event_id": "e1",
        "occurred_at": NOW.isoformat(),
        "url": "https://shop.example/",
        **fields,
    }


def purchase(**fields: Any) -> dict[str, Any]:
    body = {
        "type": "purchase",
        "event_id": "p1",
        "occurred_at": NOW.isoformat(),
        "order_id": "o-1",
        "value": "19.99",
        "currency": "EUR",
    }
    return {**body, **fields}


def test_utm_and_click_ids_come_from_the_url_verbatim_unless_sent() -> None:
    url = "https://shop.example/p?utm_source=FaceBook&utm_medium=Paid%20Social&gclid=Cj0K&x=1"
    checked = check_event(0, event(url=url, utm_source="newsletter"), NOW)
    assert not isinstance(checked, Rejection)
    found = campaign_parameters(checked[0])
    assert found["utm_source"] == "newsletter"
    assert found["utm_medium"] == "Paid Social"
    assert found["gclid"] == "Cj0K"
    assert found["fbclid"] is None
    assert found["ttclid"] is None


@pytest.mark.parametrize(
    ("value", "currency", "micros"),
    [
        ("19.99", "EUR", 19_990_000),
        (5, "JPY", 5_000_000),
        (0.5, "USD", 500_000),
        (" 1.000001 ", "KWD", 1_000_001),
        ("0", "EUR", 0),
    ],
)
def test_money_is_integer_micros(value: Any, currency: str, micros: int) -> None:
    assert to_micros(value, currency) == micros


@pytest.mark.parametrize(
    ("value", "currency", "field"),
    [
        ("1.0000001", "EUR", "value"),
        ("12", "eur", "currency"),
        ("1", "XXX", "currency"),
        (True, "EUR", "value"),
        ("abc", "EUR", "value"),
        ("-1", "EUR", "value"),
        (str(MAX_VALUE + 1), "EUR", "value"),
    ],
)
def test_bad_money_names_its_field(value: Any, currency: str, field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}: "):
        to_micros(value, currency)


@given(st.decimals(min_value=0, max_value=MAX_VALUE, places=6, allow_nan=False))
def test_any_amount_with_six_places_round_trips_exactly(amount: Decimal) -> None:
    assert Decimal(to_micros(str(amount), "EUR")) / 1_000_000 == amount


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (event(occurred_at=(NOW + timedelta(minutes=6)).isoformat()), "occurred_at"),
        (event(occurred_at=(NOW - timedelta(hours=73)).isoformat()), "occurred_at"),
        (event(occurred_at="2026-12-01T12:00:00"), "occurred_at"),  # no zone
        (event(url=None), "url"),
        (event(type="signup"), "type"),
        (event(event_id="has space"), "event_id"),
        (event(value="1", currency="EUR"), "value"),  # a page view carries no money
        (purchase(order_id=None), "order_id"),
        (purchase(currency=None), "currency"),
        (purchase(value="1.1234567"), "value"),
        (purchase(currency="ABC"), "currency"),
        (
            {
                "type": "experiment_viewed",
                "event_id": "x",
                "occurred_at": NOW.isoformat(),
                "experiment_id": "exp",
            },
            "variation_id",
        ),
        ({"type": "custom", "event_id": "c", "occurred_at": NOW.isoformat()}, "name"),
        (event(unknown=1), "unknown"),
        ("not an object", "event"),
    ],
)
def test_a_bad_event_is_rejected_with_its_index_field_and_reason(raw: Any, field: str) -> None:
    rejected = check_event(7, raw, NOW)
    assert isinstance(rejected, Rejection), rejected
    assert (rejected.index, rejected.field) == (7, field)
    assert rejected.reason


def test_the_time_window_edges_are_inside() -> None:
    for at in (NOW + timedelta(minutes=5), NOW - timedelta(hours=72)):
        assert not isinstance(check_event(0, event(occurred_at=at.isoformat()), NOW), Rejection)


def test_a_conversion_row_carries_micros_and_its_order() -> None:
    checked = check_event(0, purchase(url="https://shop.example/?utm_campaign=BF"), NOW)
    assert not isinstance(checked, Rejection)
    row = event_row("org", "site", checked[0], checked[1], NOW)
    assert row["value_micros"] == 19_990_000
    assert row["currency"] == "EUR"
    assert row["order_id"] == "o-1"
    assert row["utm_campaign"] == "BF"
    assert row["event_type"] == "purchase"
    assert row["received_at"] == NOW


@given(st.text(max_size=40))
def test_no_text_value_breaks_the_checker(value: str) -> None:
    outcome = check_event(0, purchase(value=value), NOW)
    assert isinstance(outcome, Rejection) or outcome[1] is not None


@pytest.mark.parametrize(
    "origin",
    [
        "https://shop.example/",
        "https://shop.example/path",
        "ftp://shop.example",
        "https://Shop.example",
        "https://user@shop.example",
        "shop.example",
        "https://shop.example:99999",
    ],
)
def test_an_allowed_origin_is_exactly_scheme_host_port(origin: str) -> None:
    with pytest.raises(ValidationError):
        SiteCreate.model_validate({"name": "Shop", "brand_id": "b1", "allowed_origins": [origin]})
    ok = SiteCreate.model_validate(
        {"name": "Shop", "brand_id": "b1", "allowed_origins": ["http://localhost:3000"]}
    )
    assert ok.allowed_origins == ["http://localhost:3000"]


def test_a_site_key_is_charged_per_event_and_a_client_per_request() -> None:
    now = [0.0]
    limits = IntakeLimits(clock=lambda: now[0], site_events=150, client_requests=2)
    limits.charge_site_key("rs_pub_a", 100)
    with pytest.raises(RateLimited) as refused:
        limits.charge_site_key("rs_pub_a", 100)
    assert 1 <= refused.value.retry_after <= 60
    limits.charge_site_key("rs_pub_b", 100)  # another key is counted on its own
    limits.charge_client("203.0.113.9")
    limits.charge_client("203.0.113.9")
    with pytest.raises(RateLimited):
        limits.charge_client("203.0.113.9")
    now[0] = 61.0
    limits.charge_client("203.0.113.9")
    limits.charge_site_key("rs_pub_a", 150)


def test_fields_of_another_type_are_refused_not_ignored() -> None:
    with pytest.raises(ValidationError):
        TrackEvent.model_validate(event(experiment_id="exp"))


class Orders:
    """The order claims' Firestore documents (create and get are all the intake uses)."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    def create(self, path: str, data: Mapping[str, Any]) -> bool:
        if path in self.docs:
            return False
        self.docs[path] = dict(data)
        return True

    def get(self, path: str) -> dict[str, Any] | None:
        return self.docs.get(path)


class WriteOnly:
    """A warehouse the browser's intake may write to but must never query."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def run(self, sql_file: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        raise AssertionError(f"a beacon read the warehouse: {sql_file}")

    def merge_rows(
        self, table: str, rows: Sequence[Mapping[str, Any]], keys: Sequence[str], **_: Any
    ) -> None:
        self.written += [str(row["event_id"]) for row in rows]


def test_a_browser_batch_never_reads_the_warehouse_and_claims_only_its_orders() -> None:
    orders, warehouse = Orders(), WriteOnly()
    intake = TrackIntake(
        cast(DocumentStore, orders),
        cast(Warehouse, warehouse),
        cast(SiteService, None),
        IntakeLimits(),
        lambda: NOW,
    )
    batch = [event(), event(), purchase(), purchase(event_id="p2"), event(event_id="e2")]
    first = intake.record("org", "site", batch)
    assert (first.accepted, first.duplicates, first.duplicate_of) == (3, 2, {1: "e1", 3: "p1"})
    assert len(orders.docs) == 1  # one claim, for the purchase; none for the page views
    again = intake.record("org", "site", [event(), purchase(), purchase(event_id="p3", value="5")])
    assert (again.accepted, again.duplicates) == (2, 0)  # taken again; the view counts once
    assert [(r.index, r.field) for r in again.rejected] == [(2, "order_id")]
    changed = intake.record("org", "site", [purchase(value="5")])
    assert [(r.index, r.field) for r in changed.rejected] == [(0, "order_id")]
    assert warehouse.written == ["e1", "p1", "e2", "e1", "p1"]
