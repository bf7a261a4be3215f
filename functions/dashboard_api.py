"""HTTP entry point: the ROI dashboard (creator and paid together) and campaign reports."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.dashboard.models import (
    CreditQuery,
    FunnelQuery,
    RangeQuery,
    RoiQuery,
    TopQuery,
    TrendsQuery,
)
from shared.http.api import Attachment, Call, HttpApi, Reply
from shared.reports.csv_file import render_csv
from shared.reports.pdf import render_pdf


def overview(call: Call) -> Reply:
    return Reply(200, services().dashboard.overview(call.principal, call.query(RangeQuery)))


def roi(call: Call) -> Reply:
    return Reply(200, services().dashboard.roi(call.principal, call.query(RoiQuery)))


def top_performers(call: Call) -> Reply:
    query = call.query(TopQuery)
    return Reply(200, services().dashboard.top_performers(call.principal, query))


def trends(call: Call) -> Reply:
    return Reply(200, services().dashboard.trends(call.principal, call.query(TrendsQuery)))


def funnel(call: Call) -> Reply:
    return Reply(200, services().dashboard.funnel(call.principal, call.query(FunnelQuery)))


def report_pdf(call: Call) -> Reply:
    campaign_id = call.path["campaign_id"]
    report = services().campaign_reports.build(call.principal, campaign_id, call.query(CreditQuery))
    name = f"report-{campaign_id}-{report.from_day}-{report.to_day}.pdf"
    return Reply(200, Attachment(render_pdf(report), "application/pdf", name))


def report_csv(call: Call) -> Reply:
    campaign_id = call.path["campaign_id"]
    report = services().campaign_reports.build(call.principal, campaign_id, call.query(CreditQuery))
    name = f"report-{campaign_id}-{report.from_day}-{report.to_day}.csv"
    return Reply(200, Attachment(render_csv(report).encode("utf-8"), "text/csv", name))


api = HttpApi(
    "dashboard_api",
    {
        "getDashboardOverview": overview,
        "getDashboardRoi": roi,
        "getDashboardTopPerformers": top_performers,
        "getDashboardTrends": trends,
        "getDashboardFunnel": funnel,
        "getCampaignReportPdf": report_pdf,
        "getCampaignReportCsv": report_csv,
    },
)


@functions_framework.http
def dashboard_api(request: flask.Request) -> flask.Response:
    return api(request)
