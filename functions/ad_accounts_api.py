"""HTTP entry point: ad accounts, paid insights (CSV), alerts, pacing, forecasts and advice."""

from __future__ import annotations

from datetime import UTC, datetime

import flask
import functions_framework
from pydantic import Field
from pydantic_core import to_jsonable_python

from shared.adaccounts.alerts import AlertQuery
from shared.adaccounts.breakdowns import BreakdownQuery
from shared.adaccounts.links import PaidCampaignSettings
from shared.adaccounts.models import AdAccountList, AdAccountUpdate, ConnectRequest
from shared.adaccounts.tokens import SystemUserConnect
from shared.auth import Permission
from shared.bootstrap import services
from shared.errors import ValidationFailed
from shared.http.api import Call, HttpApi, Reply
from shared.model_base import QueryModel
from shared.paid import save_insights
from shared.paid.creator_campaigns import PaidCampaignsQuery
from shared.paid.csv_import import parse_insights_csv
from shared.paid.kpi_table import KpiQuery

MAX_CSV_BYTES = 10 * 1024 * 1024


class AdviceQuery(QueryModel):
    total_daily_budget_micros: int | None = Field(default=None, gt=0)
    allow_extrapolation: bool = False


def connect(call: Call) -> Reply:
    return Reply(201, services().ad_accounts.connect(call.principal, call.body(ConnectRequest)))


def connect_system_user(call: Call) -> Reply:
    """The token goes to the token_vault function; this answers the outcome it records."""
    outcome = services().token_handoff.system_user(call.principal, call.body(SystemUserConnect))
    if outcome.status == "connected":
        return Reply(201, AdAccountList.model_validate({"items": outcome.accounts}))
    if outcome.error is not None:
        return Reply(outcome.http_status or 502, outcome.error)
    return Reply(202, {"status": "pending", "message": "still connecting; list /ad-accounts"})


def breakdowns(call: Call) -> Reply:
    query = call.query(BreakdownQuery)
    account_id = call.path["account_id"]
    return Reply(200, services().paid_breakdowns.table(call.principal, account_id, query))


def list_accounts(call: Call) -> Reply:
    return Reply(200, AdAccountList(items=services().ad_accounts.accounts(call.principal)))


def update_account(call: Call) -> Reply:
    patch = call.body(AdAccountUpdate)
    account_id = call.path["account_id"]
    return Reply(200, services().ad_accounts.update(call.principal, account_id, patch))


def sync_account(call: Call) -> Reply:
    return Reply(202, services().ad_accounts.request_sync(call.principal, call.path["account_id"]))


def kpi_table(call: Call) -> Reply:
    query = call.query(KpiQuery)
    return Reply(200, services().kpi_tables.table(call.principal, call.path["account_id"], query))


def configure_paid_campaign(call: Call) -> Reply:
    settings = call.body(PaidCampaignSettings)
    path = call.path
    configured = services().paid_links.configure(
        call.principal, path["account_id"], path["paid_campaign_id"], settings
    )
    return Reply(200, configured)


def upload_csv(call: Call) -> Reply:
    call.principal.require(Permission.WRITE_CAMPAIGNS)
    text = call.text("text/csv", MAX_CSV_BYTES)
    parsed = parse_insights_csv(text, org_id=call.principal.org_id, synced_at=datetime.now(UTC))
    if not parsed.rows and parsed.rejected and parsed.rejected[0].line == 1:
        raise ValidationFailed(f"header: {parsed.rejected[0].reason}", field="header")
    save_insights(services().warehouse, parsed.rows)
    rejected = [{"line": r.line, "reason": r.reason, "errors": r.errors} for r in parsed.rejected]
    return Reply(200, to_jsonable_python({"loaded": len(parsed.rows), "rejected": rejected}))


def list_alerts(call: Call) -> Reply:
    return Reply(200, services().spend_alerts.feed(call.principal, call.query(AlertQuery)))


def pacing(call: Call) -> Reply:
    result = services().paid_planning.pacing(call.principal, call.path["campaign_id"])
    return Reply(200, to_jsonable_python(result))


def forecast(call: Call) -> Reply:
    result = services().forecasts.flight(call.principal, call.path["campaign_id"])
    return Reply(200, to_jsonable_python(result))


def recommendation(call: Call) -> Reply:
    query = call.query(AdviceQuery)
    result = services().paid_planning.recommendation(
        call.principal,
        call.path["campaign_id"],
        query.total_daily_budget_micros,
        query.allow_extrapolation,
    )
    return Reply(200, result)


def creator_paid_campaigns(call: Call) -> Reply:
    query = call.query(PaidCampaignsQuery)
    result = services().creator_paid_campaigns.get(
        call.principal, call.path["creator_id"], query.refresh
    )
    return Reply(200, result)


api = HttpApi(
    "ad_accounts_api",
    {
        "connectAdAccounts": connect,
        "connectSystemUser": connect_system_user,
        "getAdAccountBreakdowns": breakdowns,
        "listAdAccounts": list_accounts,
        "updateAdAccount": update_account,
        "syncAdAccount": sync_account,
        "getAdAccountKpis": kpi_table,
        "configurePaidCampaign": configure_paid_campaign,
        "uploadAdInsightsCsv": upload_csv,
        "listAlerts": list_alerts,
        "getCampaignPacing": pacing,
        "getCampaignForecast": forecast,
        "getBudgetRecommendation": recommendation,
        "listCreatorPaidCampaigns": creator_paid_campaigns,
    },
)


@functions_framework.http
def ad_accounts_api(request: flask.Request) -> flask.Response:
    return api(request)
