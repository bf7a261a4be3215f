"""The campaign report's two renderings on fixed data: the PDF opens with pdfplumber, has one
page per table with its title, draws every chart that has data (curves, bars or a table) and
says "no data: <reason>" where there is none; it renders to the same bytes twice. The CSV holds
the same tables, one line per figure, with the reason beside every unknown one."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pdfplumber

from shared.reports.csv_file import HEADER, render_csv
from shared.reports.pdf import PAGES, render_pdf
from shared.reports.tables import CampaignReport, Table, funnel_table

DAY = datetime(2026, 11, 2, 12, tzinfo=UTC)


def report(posts: bool = True) -> CampaignReport:
    funnel = funnel_table(
        [
            {
                "stage": "page_view",
                "visitors": 10,
                "drop_off": None,
                "rate_from_previous": None,
                "rate_from_first": 1.0,
                "unknown": {"drop_off": "the first stage"},
            },
            {
                "stage": "purchase",
                "visitors": 2,
                "drop_off": 8,
                "rate_from_previous": 0.2,
                "rate_from_first": 0.2,
                "unknown": {},
            },
        ]
    )
    return CampaignReport(
        campaign_id="cmp1",
        campaign_name="Spring launch",
        from_day=date(2026, 11, 1),
        to_day=date(2026, 11, 7),
        model="last_click",
        tables=(
            Table(
                "summary",
                "Summary",
                ("currency", "spend_micros", "roas", "cpa"),
                [{"currency": "EUR", "spend_micros": 12_500_000, "roas": None, "cpa": 6.25}],
                "none",
                [{"roas": "no conversion value credited in this currency"}],
            ),
            Table(
                "daily",
                "Spend and results over time",
                ("day", "currency", "spend_micros", "conversions", "conversion_value_micros"),
                [
                    {
                        "day": "2026-11-02",
                        "currency": "EUR",
                        "spend_micros": 5_000_000,
                        "conversions": 1.0,
                        "conversion_value_micros": None,
                    },
                    {
                        "day": "2026-11-03",
                        "currency": "EUR",
                        "spend_micros": 7_500_000,
                        "conversions": 1.0,
                        "conversion_value_micros": None,
                    },
                ],
                "none",
            ),
            Table(
                "posts",
                "Creator posts and their growth",
                (
                    "creator_id",
                    "platform",
                    "platform_post_id",
                    "scraped_at",
                    "views",
                    "likes",
                    "comments",
                    "shares",
                ),
                [
                    {
                        "creator_id": "cr1",
                        "platform": "instagram",
                        "platform_post_id": "p1",
                        "scraped_at": DAY,
                        "views": 100 * n,
                        "likes": None,
                        "comments": None,
                        "shares": None,
                    }
                    for n in (1, 2)
                ]
                if posts
                else [],
                "no campaign post was scraped in the range",
            ),
            Table(
                "paid_kpis",
                "Paid KPIs",
                (
                    "campaign_name",
                    "currency",
                    "spend_micros",
                    "impressions",
                    "clicks",
                    "cpm",
                    "cpc",
                    "ctr",
                    "cpa",
                    "roas",
                ),
                [],
                "no Meta campaign linked to this campaign delivered in the range",
            ),
            Table(
                "attribution_models",
                "Attribution by model",
                ("model", "currency", "conversions", "conversion_value_micros"),
                [
                    {
                        "model": m,
                        "currency": None,
                        "conversions": 2.0,
                        "conversion_value_micros": None,
                    }
                    for m in ("first_click", "last_click")
                ],
                "none",
            ),
            funnel,
        ),
    )


def test_the_pdf_has_a_titled_page_per_table_and_draws_its_charts() -> None:
    rendered = render_pdf(report())
    with pdfplumber.open(io.BytesIO(rendered)) as pdf:
        assert len(pdf.pages) == len(PAGES)
        texts = [page.extract_text() for page in pdf.pages]
        titles = [report().table(name).title for name, _ in PAGES]
        for page, title in zip(pdf.pages, titles, strict=True):
            top = page.crop((0, 0, page.width, page.height * 0.1)).extract_text()
            assert top == f"{title}: Spring launch (2026-11-01 to 2026-11-07, last_click)"
        for index in (1, 2, 4, 5):
            page = pdf.pages[index]
            assert page.curves or page.rects or page.lines, titles[index]
        assert "no data: no Meta campaign linked" in texts[3]
        assert "6.25" in texts[0]
        assert "n/a" in texts[0]
        assert "roas: no conversion value credited in this currency" in texts[0]
        assert "20% of previous" in texts[5]


def test_a_chart_with_no_data_says_why() -> None:
    with pdfplumber.open(io.BytesIO(render_pdf(report(posts=False)))) as pdf:
        text = pdf.pages[2].extract_text()
        assert "no data: no campaign post was scraped in the range" in text
        assert not pdf.pages[2].curves


def test_the_pdf_renders_to_the_same_bytes() -> None:
    assert render_pdf(report()) == render_pdf(report())


def test_the_csv_holds_the_same_tables_with_reasons() -> None:
    lines = list(csv.DictReader(io.StringIO(render_csv(report()))))
    assert tuple(lines[0]) == HEADER
    assert {line["table"] for line in lines} == {name for name, _ in PAGES}
    roas = next(x for x in lines if x["table"] == "summary" and x["field"] == "roas")
    assert roas["value"] == ""
    assert roas["null_reason"] == "no conversion value credited in this currency"
    paid = [x for x in lines if x["table"] == "paid_kpis"]
    assert paid == [
        {
            "table": "paid_kpis",
            "row": "",
            "field": "",
            "value": "",
            "null_reason": "no data: no Meta campaign linked to this campaign "
            "delivered in the range",
        }
    ]
    views = [x["value"] for x in lines if x["table"] == "posts" and x["field"] == "views"]
    assert views == ["100", "200"]
