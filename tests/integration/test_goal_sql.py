"""Goals evaluated in SQL: the view goal_conversions on the DuckDB warehouse (the BigQuery file
transpiled) over real track_events rows landed by the intake, with goals written through the
service (Firestore emulator, mirrored to the warehouse). Goals are created after the events,
so every match here is history being backfilled by the view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.brands.models import BrandCreate
from shared.errors import NotFound
from shared.goals.models import GoalCreate, GoalListQuery, GoalMatchQuery, GoalUpdate
from shared.tracking.intake import TrackBatch
from shared.tracking.sites import IssuedSite, SiteCreate

pytestmark = pytest.mark.integration

ORIGIN = "https://shop.example"
EVERYTHING = GoalMatchQuery.model_validate({})


def new_site(services: Services, admin: Principal, name: str) -> IssuedSite:
    brand = services.brands.create(admin, BrandCreate(name="Acme"))
    return services.sites.create(
        admin, SiteCreate(name=name, brand_id=brand.brand_id, allowed_origins=[ORIGIN])
    )


def event(event_id: str, event_type: str, **fields: Any) -> dict[str, Any]:
    at = datetime.now(UTC) - timedelta(hours=2)
    return {"type": event_type, "event_id": event_id, "occurred_at": at.isoformat(), **fields}


def purchase(event_id: str, value: str, url: str, **properties: Any) -> dict[str, Any]:
    return event(
        event_id,
        "purchase",
        order_id=f"o-{event_id}",
        value=value,
        currency="EUR",
        url=url,
        properties=properties,
    )


def send(services: Services, site: IssuedSite, *events: dict[str, Any]) -> None:
    _, result = services.track_intake.receive(
        TrackBatch(events=list(events)), site.site_key, ORIGIN
    )
    assert result.accepted == len(events), result.rejected


def matched(services: Services, admin: Principal, goal_id: str) -> tuple[int, list[int]]:
    matches = services.goals.get(admin, goal_id, EVERYTHING).matches
    return matches.conversions, [v.value_micros for v in matches.value]


def create(services: Services, admin: Principal, **body: Any) -> str:
    return services.goals.create(admin, GoalCreate.model_validate({"name": "g", **body})).goal_id


@pytest.fixture
def shop(app_services: Services) -> tuple[Services, Principal, IssuedSite, IssuedSite]:
    org, key = app_services.orgs.create_org("Goals Inc")
    admin = Principal(org.org_id, key.key_id, Role.OWNER)
    shop, blog = new_site(app_services, admin, "Shop"), new_site(app_services, admin, "Blog")
    send(
        app_services,
        shop,
        purchase(
            "big", "120.00", f"{ORIGIN}/checkout/thank-you?utm_source=ig", plan="pro", items=3
        ),
        purchase("small", "20.00", f"{ORIGIN}/cart?utm_source=newsletter", plan="free", items=1),
        event("thanks", "page_view", url=f"{ORIGIN}/Thank-You"),
        event("home", "page_view", url=f"{ORIGIN}/"),
        event("signup", "custom", name="signup", properties={"plan.tier": "pro", "beta": True}),
    )
    send(app_services, blog, purchase("blog", "7.00", f"{ORIGIN}/thank-you", plan="pro"))
    return app_services, admin, shop, blog


def test_each_operator_matches_history_in_sql(
    shop: tuple[Services, Principal, IssuedSite, IssuedSite],
) -> None:
    services, admin, site, _ = shop
    on_site = {"site_id": site.site_id, "event_type": "purchase"}

    def only(field: str, operator: str, value: Any) -> str:
        return create(
            services,
            admin,
            **on_site,
            conditions=[{"field": field, "operator": operator, "value": value}],
        )

    assert matched(services, admin, only("properties.plan", "equals", "pro")) == (1, [120_000_000])
    assert matched(services, admin, only("url", "contains", "thank-you")) == (1, [120_000_000])
    assert matched(services, admin, only("utm_source", "regex", "^news")) == (1, [20_000_000])
    assert matched(services, admin, only("value", "greater_than", 100)) == (1, [120_000_000])
    assert matched(services, admin, only("value", "greater_than", 120)) == (0, [])
    assert matched(services, admin, only("properties.items", "greater_than", 2)) == (
        1,
        [120_000_000],
    )
    assert matched(services, admin, only("properties.plan", "greater_than", 0)) == (0, [])
    assert matched(services, admin, only("properties.missing", "equals", "pro")) == (0, [])
    both = create(
        services,
        admin,
        **on_site,
        conditions=[
            {"field": "url", "operator": "contains", "value": "/checkout"},
            {"field": "properties.plan", "operator": "equals", "value": "free"},
        ],
    )
    assert matched(services, admin, both) == (0, [])  # every condition must hold
    every_site = create(services, admin, event_type="purchase")
    assert matched(services, admin, every_site) == (3, [147_000_000])
    page = create(
        services,
        admin,
        event_type="page_view",
        conditions=[{"field": "url", "operator": "regex", "value": "(?i)/thank-?you$"}],
    )
    assert services.goals.get(admin, page, EVERYTHING).matches.without_value == 1
    signup = create(
        services,
        admin,
        event_type="custom",
        event_name="signup",
        conditions=[
            {"field": "properties.plan.tier", "operator": "equals", "value": "pro"},
            {"field": "properties.beta", "operator": "equals", "value": "true"},
        ],
        value={"type": "fixed", "amount": "5", "currency": "USD"},
    )
    assert matched(services, admin, signup) == (1, [5_000_000])


def test_a_changed_goal_rematches_history_and_a_deleted_one_stops_matching(
    shop: tuple[Services, Principal, IssuedSite, IssuedSite],
) -> None:
    services, admin, site, blog = shop
    goal_id = create(
        services,
        admin,
        event_type="purchase",
        conditions=[{"field": "url", "operator": "contains", "value": "thank-you"}],
    )
    assert matched(services, admin, goal_id) == (2, [127_000_000])
    patch = GoalUpdate.model_validate({"site_id": blog.site_id})
    assert services.goals.update(admin, goal_id, patch).revision == 2
    assert matched(services, admin, goal_id) == (1, [7_000_000])
    fewer = GoalUpdate.model_validate({"site_id": site.site_id, "conditions": []})
    services.goals.update(admin, goal_id, fewer)
    assert matched(services, admin, goal_id) == (2, [140_000_000])
    again = services.goals.update(admin, goal_id, GoalUpdate.model_validate({}))
    assert again.revision == 3  # an empty PATCH rewrites the mirror, changes nothing
    assert matched(services, admin, goal_id) == (2, [140_000_000])

    kept = create(services, admin, event_type="purchase")
    services.goals.delete(admin, goal_id)
    with pytest.raises(NotFound):
        services.goals.get(admin, goal_id, EVERYTHING)
    services.goals.delete(admin, goal_id)  # a repeat writes the deletion again, a no-op
    today = datetime.now(UTC).date()
    rows = services.warehouse.run(
        "queries/goal_matches.sql",
        {
            "org_id": admin.org_id,
            "goal_id": goal_id,
            "from_date": today - timedelta(days=3),
            "to_date": today,
        },
    )
    assert rows == []  # its history left the view too
    assert [g.goal_id for g in services.goals.list(admin, GoalListQuery()).items] == [kept]
    assert matched(services, admin, kept) == (3, [147_000_000])


def test_another_organization_sees_none_of_the_matches(
    shop: tuple[Services, Principal, IssuedSite, IssuedSite],
) -> None:
    services, _, _, _ = shop
    org, key = services.orgs.create_org("Elsewhere")
    other = Principal(org.org_id, key.key_id, Role.OWNER)
    goal_id = create(services, other, event_type="purchase")
    assert matched(services, other, goal_id) == (0, [])
