"""Attribution on the local warehouse: the SQL views give the engine's figures at the default
parameters, every conversion is credited once per model, the daily job is idempotent (two runs,
the same figures) and a person's manual resolution survives the job."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.allocations.service import book_path
from shared.allocations.tracking import tracking_code
from shared.attribution.job import day_start
from shared.attribution.models import AttributionQuery, CompareQuery, ManualResolution
from shared.attribution.paths import SQL_MODELS, credited, credits, windowed_paths
from shared.attribution.service import REPORT_SQL, TOUCHES_SQL
from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.brands.models import BrandCreate
from shared.campaigns.models import CampaignCreate
from shared.config import get_settings
from shared.tracking.sites import SiteCreate

pytestmark = pytest.mark.integration
DAY = date(2026, 11, 20)
NOON = datetime(2026, 11, 20, 12, tzinfo=UTC)
EVENT_KEYS = ("org_id", "site_id", "event_id")
SESSION_KEYS = ("org_id", "site_id", "session_id")


def conversion(
    event_id: str, visitor: str | None, at: datetime, value: int | None, **extra: Any
) -> dict[str, Any]:
    return {
        "org_id": "o1",
        "site_id": "s1",
        "event_id": event_id,
        "source": "browser",
        "event_type": "purchase",
        "occurred_at": at,
        "received_at": at,
        "visitor_id": visitor,
        "value_micros": value,
        "currency": "EUR" if value is not None else None,
        "order_id": event_id,
        **extra,
    }


def session(
    sid: str, visitor: str, days: float, channel: str, campaign: str | None = None
) -> dict[str, Any]:
    return {
        "org_id": "o1",
        "site_id": "s1",
        "session_id": sid,
        "visitor_id": visitor,
        "started_at": NOON - timedelta(days=days),
        "channel": channel,
        "campaign_id": campaign,
        "allocation_id": "a1" if campaign == "c1" else None,
        "paid_campaign_id": "m1" if channel == "paid_social" else None,
        "resolved_at": NOON,
        "manual": False,
    }


@pytest.fixture
def warehouse(tmp_path: Path) -> DuckDbWarehouse:
    found = DuckDbWarehouse(tmp_path / "w.duckdb", get_settings().sql_dir)
    found.apply_schema()
    found.merge_rows(
        "track_events",
        [
            conversion("e1", "v1", NOON, 30_000_000),
            conversion("e2", "v2", NOON, 10_000_000),
            conversion("e3", "v3", NOON, None),  # no value, no session: direct
            conversion("e4", None, NOON, 5_000_000, campaign_id="c2"),  # names its campaign
            conversion("e5", "v1", NOON + timedelta(days=1), 1_000_000),
        ],
        EVENT_KEYS,
        update_existing=False,
    )
    found.merge_rows(
        "session_resolutions",
        [
            session("a", "v1", 20, "creator", "c1"),
            session("b", "v1", 6, "paid_social"),
            session("c", "v1", 0.5, "organic_search"),
            session("old", "v1", 45, "email"),  # outside the 30-day look-back
            session("d", "v2", 2, "paid_social"),
            session("e", "v2", 1, "creator", "c1"),
        ],
        SESSION_KEYS,
        update_existing=True,
    )
    return found


def test_the_views_give_the_engines_figures_at_the_defaults(warehouse: DuckDbWarehouse) -> None:
    params = {
        "org_id": "o1",
        "from_date": DAY,
        "to_date": DAY + timedelta(days=1),
        "event_type": None,
    }
    view = pd.DataFrame(warehouse.run(REPORT_SQL, params))
    touches = pd.DataFrame(
        warehouse.run(
            TOUCHES_SQL,
            {
                "org_id": "o1",
                "from_at": day_start(DAY),
                "until_at": day_start(DAY + timedelta(days=2)),
                "event_type": None,
            },
        )
    )
    paths = windowed_paths(touches, 30)
    for model in SQL_MODELS:
        engine = credited(paths, credits(paths, model), "channel").set_index(
            ["channel", "currency"]
        )
        mine = view[view["model"] == model].groupby(["channel", "currency"], dropna=False)
        sql = mine["conversions"].sum()
        assert sql.sum() == pytest.approx(5.0), model  # every conversion once
        pd.testing.assert_series_equal(
            sql.sort_index(), engine["conversions"].sort_index(), check_names=False, rtol=1e-9
        )
    last = view[view["model"] == "last_click"].groupby("channel")["conversions"].sum()
    assert last.to_dict() == {"organic_search": 2.0, "creator": 2.0, "direct": 1.0}


def test_a_conversion_that_names_its_campaign_takes_all_the_credit(
    warehouse: DuckDbWarehouse,
) -> None:
    params = {"org_id": "o1", "from_date": DAY, "to_date": DAY, "event_type": None}
    rows = [r for r in warehouse.run(REPORT_SQL, params) if r["campaign_id"] == "c2"]
    assert {r["model"] for r in rows} == set(SQL_MODELS)
    assert all(r["conversions"] == 1.0 and r["value_micros"] == 5_000_000 for r in rows)


def today() -> date:
    return datetime.now(UTC).date()


def new_org(services: Services) -> tuple[Principal, str, str]:
    org, key = services.orgs.create_org("Attribution")
    owner = Principal(org.org_id, key.key_id, Role.OWNER)
    brand = services.brands.create(owner, BrandCreate(name="Acme"))
    site = services.sites.create(
        owner,
        SiteCreate(name="Shop", brand_id=brand.brand_id, allowed_origins=["https://shop.example"]),
    )
    fields = {
        "brand_id": brand.brand_id,
        "name": "Winter Drop",
        "budget": 100_000,
        "currency": "EUR",
        "goals": ["sales"],
        "tracking_config": {"tracking_link_pattern": r"shop\.example/winter"},
    }
    campaign = services.campaigns.create(
        owner, CampaignCreate.model_validate_json(json.dumps(fields))
    )
    return owner, site.site_id, campaign.campaign_id


def visits(campaign_id: str) -> list[dict[str, Any]]:
    at = datetime.now(UTC) - timedelta(hours=2)
    code = tracking_code(campaign_id, "creator1-instagram")

    def view(
        event_id: str, session: str, visitor: str, url: str, minutes: int = 0
    ) -> dict[str, Any]:
        when = (at + timedelta(minutes=minutes)).isoformat()
        return {
            "type": "page_view",
            "event_id": event_id,
            "occurred_at": when,
            "url": url,
            "visitor_id": visitor,
            "session_id": session,
        }

    return [
        view("p1", "s1", "v1", f"https://shop.example/?utm_content={code}&utm_medium=influencer"),
        view("p2", "s2", "v1", "https://shop.example/?utm_campaign=Spring%20Sale&fbclid=x", 30),
        view("p3", "s3", "v2", "https://shop.example/winter"),
        view("p4", "s4", "v3", "https://shop.example/?utm_campaign=unknown"),
        {
            "type": "purchase",
            "event_id": "b1",
            "occurred_at": (at + timedelta(minutes=60)).isoformat(),
            "order_id": "o1",
            "value": "40.00",
            "currency": "EUR",
            "visitor_id": "v1",
            "session_id": "s2",
        },
        {
            "type": "purchase",
            "event_id": "b2",
            "occurred_at": (at + timedelta(minutes=60)).isoformat(),
            "order_id": "o2",
            "value": "10.00",
            "currency": "EUR",
            "visitor_id": "v2",
            "session_id": "s3",
        },
    ]


def resolutions(services: Services, org_id: str) -> dict[str, tuple[Any, ...]]:
    rows = services.warehouse.run(
        "queries/attribution_sessions_pending.sql",
        {"org_id": org_id, "since_at": NOON - timedelta(days=400)},
    )
    assert {r["session_id"] for r in rows} <= {"s2", "s4"}  # only the unresolved are pending
    found = services.attribution.compare(
        Principal(org_id, "k", Role.VIEWER),
        CompareQuery.model_validate(
            {"from": str(today() - timedelta(days=1)), "to": str(today()), "by": "allocation"}
        ),
    )
    return {
        m.model: tuple((r.campaign_id, r.allocation_id, r.conversions) for r in m.rows)
        for m in found.models
    }


def test_the_job_is_idempotent_and_a_manual_resolution_survives_it(app_services: Services) -> None:
    owner, site_id, campaign_id = new_org(app_services)
    app_services.store.set(
        book_path(owner.org_id, campaign_id),
        {
            "campaign_id": campaign_id,
            "allocations": [
                {
                    "allocation_id": "creator1-instagram",
                    "campaign_id": campaign_id,
                    "creator_id": "creator1",
                    "platform": "instagram",
                    "username": "c1",
                    "status": "accepted",
                    "fee": 5000,
                    "currency": "EUR",
                    "slot": 0,
                    "rank": 1,
                    "reasons": [],
                    "followers": 1000,
                    "engagement_rate": 0.05,
                    "verified": False,
                    "created_at": NOON.isoformat(),
                }
            ],
        },
    )
    app_services.track_intake.record(owner.org_id, site_id, visits(campaign_id))
    first = app_services.attribution_job.run(owner.org_id)
    assert (first.sessions_resolved, first.sessions_unresolved) == (2, 2)
    once = resolutions(app_services, owner.org_id)
    app_services.attribution_job.run(owner.org_id)
    assert resolutions(app_services, owner.org_id) == once
    assert once["first_click"] == (
        (campaign_id, "creator1-instagram", 1.0),
        (campaign_id, None, 1.0),
    )
    assert once["last_click"] == ((campaign_id, None, 1.0), (None, None, 1.0))
    assert sum(c for *_, c in once["data_driven"]) == pytest.approx(2.0)
    bought = app_services.conversions.get(owner, f"{site_id}~b1")
    journey = app_services.attribution.journey(
        owner.org_id, bought.conversion_id, bought.occurred_at
    )
    assert bought.journey == journey
    touches = journey["touches"]
    assert [(t["session_id"], t["channel"], t["allocation_id"]) for t in touches] == [
        ("s1", "creator", "creator1-instagram"),
        ("s2", "paid_social", None),
    ]
    assert [t["credit"]["last_click"] for t in touches] == [0.0, 1.0]
    assert [t["credit"]["position_based"] for t in touches] == [0.5, 0.5]
    assert sum(t["credit"]["data_driven"] for t in touches) == pytest.approx(1.0)

    manual = app_services.attribution.resolve_manually(
        owner, ManualResolution(site_id=site_id, session_id="s2", campaign_id=campaign_id)
    )
    assert (manual.method, manual.manual, manual.channel) == ("manual", True, "creator")
    app_services.attribution_job.run(owner.org_id)
    after = app_services.attribution.attribution(
        owner,
        AttributionQuery.model_validate(
            {"from": str(today() - timedelta(days=1)), "to": str(today()), "model": "last_click"}
        ),
    )
    assert [(r.campaign_id, r.conversions) for r in after.rows] == [(campaign_id, 2.0)]


def test_a_late_earlier_page_view_never_gives_a_session_a_second_resolution(
    app_services: Services,
) -> None:
    """The table's MERGE key holds started_at (its partition column): a re-resolution of an
    unresolved session whose earlier page view arrived late replaces the row it has."""
    owner, site_id, campaign_id = new_org(app_services)
    app_services.track_intake.record(owner.org_id, site_id, visits(campaign_id))
    app_services.attribution_job.run(owner.org_id)
    late = {
        "type": "page_view",
        "event_id": "p4-early",
        "occurred_at": (datetime.now(UTC) - timedelta(hours=3)).isoformat(),
        "url": "https://shop.example/?utm_campaign=still-unknown",
        "visitor_id": "v3",
        "session_id": "s4",
    }
    app_services.track_intake.record(owner.org_id, site_id, [late])
    app_services.attribution_job.run(owner.org_id)
    with duckdb.connect(str(app_services.settings.duckdb_path)) as connection:
        rows = connection.execute(
            "SELECT session_id, COUNT(*) FROM reachops.session_resolutions "
            "WHERE org_id = ? GROUP BY session_id ORDER BY session_id",
            [owner.org_id],
        ).fetchall()
    assert rows == [("s1", 1), ("s2", 1), ("s3", 1), ("s4", 1)]
