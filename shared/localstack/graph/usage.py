"""The usage headers every Graph answer carries (x-business-use-case-usage,
x-ad-account-usage, x-fb-ads-insights-throttle): the injected usage level, or full with the
announced regain time when the call was throttled."""

from __future__ import annotations

import json

from shared.localstack.graph.wire import number, trace_id

ACCESS_TIER = "standard_access"


def usage_headers(
    business_id: str, *, insights: bool, pct: float, throttled_for: float | None
) -> dict[str, str]:
    full = throttled_for is not None
    regain = throttled_for or 0
    call_pct = 100 if full else pct
    buc = {
        business_id: [
            {
                "type": "ads_insights" if insights else "ads_management",
                "call_count": number(call_pct),
                "total_cputime": number(pct / 2),
                "total_time": number(pct / 2),
                "estimated_time_to_regain_access": number(regain),
                "ads_api_access_tier": ACCESS_TIER,
            }
        ]
    }
    account_usage = {
        "acc_id_util_pct": number(call_pct),
        "reset_time_duration": number(regain * 60),
        "ads_api_access_tier": ACCESS_TIER,
    }
    throttle = {
        "app_id_util_pct": number(call_pct),
        "acc_id_util_pct": number(call_pct),
        "ads_api_access_tier": ACCESS_TIER,
    }
    return {
        "x-business-use-case-usage": json.dumps(buc),
        "x-ad-account-usage": json.dumps(account_usage),
        "x-fb-ads-insights-throttle": json.dumps(throttle),
        "x-fb-trace-id": trace_id(),
    }
