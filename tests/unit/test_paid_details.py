"""Meta's object settings and breakdown rows as ReachOps rows: budgets in micros, segments."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shared.adaccounts.breakdowns import BREAKDOWNS, DIMENSIONS, breakdown_row
from shared.adaccounts.metadata import budget_micros, object_row
from shared.adaccounts.models import AdAccount
from shared.adapters.meta_insights import meta_insight_row

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
ACCOUNT = AdAccount(
    account_id="100",
    name="Acme",
    currency="EUR",
    timezone="Europe/Berlin",
    connection_id="c1",
    connected_at=NOW,
    connected_by="k1",
)


def test_budgets_are_minor_units_of_the_account_currency_stored_as_micros() -> None:
    assert budget_micros("5000", "EUR") == 50_000_000
    assert budget_micros("5000", "JPY") == 5_000_000_000
    assert budget_micros("5000", "KWD") == 5_000_000


def test_no_budget_is_null_never_zero() -> None:
    for value in (None, "", "0", "not-a-number"):
        assert budget_micros(value, "EUR") is None
    assert budget_micros("5000", "XXX") is None


def test_an_ad_carries_its_creative_and_a_campaign_its_objective() -> None:
    ad = object_row(
        {
            "id": "9",
            "name": "Reel",
            "campaign_id": "7",
            "adset_id": "8",
            "status": "ACTIVE",
            "effective_status": "CAMPAIGN_PAUSED",
            "creative": {"id": "55", "thumbnail_url": "https://cdn.example/t.jpg"},
            "updated_time": "2026-11-30T09:12:44+0000",
        },
        level="ad",
        org_id="o1",
        account=ACCOUNT,
        synced_at=NOW,
    )
    assert ad is not None
    assert (ad["object_id"], ad["effective_status"], ad["creative_id"]) == (
        "9",
        "CAMPAIGN_PAUSED",
        "55",
    )
    assert ad["creative_thumbnail_url"] == "https://cdn.example/t.jpg"
    assert ad["daily_budget_micros"] is None
    assert ad["updated_time"] == datetime(2026, 11, 30, 9, 12, 44, tzinfo=UTC)
    campaign = object_row(
        {"id": "7", "objective": "OUTCOME_SALES", "daily_budget": "12000", "bid_strategy": "X"},
        level="campaign",
        org_id="o1",
        account=ACCOUNT,
        synced_at=NOW,
    )
    assert campaign is not None
    assert (campaign["objective"], campaign["daily_budget_micros"]) == (
        "OUTCOME_SALES",
        120_000_000,
    )
    assert (
        object_row({"name": "no id"}, level="ad", org_id="o1", account=ACCOUNT, synced_at=NOW)
        is None
    )


def raw_row(**dims: str) -> dict[str, object]:
    return {
        "account_id": "100",
        "campaign_id": "7",
        "campaign_name": "Spring",
        "date_start": "2026-11-30",
        "date_stop": "2026-11-30",
        "spend": "12.34",
        "impressions": "1000",
        "clicks": "20",
        **dims,
    }


def test_a_breakdown_row_keeps_the_insights_figures_and_names_its_segment() -> None:
    raw = raw_row(age="25-34", gender="female")
    daily = meta_insight_row(
        raw, org_id="o1", level="campaign", synced_at=NOW, account_id="100", account_currency="EUR"
    ).daily_columns()
    row = breakdown_row(raw, breakdown="age_gender", daily=daily)
    assert (row["breakdown"], row["segment"]) == ("age_gender", "25-34|female")
    assert (row["age"], row["gender"], row["country"]) == ("25-34", "female", None)
    assert (row["spend_micros"], row["impressions"], row["date"]) == (
        12_340_000,
        1000,
        date(2026, 11, 30),
    )
    assert row["reach"] is None  # not reported, not 0


def test_a_missing_breakdown_value_is_the_unknown_segment() -> None:
    raw = raw_row(publisher_platform="instagram")
    daily = meta_insight_row(
        raw, org_id="o1", level="campaign", synced_at=NOW, account_id="100", account_currency="EUR"
    ).daily_columns()
    row = breakdown_row(raw, breakdown="placement", daily=daily)
    assert row["segment"] == "instagram|unknown"
    assert set(DIMENSIONS) == {d for dims in BREAKDOWNS.values() for d in dims}
