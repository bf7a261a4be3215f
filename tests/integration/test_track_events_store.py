"""Tracked events land once, against the real Firestore emulator and a DuckDB warehouse: a
resent event is stored once, an order counts once, and no site or organization sees another's.
The intake reads no warehouse for a browser's batch, so a resend from another request is taken
again; what a user relies on is what the readers see (reachops.track_events_unique)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.brands.models import BrandCreate, BrandListQuery
from shared.conversions.models import ConversionQuery
from shared.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from shared.tracking.intake import TrackBatch
from shared.tracking.sites import (
    KEY_CACHE_SECONDS,
    IssuedSite,
    SiteCreate,
    SiteService,
    SiteUpdate,
)

pytestmark = pytest.mark.integration

ORIGIN = "https://shop.example"


def new_site(services: Services, org_name: str) -> tuple[Principal, IssuedSite]:
    org, key = services.orgs.create_org(org_name)
    admin = Principal(org.org_id, key.key_id, Role.OWNER)
    brand = services.brands.create(admin, BrandCreate(name="Acme"))
    site = services.sites.create(
        admin, SiteCreate(name="Shop", brand_id=brand.brand_id, allowed_origins=[ORIGIN])
    )
    return admin, site


def page_view(event_id: str, **fields: Any) -> dict[str, Any]:
    at = datetime.now(UTC) - timedelta(minutes=1)
    return {
        "type": "page_view",
        "event_id": event_id,
        "occurred_at": at.isoformat(),
        "url": "https://shop.example/?utm_source=ig",
        "visitor_id": "v1",
        **fields,
    }


def purchase(event_id: str, order_id: str, value: str) -> dict[str, Any]:
    at = datetime.now(UTC).isoformat()
    return {
        "type": "purchase",
        "event_id": event_id,
        "occurred_at": at,
        "order_id": order_id,
        "value": value,
        "currency": "EUR",
    }


def send(services: Services, site: IssuedSite, *events: Any) -> dict[str, Any]:
    batch = TrackBatch(events=list(events))
    _, result = services.track_intake.receive(batch, site.site_key, ORIGIN)
    return result.receipt().model_dump()


def events_of(services: Services, org_id: str, site_id: str) -> list[str]:
    since = (datetime.now(UTC) - timedelta(days=4)).date()
    ids = [f"e{i}" for i in range(10)] + ["p1", "p2", "p3", "mine"]
    rows = services.warehouse.run(
        "queries/track_events_seen.sql",
        {"org_id": org_id, "site_id": site_id, "event_ids": ids, "since_date": since},
    )
    return sorted(str(row["event_id"]) for row in rows)


def conversions_of(services: Services, admin: Principal) -> list[tuple[str, str | None]]:
    """(conversion id, order id) of what the readers count: reachops.conversions, over the
    view reachops.track_events_unique."""
    today = datetime.now(UTC).date()
    query = ConversionQuery.model_validate({"from": (today - timedelta(days=1)).isoformat()})
    items = services.conversions.list(admin, query).items
    return sorted((c.conversion_id, c.order_id) for c in items)


def test_a_resent_event_is_stored_once(app_services: Services) -> None:
    admin, site = new_site(app_services, "Once")
    first = send(app_services, site, page_view("e1"), page_view("e2"), page_view("e1"))
    assert (first["accepted"], first["duplicates"]) == (2, 1)  # a repeat within the batch
    again = send(app_services, site, page_view("e1"), page_view("e3"))
    assert again["rejected"] == []
    assert events_of(app_services, admin.org_id, site.site_id) == ["e1", "e2", "e3"]
    resent = purchase("p1", "o-1", "20.00")
    for _ in range(3):
        assert send(app_services, site, resent)["rejected"] == []
    assert conversions_of(app_services, admin) == [(f"{site.site_id}~p1", "o-1")]


def test_an_order_counts_once_and_a_changed_value_is_rejected(app_services: Services) -> None:
    admin, site = new_site(app_services, "Orders")
    assert send(app_services, site, purchase("p1", "o-1", "20.00"))["accepted"] == 1
    same = send(app_services, site, purchase("p2", "o-1", "20"))
    assert (same["accepted"], same["duplicates"]) == (0, 1)
    assert len(conversions_of(app_services, admin)) == 1
    changed = send(app_services, site, page_view("e1"), purchase("p3", "o-1", "25.00"))
    assert changed["accepted"] == 1
    assert changed["rejected"] == [
        {
            "index": 1,
            "field": "order_id",
            "reason": "this order was already recorded with a different value or currency",
        }
    ]
    assert events_of(app_services, admin.org_id, site.site_id) == ["e1", "p1"]


def test_bad_events_are_rejected_while_the_good_ones_land(app_services: Services) -> None:
    admin, site = new_site(app_services, "Mixed")
    old = (datetime.now(UTC) - timedelta(days=4)).isoformat()
    result = send(app_services, site, page_view("e1"), page_view("e2", occurred_at=old), 42)
    assert result["accepted"] == 1
    assert [(r["index"], r["field"]) for r in result["rejected"]] == [
        (1, "occurred_at"),
        (2, "event"),
    ]
    assert events_of(app_services, admin.org_id, site.site_id) == ["e1"]


def test_sites_and_organizations_are_isolated(app_services: Services) -> None:
    admin_a, site_a = new_site(app_services, "A")
    admin_b, site_b = new_site(app_services, "B")
    send(app_services, site_a, page_view("mine"))
    # The same event id at another site is that site's own event, not a duplicate.
    assert send(app_services, site_b, page_view("mine"))["accepted"] == 1
    assert events_of(app_services, admin_a.org_id, site_a.site_id) == ["mine"]
    assert events_of(app_services, admin_b.org_id, site_a.site_id) == []
    with pytest.raises(NotFound):
        app_services.sites.get(admin_b, site_a.site_id)


def test_keys_and_origins_are_checked_before_anything_is_stored(app_services: Services) -> None:
    admin, site = new_site(app_services, "Keys")
    intake = app_services.track_intake
    batch = TrackBatch(events=[page_view("e1")])
    for key in (None, "rs_pub_unknown", site.site_key + "x", "ro_not_a_site_key"):
        with pytest.raises(Unauthenticated):
            intake.receive(batch, key, ORIGIN)
    with pytest.raises(Forbidden):
        intake.receive(batch, site.site_key, "https://evil.example")
    assert events_of(app_services, admin.org_id, site.site_id) == []
    app_services.sites.update(
        admin, site.site_id, SiteUpdate(allowed_origins=["https://evil.example"])
    )
    intake.receive(batch, site.site_key, "https://evil.example")
    with pytest.raises(Forbidden):
        intake.receive(batch, site.site_key, ORIGIN)


def test_a_site_needs_a_brand_of_its_own_organization(app_services: Services) -> None:
    admin_a, _ = new_site(app_services, "A")
    org_b, key_b = app_services.orgs.create_org("B")
    admin_b = Principal(org_b.org_id, key_b.key_id, Role.OWNER)
    foreign = app_services.brands.list(admin_a, BrandListQuery()).items[0].brand_id
    with pytest.raises(ValidationFailed) as refused:
        app_services.sites.create(
            admin_b, SiteCreate(name="S", brand_id=foreign, allowed_origins=[ORIGIN])
        )
    assert refused.value.field == "brand_id"


def test_another_instance_sees_a_changed_site_once_its_cache_time_is_up(
    app_services: Services,
) -> None:
    admin, site = new_site(app_services, "Cache")
    now = [0.0]
    reader = SiteService(
        app_services.store, app_services.brands, app_services.tombstones, 10, clock=lambda: now[0]
    )

    def origins() -> list[str]:
        found = reader.by_key(site.site_key)
        assert found is not None
        return found[1].allowed_origins

    assert origins() == [ORIGIN]
    moved = SiteUpdate(allowed_origins=["https://new.example"])
    app_services.sites.update(admin, site.site_id, moved)
    assert origins() == [ORIGIN]  # trusted for KEY_CACHE_SECONDS, with no Firestore read
    now[0] += KEY_CACHE_SECONDS
    assert origins() == ["https://new.example"]
