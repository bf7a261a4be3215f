"""The paid half of the demo: a sample Meta ad account connected through OAuth, synced, and
turned into a KPI table, an alert, a pacing line and budget advice."""

from __future__ import annotations

import time
from typing import Any

import httpx

SAMPLE_ACCOUNT = "100000000000101"
SAMPLE_CAMPAIGN = "120210000000001100"
SAMPLE_VIDEO = "120210000000001300"
WAIT_SECONDS = 120


def _say(line: str = "") -> None:
    print(line, flush=True)


def _eur(micros: float | None) -> str:
    return "n/a" if micros is None else f"{micros / 1e6:,.2f}"


def _kpi(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def run_paid_flow(api: httpx.Client, campaign_id: str, creator_id: str) -> dict[str, Any]:
    start = api.post("/ad-accounts/connect", json={}).json()
    landed = httpx.get(start["authorize_url"], follow_redirects=True, timeout=60).json()
    _say(
        "11. Meta ad accounts connected through OAuth (local Graph API stand-in, SAMPLE data;"
        " the long-lived token is vaulted, never returned):"
    )
    for account in landed["connected"]:
        _say(f"     - {account['name']} ({account['account_id']}, {account['currency']})")
    api.put(
        f"/ad-accounts/{SAMPLE_ACCOUNT}/campaigns/{SAMPLE_CAMPAIGN}",
        json={"reachops_campaign_id": campaign_id, "creator_id": creator_id},
    )
    api.put(
        f"/ad-accounts/{SAMPLE_ACCOUNT}/campaigns/{SAMPLE_VIDEO}",
        json={"reachops_campaign_id": campaign_id},
    )
    api.patch(f"/ad-accounts/{SAMPLE_ACCOUNT}", json={"monthly_spend_limit_micros": 500_000_000})
    api.post(f"/ad-accounts/{SAMPLE_ACCOUNT}/sync")
    account = _wait_synced(api)
    _say(
        f"12. insight sync {account['sync_status']} (campaign, ad set and ad level, "
        f"{account['lookback_days']}-day look-back, {'+'.join(account['attribution_windows'])})"
    )

    table = api.get(f"/ad-accounts/{SAMPLE_ACCOUNT}/kpis").json()
    _say(
        f"    KPI table {table['since']} to {table['until']} (EUR; conversions under the "
        f"{table['attribution_window']} window: {table['attribution_window_meaning']};"
        " reach de-duplicated over the range by Meta):"
    )
    _say(
        "      campaign                         spend      CPM    CPC    CTR    CPA   ROAS"
        "    CPE    reach  freq"
    )
    for row in table["items"]:
        k = row["kpis"]
        ctr = "n/a" if k["ctr"] is None else f"{k['ctr'] * 100:.2f}%"
        name = (row["campaign_name"] or row["campaign_id"])[:30]
        reach = "n/a" if row["reach"] is None else f"{row['reach']:,}"
        _say(
            f"      {name:<30} {_eur(row['spend_micros']):>9}"
            f" {_kpi(k['cpm']):>7} {_kpi(k['cpc']):>6} {ctr:>6} {_kpi(k['cpa']):>6}"
            f" {_kpi(k['roas']):>6} {_kpi(k['cpe'], 3):>6} {reach:>8} {_kpi(row['frequency']):>5}"
        )
    alerts = _wait_alerts(api)
    for alert in alerts:
        _say(f"13. alert: {alert['message']}")

    pacing = api.get(f"/campaigns/{campaign_id}/pacing").json()["pacing"]
    pct = pacing["pacing_pct"]
    _say(
        f"14. pacing: spent {_eur(pacing['spend_to_date_micros'])} of "
        f"{_eur(pacing['budget_micros'])} with {pacing['elapsed_days']}/{pacing['flight_days']} "
        f"days gone: pacing {_kpi(None if pct is None else pct * 100, 0)}%, projected "
        f"{_eur(pacing['projected_end_spend_micros'])}, needs {_eur(pacing['daily_needed_micros'])}"
        f"/day{' (over-pacing)' if pacing['over_pacing'] else ''}"
        f"{' (under-pacing)' if pacing['under_pacing'] else ''}"
    )
    advice = api.get(f"/campaigns/{campaign_id}/budget/recommendation").json()
    plan = advice["advice"]
    _say(
        f"15. budget advice: re-split {_eur(advice['total_daily_budget_micros'])}/day across the "
        f"linked campaigns to maximise {advice['goal_metric']} ({plan['status']}):"
    )
    for channel in plan.get("channels", []):
        bound = f", at its {channel['at_bound']} bound" if channel.get("at_bound") else ""
        extrapolating = " (extrapolating)" if channel["extrapolating"] else ""
        _say(
            f"     - {channel['channel']}: {_eur(channel['current_daily_micros'])} -> "
            f"{_eur(channel['recommended_daily_micros'])}/day; marginal {advice['goal_metric']} "
            f"per EUR {channel['marginal_return_before']:.2f} -> "
            f"{channel['marginal_return_after']:.2f}{bound}{extrapolating}; "
            f"confidence {channel['confidence']}"
        )
    interval = plan.get("expected_goal_interval")
    if plan.get("expected_goal") is not None and interval:
        _say(
            f"     expected {plan['expected_goal']:,.0f} {advice['goal_metric']}/day "
            f"(interval {interval['low']:,.0f} to {interval['high']:,.0f}), "
            f"confidence {plan['confidence']}"
        )
    for skipped in plan.get("excluded", []):
        _say(f"     - {skipped['channel']}: {skipped['reason']}")
    if plan.get("reason"):
        _say(f"     {plan['reason']}")
    return {
        "ad_accounts": len(landed["connected"]),
        "kpi_rows": len(table["items"]),
        "alerts": len(alerts),
        "pacing_status": pacing["status"],
        "advice_status": plan["status"],
    }


def _wait_synced(api: httpx.Client) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        accounts = {a["account_id"]: a for a in api.get("/ad-accounts").json()["items"]}
        account: dict[str, Any] = accounts[SAMPLE_ACCOUNT]
        if account["sync_status"] in ("succeeded", "failed"):
            return account
        time.sleep(0.5)
    raise RuntimeError("the insight sync did not finish")


def _wait_alerts(api: httpx.Client) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        items: list[dict[str, Any]] = api.get("/alerts").json()["items"]
        if items:
            return items
        time.sleep(0.5)
    return []
