"""The dashboard's SQL on DuckDB over seeded rows: Meta spend and creator fees (views
roi_spend_daily) against conversions credited by the attribution views, kept per currency (EUR
spend never meets USD revenue), null where nothing was tracked, scoped to one organization;
the ordered funnel (a purchase without an earlier add_to_cart does not count), and the
campaign report's paid KPI and model tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.adapters.meta_insights import meta_insight_row
from shared.auth import Principal, Role
from shared.config import get_settings
from shared.dashboard.models import CreditQuery, FunnelQuery, RoiQuery
from shared.dashboard.service import DashboardService
from shared.paid import save_insights
from shared.reports.tables import PAID_KPIS_SQL, paid_table

pytestmark = pytest.mark.integration
DAY = date(2026, 11, 2)
AT = datetime(2026, 11, 2, 10, tzinfo=UTC)
ORG = Principal("o1", "k1", Role.VIEWER)


def event(org: str, event_id: str, kind: str, minutes: int, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "org_id": org,
        "site_id": "s1",
        "event_id": event_id,
        "source": "browser",
        "event_type": kind,
        "occurred_at": AT + timedelta(minutes=minutes),
        "received_at": AT,
    }
    return base | fields


def sale(org: str, event_id: str, campaign: str, value: int, currency: str) -> dict[str, Any]:
    """A server-side purchase naming its campaign: all of its credit goes there in every model."""
    return event(
        org,
        event_id,
        "purchase",
        0,
        site_id="",
        source="api",
        campaign_id=campaign,
        value_micros=value,
        currency=currency,
        order_id=event_id,
    )


def meta_day(org: str, spend: str, engagements: str) -> Any:
    raw = {
        "account_id": "act_1",
        "campaign_id": "m1",
        "campaign_name": "Boost",
        "date_start": DAY.isoformat(),
        "account_currency": "EUR",
        "spend": spend,
        "impressions": "1000",
        "clicks": "20",
        "actions": [{"action_type": "post_engagement", "value": engagements}],
    }
    return meta_insight_row(
        raw, org_id=org, level="campaign", synced_at=AT, reachops_campaign_id="rc1"
    )


def allocation(org: str, allocation_id: str, fee_minor: int, currency: str) -> dict[str, Any]:
    return {
        "org_id": org,
        "campaign_id": "rc1",
        "allocation_id": allocation_id,
        "creator_id": "cr1",
        "platform": "instagram",
        "status": "active",
        "currency": currency,
        "currency_minor_units": 2,
        "posts_count": 1,
        "reach": None,
        "reach_posts_reported": 0,
        "views": None,
        "views_posts_reported": 0,
        "likes": None,
        "comments": None,
        "shares": None,
        "engagement": 40,
        "engagement_posts_reported": 1,
        "engagement_complete": True,
        "avg_engagement_rate": None,
        "engagement_rate_posts": 0,
        "undisclosed_posts": 0,
        "disclosure_unchecked_posts": 0,
        "spend_minor": fee_minor,
        "cost_per_engagement_minor": None,
        "cpm_minor": None,
        "computed_at": AT,
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDbWarehouse]:
    """Seeded once: every test here only reads."""
    path = tmp_path_factory.mktemp("dashboard") / "w.duckdb"
    made = DuckDbWarehouse(path, get_settings().sql_dir)
    made.apply_schema()
    save_insights(made, [meta_day("o1", "30.00", "60"), meta_day("o2", "99.00", "1")])
    made.merge_rows(
        "allocation_metrics",
        [allocation("o1", "a1", 5000, "EUR"), allocation("o1", "a2", 1000, "USD")],
        ["org_id", "allocation_id"],
        update_existing=True,
    )
    made.merge_rows(
        "campaign_events",
        [
            {
                "event_id": "e1",
                "event_type": "campaign.activated",
                "org_id": "o1",
                "campaign_id": "rc1",
                "actor_kind": "key",
                "actor_id": "k1",
                "actor_role": "ADMIN",
                "occurred_at": AT,
                "data_json": None,
                "recorded_at": AT,
            }
        ],
        ["event_id"],
        update_existing=False,
    )
    made.merge_rows(
        "track_events",
        [
            sale("o1", "p1", "rc1", 120_000_000, "EUR"),
            sale("o1", "p2", "rc1", 50_000_000, "USD"),
            sale("o2", "p9", "rc1", 999_000_000, "EUR"),
            # Visitor v1 goes the whole way; v2 buys without a cart first; v3 only looks.
            event("o1", "v1a", "page_view", 1, visitor_id="v1"),
            event("o1", "v1b", "add_to_cart", 2, visitor_id="v1"),
            event("o1", "v1c", "begin_checkout", 3, visitor_id="v1"),
            event("o1", "v1d", "purchase", 4, visitor_id="v1", order_id="o-v1"),
            event("o1", "v2a", "page_view", 1, visitor_id="v2"),
            event("o1", "v2b", "purchase", 2, visitor_id="v2", order_id="o-v2"),
            event("o1", "v3a", "page_view", 1, visitor_id="v3"),
            event("o1", "v4b", "add_to_cart", 0, visitor_id="v4"),
            event("o1", "v4a", "page_view", 5, visitor_id="v4"),
        ],
        ["org_id", "site_id", "event_id"],
        update_existing=False,
    )
    made.merge_rows(
        "conversion_goals",
        [goal("g_view", "page_view"), goal("g_buy", "purchase"), goal("g_other", "purchase", "o2")],
        ["org_id", "goal_id"],
        update_existing=True,
    )
    yield made
    made.close()


def goal(goal_id: str, event_type: str, org: str = "o1") -> dict[str, Any]:
    """A goal with no conditions: every event of its type matches."""
    return {
        "org_id": org,
        "goal_id": goal_id,
        "revision": 1,
        "name": goal_id,
        "site_id": None,
        "event_type": event_type,
        "event_name": None,
        "value_rule": "event",
        "fixed_value_micros": None,
        "fixed_currency": None,
        "created_at": AT,
        "updated_at": AT,
        "deleted_at": None,
    }


def service(warehouse: DuckDbWarehouse) -> DashboardService:
    """Nothing here narrows to a brand or campaign, so no store is read."""
    return DashboardService(warehouse, cast(Any, None), cast(Any, None))


def day_range(**extra: Any) -> dict[str, Any]:
    return {"from": "2026-11-01", "to": "2026-11-30", **extra}


def test_roi_keeps_each_currency_apart_and_explains_mixed_ones(
    warehouse: DuckDbWarehouse,
) -> None:
    reply = service(warehouse).roi(ORG, RoiQuery.model_validate(day_range(by="campaign")))
    (rc1,) = [g for g in reply.groups if g.key == "rc1"]
    assert rc1.conversions == pytest.approx(2.0)
    money = {m.currency: m for m in rc1.money}
    assert money["EUR"].spend_micros == 30_000_000 + 50_000_000  # Meta spend + creator fee
    assert money["EUR"].conversion_value_micros == 120_000_000
    assert money["USD"].spend_micros == 10_000_000
    assert money["USD"].conversion_value_micros == 50_000_000
    assert money["EUR"].engagements == 60 + 40
    for figure in ("roas", "cpa", "cost_per_engagement"):
        assert getattr(money["EUR"], figure) is None
        assert "no exchange rates" in money["EUR"].unknown[figure]


def test_by_channel_credits_and_costs_meet_per_channel(warehouse: DuckDbWarehouse) -> None:
    reply = service(warehouse).roi(ORG, RoiQuery.model_validate(day_range(by="channel")))
    channels = {g.key: g for g in reply.groups}
    paid = {m.currency: m for m in channels["paid_social"].money}
    assert paid["EUR"].spend_micros == 30_000_000
    assert paid["EUR"].cost_per_engagement == pytest.approx(0.5)
    creator = {m.currency: m for m in channels["creator"].money}
    assert creator["EUR"].spend_micros == 50_000_000
    assert creator["USD"].spend_micros == 10_000_000
    # The two browser purchases had no campaign touch: direct, with no value and no cost.
    assert channels["direct"].conversions == pytest.approx(2.0)
    assert channels["direct"].money == []


def test_nothing_tracked_is_null_with_a_reason(warehouse: DuckDbWarehouse) -> None:
    empty = service(warehouse).roi(
        ORG, RoiQuery.model_validate({"from": "2026-10-01", "to": "2026-10-31"})
    )
    assert empty.groups == []
    other = Principal("o3", "k3", Role.VIEWER)
    reply = service(warehouse).overview(other, RoiQuery.model_validate(day_range()))
    assert reply.total.conversions is None
    assert reply.total.unknown["conversions"].startswith("no conversions tracked")


def test_another_organizations_rows_never_count(warehouse: DuckDbWarehouse) -> None:
    reply = service(warehouse).overview(ORG, RoiQuery.model_validate(day_range()))
    eur = next(m for m in reply.total.money if m.currency == "EUR")
    assert eur.spend_micros == 80_000_000
    assert eur.conversion_value_micros == 120_000_000


def test_the_funnel_counts_a_stage_only_after_the_one_before(warehouse: DuckDbWarehouse) -> None:
    reply = service(warehouse).funnel(ORG, FunnelQuery.model_validate(day_range()))
    assert [(s.stage, s.visitors) for s in reply.stages] == [
        ("page_view", 4),
        ("add_to_cart", 1),
        ("begin_checkout", 1),
        ("purchase", 1),
    ]
    assert reply.stages[1].drop_off == 3


def test_a_goal_funnel_follows_the_goals_in_order(warehouse: DuckDbWarehouse) -> None:
    query = FunnelQuery.model_validate(day_range(goal_ids="g_view,g_buy"))
    reply = service(warehouse).funnel(ORG, query)
    assert reply.kind == "goals"
    # v1 and v2 viewed and then bought; v4's and the server-side purchases had no view first.
    assert [(s.stage, s.visitors) for s in reply.stages] == [("g_view", 4), ("g_buy", 2)]
    theirs = FunnelQuery.model_validate(day_range(goal_ids="g_view,g_other"))
    assert [s.visitors for s in service(warehouse).funnel(ORG, theirs).stages] == [4, 0]


def test_the_report_tables_compare_models_and_paid_kpis(warehouse: DuckDbWarehouse) -> None:
    query = CreditQuery.model_validate(day_range())
    models = service(warehouse).model_compare("o1", query, ["rc1"])
    by_model = {(r["model"], r["currency"]): r["conversions"] for r in models}
    for model in ("last_click", "first_click", "linear", "time_decay", "position_based"):
        assert by_model[(model, "EUR")] == pytest.approx(1.0)
    params = {"org_id": "o1", "campaign_id": "rc1", "from_day": DAY, "to_day": DAY}
    (paid,) = paid_table(warehouse.run(PAID_KPIS_SQL, params)).rows
    assert paid["spend_micros"] == 30_000_000
    assert paid["cpc"] == pytest.approx(1.5)
