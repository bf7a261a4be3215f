"""Paid media SQL on DuckDB: the ad_insights_daily table loaded twice (idempotent), the paid_kpis_*
views (the KPI functions of bigquery_sql/functions/paid_kpis.sql, NULL on a zero denominator,
one level per campaign so nothing is counted twice, one figure per attribution window, each
row with its object's current settings), the daily series query, the KPI table's totals (each
window from its own key, range reach from the range report, the same KPIs as the views) and
the spend check of accounts that report only ad sets."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.adapters.duckdb_warehouse import DuckDbWarehouse, to_duckdb
from shared.adapters.meta_insights import meta_insight_row, meta_range_row
from shared.adapters.sql_files import read_sql
from shared.auth import Principal, Role
from shared.config import get_settings
from shared.errors import ValidationFailed
from shared.paid import AD_DAILY_SERIES_SQL, AD_INSIGHTS_COLUMNS, save_insights
from shared.paid.csv_import import expected_header, parse_insights_csv
from shared.paid.kpi_table import SQL as CAMPAIGN_TOTALS_SQL
from shared.paid.kpi_table import KpiQuery, KpiTables, ReportingSettings
from shared.paid.kpis import KPI_SQL, kpi_names
from shared.paid.range_state import RangeReachState, RangeStatus
from shared.paid.rows import AdInsightRow, save_ranges

pytestmark = pytest.mark.integration
SQL_DIR = get_settings().sql_dir
PAID_SQL = (
    KPI_SQL,
    "schema/ad_insights_daily.sql",
    "schema/ad_conversions_daily.sql",
    "schema/ad_insights_range.sql",
    "views/paid_answering_rows.sql",
    "views/paid_conversion_windows.sql",
    "views/paid_kpis_daily.sql",
    "views/paid_kpis_campaign_daily.sql",
    "views/paid_kpis_platform_daily.sql",
    "views/paid_objects_current.sql",
    "views/paid_breakdowns_daily.sql",
    "queries/paid_breakdowns.sql",
    AD_DAILY_SERIES_SQL,
    "queries/ad_channel_series.sql",
    CAMPAIGN_TOTALS_SQL,
    "queries/paid_spend.sql",
    "queries/creator_paid_campaigns.sql",
)
SYNCED = datetime(2026, 11, 21, 6, tzinfo=UTC)
DAY = date(2026, 11, 2)
KPI_COLUMNS = ("cpm", "cpc", "cost_per_link_click", "ctr", "link_ctr", "cpa", "roas", "cpe")


def meta(level: str, entity: str, spend: str, impressions: str, **extra: Any) -> AdInsightRow:
    raw: dict[str, Any] = {
        "account_id": "act_123",
        "campaign_id": "c1",
        "campaign_name": "Spring",
        "date_start": extra.pop("day", DAY.isoformat()),
        "account_currency": "EUR",
        "spend": spend,
        "impressions": impressions,
        **extra,
    }
    if level == "ad":
        raw |= {"adset_id": "as1", "ad_id": entity, "ad_name": f"Ad {entity}"}
    return meta_insight_row(
        raw, org_id="o1", level=level, synced_at=SYNCED, reachops_campaign_id="rc1"
    )


def purchases(count: str, value: str, click: str | None = None) -> dict[str, Any]:
    """Aliases of one purchase; `click` is its 7d_click figure (1d_view is always 1)."""
    windows = {} if click is None else {"7d_click": click, "1d_view": "1"}
    return {
        "actions": [
            {"action_type": "offsite_conversion.fb_pixel_purchase", "value": count, **windows},
            {"action_type": "purchase", "value": count, **windows},
            {"action_type": "post_engagement", "value": "100"},
        ],
        "action_values": [{"action_type": "purchase", "value": value}],
    }


def meta_rows() -> list[AdInsightRow]:
    return [
        # The campaign's own row and two of its ads the same day: the ads are the same delivery.
        meta("campaign", "c1", "30.00", "3000", reach="2000", frequency="1.5", clicks="60",
             inline_link_clicks="30", **purchases("3", "120.00", click="2")),
        meta("ad", "ad1", "12.34", "1000", reach="900", clicks="20",
             **purchases("1", "40.00", click="1")),
        meta("ad", "ad2", "17.66", "2000", reach="1500", clicks="40",
             **purchases("2", "80.00", click="1")),
        # Delivered nothing: every ratio is NULL, and what Meta left out is unknown.
        meta("ad", "ad3", "0", "0", clicks="0"),
        meta("campaign", "c1", "10.00", "1000", clicks="10", day="2026-11-03"),
    ]  # fmt: skip


def tiktok_rows() -> list[dict[str, Any]]:
    """Ad rows only, from the CSV path: the campaign is summed from its ads."""
    lines = [
        ",".join(expected_header()),
        "tiktok_ads,adv9,ad,t_ad1,A,t1,t_g1,t_ad1,rc1,cr1,2026-11-02,USD,5.00,500,400,,5,4,,,,,,,,,",
        "tiktok_ads,adv9,ad,t_ad2,B,t1,t_g1,t_ad2,,cr2,2026-11-02,USD,7.50,1500,1000,,15,,1,9.00,,,,,,,",
        "tiktok_ads,adv9,ad,t_ad1,A,t1,t_g1,t_ad1,rc2,cr1,2026-11-03,USD,2.00,100,90,,1,1,,,,,,,,,",
    ]
    imported = parse_insights_csv("\n".join(lines), org_id="o1", synced_at=SYNCED)
    assert imported.rejected == ()
    return list(imported.rows)


def adset_only_rows() -> list[AdInsightRow]:
    """An account whose campaign reports only ad set rows: it must not drop out."""
    rows = []
    for adset, spend in (("g1", "4.00"), ("g2", "6.00")):
        raw = {
            "account_id": "act_777",
            "campaign_id": "c7",
            "adset_id": adset,
            "adset_name": f"Set {adset}",
            "date_start": DAY.isoformat(),
            "account_currency": "EUR",
            "spend": spend,
            "impressions": "100",
            **purchases("1", "5.00", click="1"),
        }
        rows.append(meta_insight_row(raw, org_id="o1", level="adset", synced_at=SYNCED))
    return rows


def other_org_row() -> AdInsightRow:
    return replace(meta("campaign", "c1", "99.00", "9900"), org_id="o2")


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[DuckDbWarehouse]:
    made = DuckDbWarehouse(tmp_path / "w.duckdb", SQL_DIR)
    made.apply_schema()
    save_insights(made, [*meta_rows(), *tiktok_rows(), other_org_row(), *adset_only_rows()])
    yield made
    made.close()


def select(warehouse: DuckDbWarehouse, sql: str) -> list[dict[str, Any]]:
    cursor = warehouse._connection.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def table(warehouse: DuckDbWarehouse) -> list[dict[str, Any]]:
    columns = ", ".join(
        "CAST(synced_at AS VARCHAR) AS synced_at" if c == "synced_at" else c
        for c in AD_INSIGHTS_COLUMNS
    )
    return select(
        warehouse,
        f"SELECT {columns} FROM reachops.ad_insights_daily "  # noqa: S608
        "ORDER BY org_id, platform, level, entity_id, date",
    )


@pytest.mark.parametrize("name", PAID_SQL)
def test_paid_sql_transpiles_without_loss(name: str) -> None:
    assert to_duckdb(read_sql(SQL_DIR, name))


def test_loading_the_same_rows_twice_changes_nothing(warehouse: DuckDbWarehouse) -> None:
    first = table(warehouse)
    windows = select(warehouse, "SELECT * FROM reachops.ad_conversions_daily")
    assert len(first) == 11
    save_insights(warehouse, [*meta_rows(), *tiktok_rows(), other_org_row(), *adset_only_rows()])
    assert table(warehouse) == first
    assert len(select(warehouse, "SELECT * FROM reachops.ad_conversions_daily")) == len(windows)


def test_a_restated_day_replaces_its_row(warehouse: DuckDbWarehouse) -> None:
    restated = replace(meta_rows()[0], spend_micros=31_000_000, synced_at=datetime.now(UTC))
    save_insights(warehouse, [restated])
    found = select(
        warehouse,
        "SELECT spend_micros FROM reachops.ad_insights_daily "
        "WHERE org_id = 'o1' AND level = 'campaign' AND date = DATE '2026-11-02'",
    )
    assert found == [{"spend_micros": 31_000_000}]
    assert len(table(warehouse)) == 11


def expected_kpis(row: dict[str, Any]) -> dict[str, float | None]:
    """The KPIs as the README defines them, worked out independently of the SQL functions."""

    def ratio(numerator: float | None, denominator: float | None, scale: float) -> float | None:
        if numerator is None or not denominator:
            return None
        return numerator / denominator / scale

    spend = row["spend_micros"]
    return {
        "cpm": ratio(spend, row["impressions"], 1e3),
        "cpc": ratio(spend, row["clicks"], 1e6),
        "cost_per_link_click": ratio(spend, row["link_clicks"], 1e6),
        "ctr": ratio(row["clicks"], row["impressions"], 1),
        "link_ctr": ratio(row["link_clicks"], row["impressions"], 1),
        "cpa": ratio(spend, row["conversions"], 1e6),
        "roas": ratio(row["conversion_value_micros"], spend, 1),
        "cpe": ratio(spend, row["engagements"], 1e6),
    }


def test_the_kpi_names_are_the_sql_functions_and_the_view_columns() -> None:
    assert kpi_names() == (*KPI_COLUMNS, "frequency")


def test_entity_view_computes_every_kpi(warehouse: DuckDbWarehouse) -> None:
    view = select(
        warehouse, "SELECT * FROM reachops.paid_kpis_daily WHERE attribution_window = 'default'"
    )
    assert len(view) == 11
    for row in view:
        for name, value in expected_kpis(row).items():
            assert row[name] == pytest.approx(value), (row["entity_id"], name)
    ad1 = next(r for r in view if r["entity_id"] == "ad1")
    assert ad1["spend"] == pytest.approx(12.34)
    assert ad1["cpm"] == pytest.approx(12.34)
    assert ad1["roas"] == pytest.approx(40 / 12.34)
    assert ad1["frequency"] == pytest.approx(1000 / 900)  # not reported: impressions / reach


def test_nothing_divides_by_zero_or_makes_up_a_figure(warehouse: DuckDbWarehouse) -> None:
    (ad3,) = select(
        warehouse,
        "SELECT * FROM reachops.paid_kpis_daily "
        "WHERE entity_id = 'ad3' AND attribution_window = 'default'",
    )
    assert (ad3["spend_micros"], ad3["impressions"], ad3["clicks"]) == (0, 0, 0)
    for name in (*KPI_COLUMNS, "frequency", "reach", "conversions", "engagements"):
        assert ad3[name] is None, name


def test_campaign_view_uses_one_level_per_campaign_and_day(warehouse: DuckDbWarehouse) -> None:
    view = {
        (r["platform"], r["campaign_id"], r["date"]): r
        for r in select(
            warehouse,
            "SELECT * FROM reachops.paid_kpis_campaign_daily "
            "WHERE org_id = 'o1' AND attribution_window = 'default'",
        )
    }
    c1 = view[("meta", "c1", DAY)]
    assert (c1["from_level"], c1["rows_summed"]) == ("campaign", 1)
    assert c1["spend_micros"] == 30_000_000  # the campaign row alone, not + its ads
    assert (c1["reach"], c1["frequency"], c1["conversions"]) == (2000, 1.5, 3.0)
    assert c1["campaign_name"] == "Spring"
    assert c1["reachops_campaign_id"] == "rc1"
    assert c1["cpa"] == pytest.approx(10.0)
    assert c1["roas"] == pytest.approx(4.0)
    t1 = view[("tiktok_ads", "t1", DAY)]
    assert (t1["from_level"], t1["rows_summed"]) == ("ad", 2)
    assert (t1["spend_micros"], t1["impressions"], t1["clicks"]) == (12_500_000, 2000, 20)
    assert (t1["reach"], t1["frequency"]) == (None, None)  # people do not add up across ads
    assert t1["link_clicks"] == 4  # only the ad that reported it
    assert t1["creator_id"] is None  # two creators
    assert t1["reachops_campaign_id"] == "rc1"  # the one link among the rows that have one
    assert t1["cpm"] == pytest.approx(12.5 / 2000 * 1000)


def test_platform_view_adds_up_campaigns_per_currency(warehouse: DuckDbWarehouse) -> None:
    view = {
        (r["org_id"], r["platform"], r["date"]): r
        for r in select(
            warehouse,
            "SELECT * FROM reachops.paid_kpis_platform_daily WHERE attribution_window = 'default'",
        )
    }
    meta_day = view[("o1", "meta", DAY)]
    assert (meta_day["campaigns"], meta_day["accounts"], meta_day["currency"]) == (2, 2, "EUR")
    assert meta_day["spend_micros"] == 40_000_000  # c1's campaign row + c7's two ad sets
    assert "reach" not in meta_day
    assert view[("o2", "meta", DAY)]["spend_micros"] == 99_000_000
    assert view[("o1", "tiktok_ads", DAY)]["cpa"] == pytest.approx(12.5)


def test_daily_series_per_platform(warehouse: DuckDbWarehouse) -> None:
    params = {"org_id": "o1", "start_date": DAY, "end_date": date(2026, 11, 30)}
    series = warehouse.run(AD_DAILY_SERIES_SQL, {**params, "reachops_campaign_id": None})
    found = [(r["date"], r["platform"], r["spend_micros"]) for r in series]
    assert found == [
        (DAY, "meta", 40_000_000),
        (DAY, "tiktok_ads", 12_500_000),
        (date(2026, 11, 3), "meta", 10_000_000),
        (date(2026, 11, 3), "tiktok_ads", 2_000_000),
    ]
    linked = warehouse.run(AD_DAILY_SERIES_SQL, {**params, "reachops_campaign_id": "rc2"})
    assert [(r["platform"], r["spend_micros"]) for r in linked] == [("tiktok_ads", 2_000_000)]
    only_linked_ad = warehouse.run(AD_DAILY_SERIES_SQL, {**params, "reachops_campaign_id": "rc1"})
    tiktok = [r for r in only_linked_ad if r["platform"] == "tiktok_ads"]
    assert [(r["date"], r["spend_micros"]) for r in tiktok] == [(DAY, 5_000_000)]


def test_each_window_is_its_own_figure_and_never_mixed(warehouse: DuckDbWarehouse) -> None:
    rows = select(
        warehouse,
        "SELECT attribution_window, conversions, spend_micros, cpa "
        "FROM reachops.paid_kpis_campaign_daily WHERE campaign_id = 'c1' AND org_id = 'o1' "
        "AND date = DATE '2026-11-02' ORDER BY attribution_window",
    )
    by_window = {r["attribution_window"]: r for r in rows}
    assert set(by_window) == {"default", "7d_click", "1d_view"}
    assert by_window["default"]["conversions"] == 3.0  # Meta's value, the account's setting
    assert by_window["7d_click"]["conversions"] == 2.0  # from the entry's own 7d_click key
    assert by_window["1d_view"]["conversions"] == 1.0
    assert {r["spend_micros"] for r in rows} == {30_000_000}  # delivery is the same in each
    assert by_window["7d_click"]["cpa"] == pytest.approx(15.0)


def test_an_account_with_only_ad_set_rows_is_counted(warehouse: DuckDbWarehouse) -> None:
    (c7,) = select(
        warehouse,
        "SELECT * FROM reachops.paid_kpis_campaign_daily "
        "WHERE campaign_id = 'c7' AND attribution_window = '7d_click'",
    )
    assert (c7["from_level"], c7["rows_summed"], c7["rows_with_window"]) == ("adset", 2, 2)
    assert (c7["spend_micros"], c7["conversions"]) == (10_000_000, 2.0)
    spend = warehouse.run(
        "queries/paid_spend.sql",
        {"org_id": "o1", "account_id": "777", "day": DAY, "month_start": date(2026, 11, 1)},
    )
    assert [(r["campaign_id"], r["campaign_name"], r["day_spend_micros"]) for r in spend] == [
        ("c7", "c7", 10_000_000)
    ]


def totals(warehouse: DuckDbWarehouse, account: str, window: str) -> dict[str, dict[str, Any]]:
    params = {"org_id": "o1", "account_id": account, "since": DAY, "until": date(2026, 11, 3)}
    rows = warehouse.run(CAMPAIGN_TOTALS_SQL, {**params, "attribution_window": window})
    return {r["campaign_id"]: r for r in rows}


def test_campaign_totals_take_the_asked_window_and_say_when_it_is_incomplete(
    warehouse: DuckDbWarehouse,
) -> None:
    default = totals(warehouse, "123", "default")["c1"]
    assert (default["days"], default["spend_micros"], default["conversions"]) == (
        2,
        40_000_000,
        3.0,
    )
    assert (default["rows_summed"], default["rows_with_window"]) == (2, 2)
    click = totals(warehouse, "123", "7d_click")["c1"]
    assert (click["conversions"], click["rows_with_window"]) == (2.0, 2)  # 3 Nov: none reported
    never_asked = totals(warehouse, "123", "1d_click")["c1"]
    assert (never_asked["conversions"], never_asked["rows_with_window"]) == (None, 0)
    assert totals(warehouse, "777", "default")["c7"]["from_level"] == "adset"


def test_range_reach_comes_from_the_range_report_never_from_summed_days(
    warehouse: DuckDbWarehouse,
) -> None:
    assert totals(warehouse, "123", "default")["c1"]["reach"] is None  # no range report yet
    raw = {
        "account_id": "act_123",
        "campaign_id": "c1",
        "campaign_name": "Spring",
        "date_start": "2026-11-02",
        "date_stop": "2026-11-03",
        "account_currency": "EUR",
        "spend": "40.00",
        "impressions": "4000",
        "reach": "2400",  # less than the days' 2000 + unknown: people seen twice count once
        "frequency": "1.6667",
    }
    save_ranges(warehouse, [meta_range_row(raw, org_id="o1", level="campaign", synced_at=SYNCED)])
    save_ranges(warehouse, [meta_range_row(raw, org_id="o1", level="campaign", synced_at=SYNCED)])
    c1 = totals(warehouse, "123", "default")["c1"]
    assert (c1["reach"], c1["frequency"]) == (2400, pytest.approx(1.6667))
    assert len(select(warehouse, "SELECT * FROM reachops.ad_insights_range")) == 1
    other_range = warehouse.run(
        CAMPAIGN_TOTALS_SQL,
        {
            "org_id": "o1",
            "account_id": "123",
            "since": DAY,
            "until": DAY,
            "attribution_window": "default",
        },
    )
    assert other_range[0]["reach"] is None  # a range report answers for its own range only


class FixedAccount:
    """The ad account settings the KPI table is handed (shared/adaccounts/reporting.py)."""

    def reporting(self, org_id: str, account_id: str, now: datetime) -> ReportingSettings:
        return ReportingSettings(("7d_click", "1d_view"), "default", DAY, date(2026, 11, 3))


def test_the_kpi_table_names_its_window_and_refuses_one_never_synced(
    warehouse: DuckDbWarehouse,
) -> None:
    tables = KpiTables(warehouse=warehouse, accounts=FixedAccount())
    viewer = Principal(org_id="o1", key_id="k", role=Role.VIEWER)
    default = tables.table(viewer, "123", KpiQuery())
    assert (default.since, default.until, default.attribution_window) == (
        DAY,
        date(2026, 11, 3),
        "default",
    )
    (c1,) = default.items
    assert (c1.conversions, c1.kpis["cpa"]) == (3.0, pytest.approx(40 / 3))
    click = tables.table(viewer, "123", KpiQuery(attribution_window="7d_click"))
    assert click.items[0].conversions == 2.0
    assert "7 days of a click" in click.attribution_window_meaning
    with pytest.raises(ValidationFailed, match="do not ask Meta for 28d_click") as refused:
        tables.table(viewer, "123", KpiQuery(attribution_window="28d_click"))
    assert refused.value.field == "query.attribution_window"
    adset_only = tables.table(viewer, "777", KpiQuery())
    assert [(r.campaign_id, r.from_level, r.spend_micros) for r in adset_only.items] == [
        ("c7", "adset", 10_000_000)
    ]


class LandsWhileAsked:
    """A range task that finishes between the KPI table's reads: asked, it stores the range
    rows (account and campaign), then answers READY, as the request document then says."""

    def __init__(self, warehouse: DuckDbWarehouse) -> None:
        self._warehouse = warehouse

    def request(self, org_id: str, account_id: str, since: date, until: date) -> RangeReachState:
        raw = {
            "account_id": f"act_{account_id}",
            "campaign_id": "c1",
            "campaign_name": "Spring",
            "date_start": since.isoformat(),
            "date_stop": until.isoformat(),
            "account_currency": "EUR",
            "spend": "40.00",
            "impressions": "4000",
            "reach": "2400",
            "frequency": "1.6667",
        }
        rows = [
            meta_range_row(raw, org_id=org_id, level=level, synced_at=SYNCED)
            for level in ("account", "campaign")
        ]
        save_ranges(self._warehouse, rows)
        return RangeReachState(status=RangeStatus.READY, requested_at=SYNCED)


class LandsAfterCampaignsRead:
    """The warehouse as the KPI table sees it when the range task stores its rows just after
    the campaigns' totals were read (the request document then says READY)."""

    def __init__(self, warehouse: DuckDbWarehouse) -> None:
        self._warehouse = warehouse
        self._task = LandsWhileAsked(warehouse)

    def run(self, sql_file: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        rows = self._warehouse.run(sql_file, params)
        if sql_file == CAMPAIGN_TOTALS_SQL and params is not None:
            self._task.request(params["org_id"], params["account_id"], *DEFAULT_RANGE)
        return rows


class AlreadyReady:
    def request(self, org_id: str, account_id: str, since: date, until: date) -> RangeReachState:
        return RangeReachState(status=RangeStatus.READY, requested_at=SYNCED)


DEFAULT_RANGE = (DAY, date(2026, 11, 3))


@pytest.mark.parametrize("lands", ["while_asked", "after_campaigns_read"])
def test_a_range_report_landing_while_the_table_reads_is_ready_with_its_reach(
    warehouse: DuckDbWarehouse, lands: str
) -> None:
    if lands == "while_asked":
        tables = KpiTables(
            warehouse=warehouse, accounts=FixedAccount(), range_reach=LandsWhileAsked(warehouse)
        )
    else:
        tables = KpiTables(
            warehouse=LandsAfterCampaignsRead(warehouse),  # type: ignore[arg-type]
            accounts=FixedAccount(),
            range_reach=AlreadyReady(),
        )
    viewer = Principal(org_id="o1", key_id="k", role=Role.VIEWER)
    table = tables.table(viewer, "123", KpiQuery())
    assert table.range_reach.status is RangeStatus.READY
    assert table.range_reach.synced_at == SYNCED
    (c1,) = table.items
    assert (c1.reach, "reach" in c1.unknown) == (2400, False)  # never "ready" without reach
    assert table.totals.reach == 2400, table.totals.unknown


def test_the_kpi_table_and_the_campaign_view_give_the_same_kpis(
    warehouse: DuckDbWarehouse,
) -> None:
    """One definition: the API's figures are the views' figures, nulls and all."""
    tables = KpiTables(warehouse=warehouse, accounts=FixedAccount())
    viewer = Principal(org_id="o1", key_id="k", role=Role.VIEWER)
    for account, campaign in (("123", "c1"), ("777", "c7"), ("adv9", "t1")):
        for day in (DAY, date(2026, 11, 3)):
            view = select(
                warehouse,
                "SELECT * FROM reachops.paid_kpis_campaign_daily "  # noqa: S608 - test literals
                f"WHERE org_id = 'o1' AND campaign_id = '{campaign}' "
                f"AND date = DATE '{day}' AND attribution_window = 'default'",
            )
            api = tables.table(viewer, account, KpiQuery(since=day, until=day)).items
            assert len(view) == len(api) <= 1, (campaign, day)
            for row, item in zip(view, api, strict=True):
                assert row["cpm"] is not None
                for name in KPI_COLUMNS:
                    assert item.kpis[name] == pytest.approx(row[name]), (campaign, day, name)
                    assert (name in item.unknown) == (row[name] is None), (campaign, name)


def test_a_kpi_the_sql_cannot_compute_is_null_in_the_api_with_the_reason(
    warehouse: DuckDbWarehouse,
) -> None:
    tables = KpiTables(warehouse=warehouse, accounts=FixedAccount())
    viewer = Principal(org_id="o1", key_id="k", role=Role.VIEWER)
    (c1,) = tables.table(viewer, "123", KpiQuery(since=date(2026, 11, 3))).items
    assert (c1.link_clicks, c1.kpis["cost_per_link_click"]) == (None, None)
    assert c1.unknown["cost_per_link_click"] == "link_clicks not reported"
    assert (c1.conversions, c1.kpis["cpa"], c1.kpis["roas"]) == (None, None, None)
    assert c1.unknown["cpa"] == "conversions not reported"
    assert c1.unknown["roas"] == "conversion_value_micros not reported"
    assert "no range report stored" in c1.unknown["frequency"]  # the specific reason wins


def settings(level: str, object_id: str, **values: Any) -> dict[str, Any]:
    """An ad_objects row as the metadata sync writes it (shared/adaccounts/metadata.py)."""
    empty = dict.fromkeys(
        ("name", "campaign_id", "adset_id", "status", "effective_status", "objective",
         "daily_budget_micros", "lifetime_budget_micros", "bid_strategy", "creative_id",
         "creative_thumbnail_url", "updated_time"),
    )  # fmt: skip
    return empty | {
        "org_id": "o1",
        "platform": "meta",
        "account_id": "123",
        "level": level,
        "object_id": object_id,
        "currency": "EUR",
        "synced_at": SYNCED,
        **values,
    }


def test_kpi_rows_carry_their_objects_current_settings(warehouse: DuckDbWarehouse) -> None:
    campaign = settings(
        "campaign",
        "c1",
        name="Spring",
        status="ACTIVE",
        effective_status="ACTIVE",
        objective="OUTCOME_SALES",
        daily_budget_micros=50_000_000,
        bid_strategy="LOWEST_COST_WITHOUT_CAP",
    )
    ad = settings(
        "ad",
        "ad1",
        campaign_id="c1",
        adset_id="as1",
        status="PAUSED",
        effective_status="PAUSED",
        creative_id="cr77",
        creative_thumbnail_url="https://example.test/cr77.jpg",
    )
    keys = ("org_id", "platform", "account_id", "level", "object_id")
    warehouse.merge_rows("ad_objects", [campaign, ad], keys, update_existing=True)
    daily = {
        r["entity_id"]: r
        for r in select(
            warehouse,
            "SELECT * FROM reachops.paid_kpis_daily "
            "WHERE org_id = 'o1' AND date = DATE '2026-11-02' AND attribution_window = 'default'",
        )
    }
    ad1, campaign = daily["ad1"], daily["c1"]
    assert (ad1["status"], ad1["objective"]) == ("PAUSED", "OUTCOME_SALES")  # campaign's
    assert (ad1["creative_id"], ad1["creative_thumbnail_url"]) == (
        "cr77",
        "https://example.test/cr77.jpg",
    )
    assert ad1["daily_budget_micros"] is None  # the budget is the campaign's, not the ad's
    assert (campaign["daily_budget_micros"], campaign["creative_id"]) == (50_000_000, None)
    assert daily["ad2"]["status"] is None  # never read: unknown, not made up
    (c1,) = select(
        warehouse,
        "SELECT * FROM reachops.paid_kpis_campaign_daily WHERE org_id = 'o1' "
        "AND campaign_id = 'c1' AND date = DATE '2026-11-02' AND attribution_window = 'default'",
    )
    assert (c1["status"], c1["effective_status"], c1["objective"]) == (
        "ACTIVE",
        "ACTIVE",
        "OUTCOME_SALES",
    )
    assert (c1["daily_budget_micros"], c1["lifetime_budget_micros"], c1["bid_strategy"]) == (
        50_000_000,
        None,
        "LOWEST_COST_WITHOUT_CAP",
    )
    everything = "SELECT * FROM reachops.paid_kpis_daily WHERE attribution_window = 'default'"
    assert len(select(warehouse, everything)) == 11  # settings add columns, never rows


def test_a_creators_paid_campaigns_get_their_cpe_from_the_kpi_function(
    warehouse: DuckDbWarehouse,
) -> None:
    values = dict.fromkeys(expected_header(), "") | {
        "platform": "tiktok_ads", "account_id": "adv9", "level": "ad", "entity_id": "t_ad9",
        "campaign_id": "t9", "adset_id": "t_g9", "ad_id": "t_ad9", "creator_id": "cr3",
        "date": "2026-11-02",
        "currency": "USD", "spend": "6.00", "impressions": "600", "engagements": "40",
    }  # fmt: skip
    csv = "\n".join([",".join(expected_header()), ",".join(values.values())])
    imported = parse_insights_csv(csv, org_id="o1", synced_at=SYNCED)
    assert imported.rejected == ()
    save_insights(warehouse, list(imported.rows))
    query = "queries/creator_paid_campaigns.sql"
    (t9,) = warehouse.run(query, {"org_id": "o1", "creator_id": "cr3"})
    assert (t9["campaign_id"], t9["engagements"], t9["cpe"]) == ("t9", 40, pytest.approx(0.15))
    (t1,) = warehouse.run(query, {"org_id": "o1", "creator_id": "cr2"})
    assert (t1["spend_micros"], t1["engagements"], t1["cpe"]) == (7_500_000, None, None)
