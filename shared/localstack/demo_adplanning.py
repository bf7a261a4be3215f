"""The ad-planning part of the demo: a site and its publishable key, tracked visits from a
creator's tracking link and from the synced Meta campaign (some visitors come back through a
second channel), purchases, the daily attribution job and every model side by side, a backtested
forecast scored against what happened and a forward one, the dashboard's overview, and the
campaign report written to files the demo names."""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from shared.localstack.demo_http import expect, expect_status
from shared.localstack.demo_paid import SAMPLE_CAMPAIGN
from shared.localstack.identities import SCHEDULER
from shared.localstack.stack import StackInfo

SHOP = "https://shop.acme-outdoor.example"
FBCLID = "IwAR0demo20261010"
"""The click id Meta appends to an ad's link (a sample value)."""
PRICES = ("59.90", "89.00", "119.00", "149.00", "189.00")
CHECKOUT = ("add_to_cart", "begin_checkout", "purchase")
JOURNEYS: tuple[tuple[str, tuple[tuple[str, int, tuple[str, ...]], ...]], ...] = (
    # visitor, its sessions: (landing channel, hours ago, what the visitor did after landing)
    ("anna-fan-1", (("creator", 40, CHECKOUT),)),
    ("anna-fan-2", (("creator", 30, ("add_to_cart",)), ("paid", 6, CHECKOUT))),
    ("anna-fan-3", (("creator", 20, ()),)),
    ("anna-fan-4", (("creator", 12, CHECKOUT),)),
    ("meta-click-1", (("paid", 44, CHECKOUT),)),
    ("meta-click-2", (("paid", 26, ("add_to_cart", "begin_checkout")),)),
    ("meta-click-3", (("paid", 36, ()), ("direct", 3, CHECKOUT))),
    ("meta-click-4", (("paid", 8, ()), ("creator", 2, CHECKOUT))),
    ("direct-1", (("direct", 10, CHECKOUT),)),
)
MODELS = ("last_click", "first_click", "linear", "time_decay", "position_based", "data_driven")
SLOW = 180.0
"""Seconds allowed to the calls that fit models or draw charts (the first call of an instance
also imports statsmodels or matplotlib)."""


def _say(line: str = "") -> None:
    print(line, flush=True)


def _eur(micros: float | None) -> str:
    return "n/a" if micros is None else f"{micros / 1e6:,.2f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def run_adplanning_flow(
    api: httpx.Client,
    info: StackInfo,
    *,
    brand_id: str,
    campaign_id: str,
    state_dir: Path,
) -> dict[str, Any]:
    """Steps 16-21, after the paid flow: everything over the gateway with the demo's OWNER key
    (the intake with the site key, as a browser), the daily job as Cloud Scheduler calls it."""
    now = datetime.now(UTC)
    site = expect(
        api.post(
            "/sites",
            json={"name": "Acme Outdoor shop", "brand_id": brand_id, "allowed_origins": [SHOP]},
        ),
        201,
    )
    _say(
        f"16. site {site['name']} ({site['site_id']}) for {SHOP}; publishable key "
        f"…{site['site_key_hint']} (it can only write this site's events, from its origins)"
    )
    allocations = expect(api.get(f"/campaigns/{campaign_id}/allocations"), 200)["items"]
    anna = next(a for a in allocations if a["username"] == "trail.anna")
    events = _journey_events(now, anna["tracking_query"])
    receipts = [_send(info, site["site_key"], events) for _ in range(2)]
    purchases = [e for e in events if e["type"] == "purchase"]
    _say(
        f"17. tracked visits: {len(JOURNEYS)} visitors, {len(events)} events over the last 48 h "
        f"(POST /v1/track/events with X-Site-Key and Origin {SHOP}):"
    )
    _say(f"     creator link: {SHOP}/?{anna['tracking_query']} (@{anna['username']})")
    _say(
        f"     paid: {SHOP}/?utm_source=facebook&utm_medium=paid_social&utm_campaign="
        f"{SAMPLE_CAMPAIGN}&fbclid=… (the synced Meta campaign); direct: no campaign at all"
    )
    _say(
        f"     {len(purchases)} purchases, EUR "
        f"{sum(float(e['value']) for e in purchases):,.2f}; {_returning()} visitors came back "
        "through a second channel (multi-touch)"
    )
    first, again = receipts
    _say(
        f"     accepted {first['accepted']}, duplicates {first['duplicates']}, rejected "
        f"{len(first['rejected'])}; the same batch resent: accepted {again['accepted']}, "
        f"duplicates {again['duplicates']} (event ids and order ids make a resend a no-op)"
    )
    compare = _attribution(api, info, now.date())
    forecasts = _forecasts(api, campaign_id, now.date())
    overview = _overview(api, now.date())
    files = _reports(api, campaign_id, now.date(), state_dir)
    return {
        "site_id": site["site_id"],
        "events_accepted": first["accepted"],
        "events_resent_duplicates": again["duplicates"],
        "purchases": len(purchases),
        "attributed_purchases": compare,
        **forecasts,
        "overview_conversions": overview["total"]["conversions"],
        **files,
    }


def _returning() -> int:
    return sum(len({channel for channel, _, _ in sessions}) > 1 for _, sessions in JOURNEYS)


def _journey_events(now: datetime, creator_query: str) -> list[dict[str, Any]]:
    """JOURNEYS as tracking events: ids and order values derived from the visitor and session,
    so every run sends the same batch (its times relative to now)."""
    landings = {
        "creator": f"{SHOP}/?{creator_query}",
        "paid": f"{SHOP}/?utm_source=facebook&utm_medium=paid_social"
        f"&utm_campaign={SAMPLE_CAMPAIGN}&fbclid={FBCLID}",
        "direct": f"{SHOP}/",
    }
    events = []
    for visitor, sessions in JOURNEYS:
        for number, (channel, hours_ago, steps) in enumerate(sessions, start=1):
            session = f"{visitor}-s{number}"
            landed = now - timedelta(hours=hours_ago)
            base = {"visitor_id": visitor, "session_id": session}
            events.append(
                {
                    **base,
                    "type": "page_view",
                    "event_id": f"{session}-landing",
                    "occurred_at": landed.isoformat(),
                    "url": landings[channel],
                }
            )
            value = PRICES[zlib.crc32(session.encode()) % len(PRICES)]
            for minute, step in enumerate(steps, start=1):
                money = {"value": value, "currency": "EUR"}
                order = {"order_id": f"order-{session}"} if step == "purchase" else {}
                events.append(
                    {
                        **base,
                        **money,
                        **order,
                        "type": step,
                        "event_id": f"{session}-{step}",
                        "occurred_at": (landed + timedelta(minutes=3 * minute)).isoformat(),
                    }
                )
    return events


def _send(info: StackInfo, site_key: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """The public intake, as a browser calls it: the site key and the page's Origin, no API key."""
    return expect(
        httpx.post(
            f"{info.api_base_url}/v1/track/events",
            json={"events": events},
            headers={"X-Site-Key": site_key, "Origin": SHOP},
            timeout=60,
        ),
        202,
    )


def _attribution(api: httpx.Client, info: StackInfo, today: date) -> float:
    job = expect(
        httpx.post(
            f"{info.functions_base_url}/attribution_resolve",
            json={"schedule": "resolve-attribution"},
            headers=info.invoker_headers(SCHEDULER, "attribution_resolve"),
            timeout=SLOW,
        ),
        200,
    )
    _say(
        f"18. attribution job (Cloud Scheduler, daily): {job['sessions_resolved']} sessions "
        f"resolved to a campaign, {job['sessions_unresolved']} without one (direct visits)"
    )
    names = {c["campaign_id"]: c["name"] for c in expect(api.get("/campaigns"), 200)["items"]}
    span = {"from": (today - timedelta(days=2)).isoformat(), "to": today.isoformat()}
    total = 0.0
    for by in ("campaign", "channel"):
        compared = expect(
            api.get(
                "/attribution/compare",
                params={**span, "by": by, "event_type": "purchase"},
                timeout=SLOW,
            ),
            200,
        )
        models = {m["model"]: m for m in compared["models"]}
        column = "campaign_id" if by == "campaign" else by
        _say(
            f"    purchases credited by {by}, every model side by side "
            f"({span['from']} to {span['to']}; conversions / EUR value):"
        )
        _say(f"      {by:<22}" + "".join(f"{m:>16}" for m in MODELS))
        for key in _row_keys(models.values(), column):
            cells = [_cell(models[m], column, key) for m in MODELS]
            label = names.get(key, key) if by == "campaign" else key
            _say(
                f"      {(label or '(no ReachOps campaign)')[:22]:<22}"
                + "".join(f"{c:>16}" for c in cells)
            )
        totals = [f"{models[m]['total_conversions']:.2f}" for m in MODELS]
        _say(f"      {'total purchases':<22}" + "".join(f"{t:>16}" for t in totals))
        total = models["last_click"]["total_conversions"]
    return float(total)


def _row_keys(models: Any, column: str) -> list[str | None]:
    keys: list[str | None] = []
    for model in models:
        for row in model["rows"]:
            if row[column] not in keys:
                keys.append(row[column])
    return sorted(keys, key=lambda k: (k is None, k or ""))


def _cell(model: dict[str, Any], column: str, key: str | None) -> str:
    rows = [r for r in model["rows"] if r[column] == key]
    conversions = sum(r["conversions"] for r in rows)
    value = sum(r["value_micros"] or 0 for r in rows)
    return f"{conversions:.2f} / {value / 1e6:,.2f}"


def _forecasts(api: httpx.Client, campaign_id: str, today: date) -> dict[str, Any]:
    as_of = today - timedelta(days=14)
    backtest = expect(
        api.post(
            "/forecasts/generate",
            json={
                "campaign_id": campaign_id,
                "metrics": ["spend"],
                "horizon_days": 14,
                "as_of": as_of.isoformat(),
            },
            timeout=SLOW,
        ),
        201,
    )
    (spend,) = backtest["metrics"]
    _say(
        f"19. forecast with its accuracy: a backtest of the campaign's daily spend made 'as of' "
        f"{as_of} (history {backtest['history_start']} to {backtest['history_end']}, "
        f"{spend['history_days']} days with the paid sync's look-back; method {spend['method']}),"
        f" 14 days, {backtest['level']:.0%} interval: total EUR {_total(spend)}"
    )
    accuracy = expect(
        api.get("/forecasts/accuracy", params={"campaign_id": campaign_id, "metric": "spend"}),
        200,
    )
    scored = next(
        (i for i in accuracy["items"] if i["forecast_id"] == backtest["forecast_id"]), None
    )
    if scored is None:
        _say("    accuracy: no complete day scored yet")
    else:
        mape = _pct(scored["mape"])
        if scored["mape"] is None:
            mape += f" (null because {scored['mape_reason']})"
        _say(
            f"    scored against what happened on its {scored['n_days']} complete days: "
            f"MAPE {mape}, sMAPE {_pct(scored['smape'])}, interval coverage "
            f"{_pct(None if scored['coverage'] is None else scored['coverage'] * 100)} vs "
            f"nominal {scored['nominal_level']:.0%}"
        )
    forward = expect(
        api.post(
            "/forecasts/generate",
            json={"campaign_id": campaign_id, "horizon_days": 28},
            timeout=SLOW,
        ),
        201,
    )
    _say(f"    forward forecast from today, 28 days ({forward['level']:.0%} interval):")
    for metric in forward["metrics"]:
        money = metric["currency"] is not None
        unit = f"{metric['currency']} " if money else ""
        figure = _total(metric) if money else _count_total(metric)
        why = f" (null because {metric['reason']})" if metric["reason"] else ""
        _say(f"      {metric['metric']:<12} {unit}{figure}{why}")
    return {
        "backtest_smape": None if scored is None else scored["smape"],
        "backtest_coverage": None if scored is None else scored["coverage"],
        "forward_forecast_id": forward["forecast_id"],
    }


def _total(metric: dict[str, Any]) -> str:
    if metric["total"] is None:
        return "n/a"
    return (
        f"{_eur(metric['total'])} ({_eur(metric['total_lower'])} to {_eur(metric['total_upper'])})"
    )


def _count_total(metric: dict[str, Any]) -> str:
    if metric["total"] is None:
        return "n/a"
    return f"{metric['total']:,.1f} ({metric['total_lower']:,.1f} to {metric['total_upper']:,.1f})"


def _overview(api: httpx.Client, today: date) -> dict[str, Any]:
    span = {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}
    overview = expect(api.get("/dashboard/overview", params=span, timeout=SLOW), 200)
    _say(
        f"20. dashboard overview {overview['from_day']} to {overview['to_day']} (creator and paid "
        f"together; results are purchases and leads under the {overview['model']} model):"
    )
    for group in [overview["total"], *overview["channels"]]:
        label = "total" if group is overview["total"] else group["key"] or "(none)"
        conversions = "n/a" if group["conversions"] is None else f"{group['conversions']:,.2f}"
        _say(f"      {label:<15} conversions {conversions}")
        for money in group["money"]:
            roas = "n/a" if money["roas"] is None else f"{money['roas']:.2f}"
            cpa = "n/a" if money["cpa"] is None else f"{money['cpa']:,.2f}"
            _say(
                f"        {money['currency']}: spend {_eur(money['spend_micros'])}, revenue "
                f"{_eur(money['conversion_value_micros'])}, ROAS {roas}, CPA {cpa}"
            )
            for name, why in sorted(money["unknown"].items()):
                if name in ("roas", "cpa", "spend_micros", "conversion_value_micros"):
                    _say(f"          {name} is null: {why}")
    return overview


def _reports(api: httpx.Client, campaign_id: str, today: date, state_dir: Path) -> dict[str, Any]:
    span = {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}
    folder = state_dir.resolve() / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Any] = {}
    lines = 0
    for kind in ("pdf", "csv"):
        answer = expect_status(
            api.get(f"/campaigns/{campaign_id}/report.{kind}", params=span, timeout=SLOW), 200
        )
        path = folder / f"campaign-{campaign_id}.{kind}"
        path.write_bytes(answer.content)
        written[f"report_{kind}"] = str(path)
        written[f"report_{kind}_bytes"] = len(answer.content)
        lines = answer.content.count(b"\n")
    _say(
        f"21. campaign report ({span['from']} to {span['to']}): charts of spend and results over "
        "time, creator posts, paid KPIs, attribution by model and the funnel"
    )
    _say(f"     PDF written to {written['report_pdf']} ({written['report_pdf_bytes']:,} bytes)")
    _say(
        f"     CSV written to {written['report_csv']} ({written['report_csv_bytes']:,} bytes, "
        f"{lines} lines: the same tables)"
    )
    return written
