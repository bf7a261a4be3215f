"""A local stand-in for the Meta Graph API (Marketing API), speaking the wire format
facebook-business 26.x uses: form or query parameters in, JSON out, errors as
`{"error": {"message", "type", "code", "error_subcode", "is_transient", "fbtrace_id"}}`.

API, under any version prefix (`/v26.0/...`, echoed in `facebook-api-version`; without one the
pinned SDK's version, `ads_api_config["API_VERSION"]`); `access_token` in the query or the body:
  GET  /dialog/oauth                the login dialog (www.facebook.com's), approved at once by
                                    the sample user: 302 to redirect_uri?code=...&state=...
                                    (`scope` is carried to the tokens)
  GET  /oauth/access_token          client_id, client_secret, redirect_uri, code -> a short-lived
                                    user token; grant_type=fb_exchange_token, fb_exchange_token
                                    -> a long-lived one ({access_token, token_type, expires_in})
  GET  /debug_token?input_token=T   {"data": {app_id, type (USER|SYSTEM_USER), application,
                                    is_valid, expires_at (0: never), data_access_expires_at,
                                    issued_at, scopes, user_id}}; an expired or unknown token is
                                    is_valid false with its error {code, message, subcode}. Takes
                                    an app token (`{app_id}|{app_secret}`) or any valid token
  GET  /me, /me/adaccounts          the sample user and the ad accounts it can read
  GET  /{leadgen_id}                a Lead Ads lead (graph_samples/leads.json): id, created_time,
                                    ad_id, adset_id, campaign_id, form_id, field_data, is_organic,
                                    platform as `fields` asks; a deleted lead is (#100)/33, a lead
                                    the token may not retrieve (#200)
  GET  /{node}                      an ad account, campaign (status, effective_status, objective,
                                    daily_budget|lifetime_budget, bid_strategy), ad set (budgets,
                                    bid_strategy, optimization_goal, billing_event), ad
                                    (creative{id,thumbnail_url}) or business (`fields`); an async
                                    report run: each read advances its async_status (Job Not
                                    Started -> Job Started -> Job Running -> Job Completed)
  GET  /act_{id}/campaigns|adsets|ads, /{campaign}/adsets|ads, /{adset}/ads
                                    live objects only, as Meta's edges: `effective_status` (a
                                    JSON list, or a `filtering` on it) may add ARCHIVED ones;
                                    deleted objects are never listed
  POST /{account|campaign|adset|ad}/insights    start an async report: {"report_run_id"}
  GET  /{account|campaign|adset|ad}/insights    the same rows, synchronously
  GET  /{report_run_id}/insights                a completed report's rows
Insights take fields (the row fields, actions, action_values, cost_per_action_type, objective,
video_p*_watched_actions), level, time_range ({"since", "until"}) or date_preset,
time_increment (1..90 or all_days), action_attribution_windows (1d_click, 7d_click, 28d_click,
1d_view, 1d_ev; 7d_view and 28d_view, which Meta stopped returning in January 2026, are taken
and never returned), use_unified_attribution_setting and use_account_attribution_setting
(accepted and, as Meta does since 2025-06-10, disregarded: each action's `value` is under its ad
set's attribution_spec, summed over ad sets, as Ads Manager shows it), action_report_time
(mixed, the default, or conversion: conversions land on the day they happen; impression and
lifetime are refused),
filtering ([{"field": "{campaign|adset|ad}.{effective_status|id}", "operator": IN|NOT_IN|
EQUAL|NOT_EQUAL, "value": [...]}]) and breakdowns (age, gender, country, publisher_platform,
platform_position, device_platform, impression_device, combined only as Meta's "Combining
Breakdowns" lists; any other combination is (#100) "Current combination of data breakdown
columns (...) is invalid"; a synchronous one starting over 13 months back omits reach and
frequency, as Meta does since 2025-06-10). Edges page with `limit` (default 25) and `after`;
a page that is not the last has `paging.next` (a full URL) and `paging.cursors.after`, which
is what the SDK's Cursor follows. Every Graph response carries x-business-use-case-usage,
x-ad-account-usage and x-fb-ads-insights-throttle.

Archived and deleted objects, as Meta treats them: insights at campaign, ad set or ad level
leave out rows of archived and deleted objects unless `filtering` on effective_status asks for
them; `/{deleted_or_archived_id}/insights` answers; account rows and rows of live parents keep
their archived and deleted children's delivery, so the account total reconciles with billing.
A stopped sample ad with `late_conversions` goes on converting for up to 28 days: rows with no
spend, only conversions (within the 7-day click window for a week, the 28-day one after).

Actions, as Ads Manager counts them: each entry has `value` (under each ad set's attribution
setting) and one key per
requested window (1d_click <= 7d_click <= 28d_click). One conversion shows under each alias
Meta reports: a pixel purchase as offsite_conversion.fb_pixel_purchase, purchase, omni_purchase
and onsite_web_purchase; leads as offsite_conversion.fb_pixel_lead (website) or
onsite_conversion.lead_grouped = leadgen_grouped (instant forms), `lead` being both;
complete_registration and offsite_conversion.fb_pixel_complete_registration;
mobile_app_install, app_install and omni_app_install; offsite_conversion.custom.<id> for
custom conversions. Rows over several days
de-duplicate reach (less than the sum of daily reach; frequency = impressions / reach).
Breakdown segments add up exactly to the unbroken row for every additive metric.

Tokens: those this server issued (short-lived ones expire after 2 hours of server clock,
long-lived ones after 60 days, System User ones never) and any token starting "sample-token"
(a user token that never expires, a stand-in convenience). Codes: those the dialog or
POST /_control/codes minted (single use, 10 minutes, bound to their redirect_uri) and any code
starting "sample-code". Any non-empty client_id and client_secret are accepted unless the server
is given its app's (`--app-id`, `--app-secret`); then they must match, and an `appsecret_proof`,
when sent, must be HMAC-SHA256(app secret, token).

Data: graph_samples/ad_accounts.json (labelled sample data) holds one agency business, two ad
accounts (EUR and USD), their campaigns (sales, leads, app installs, traffic, awareness,
engagement; one archived, one deleted, and a deleted ad), ad sets and ads, and each ad's seeds.
Daily rows are rendered deterministically from the seeds, for up to 60 days before the server
started and every day since until yesterday (dates in the account's timezone, by the server
clock); rows above ad level are the sums of their ads (reach is de-duplicated, as Meta's is).
Meta restates recent days: the last 3 days before today depend on a restatement counter, which
POST /_control/restate bumps (or every new query, with the `auto_restate` fault).

Control (not part of Graph's API):
  POST /_control/faults   all optional, merged into the current; counters count down as they fire:
      throttle_next: n, throttle_code: 4|17|613|80000..80014, regain_minutes: n
                              throttling errors with the usage headers announcing the wait
      server_error_next: n, server_error_code: 1|2
                              HTTP 500, code 1 (unknown) or 2 (temporary, is_transient)
      unknown_error_next: n, unknown_error_code: n
                              HTTP 400 with an error code the sync does not know
      gateway_error_next: n, gateway_status: 500|502|503|504
                              a proxy's HTML error page instead of Graph JSON
      gateway_echoes_request: bool
                              that page quotes the request line, query string and all
      too_much_data_over: n   a synchronous insights query spanning more than n objects x days,
                              or a report page asked with a limit over n, answers code 100,
                              subcode 1487534 "Please reduce the amount of data..." (0: off)
      fail_reports_next: n, fail_reports_level: ""|account|campaign|adset|ad
                              reports end "Job Failed" (code -2, subcode 2490547); with a level,
                              only reports at that level fail and count down
      stuck_reports_next: n   reports stay "Job Running", their percent frozen short of 100,
                              for as long as they are read (the caller must abandon them)
      deny_dialog_next: n     the login dialog answers access_denied / user_denied
      expire_tokens: bool     every token is expired (190/463)
      expire_tokens_after: n  n more authenticated calls succeed, then every token is expired
      usage_pct: number       the usage headers' level
      auto_restate: bool      every new insights query restates the recent days
  GET  /_control/faults   the current faults
  POST /_control/codes    {"redirect_uri": optional} -> {"code"}
  POST /_control/system_user_token  {"scopes": optional} -> {"access_token", "token_type"}
  POST /_control/clock    {"offset_hours": n}: run the server clock n hours ahead (0 puts it
                          back): tokens age, and "today" moves on; GET tells now and offset
  POST /_control/restate  -> {"restatement": n}
  GET  /_control/calls    {"calls": [{method, path, params, in_url, status}]}, every Graph
                          call in order; in_url names the params that came in the URL
  POST /_control/reset    forget calls, reports, tokens, codes, faults, restatements, clock offset

Modules: wire (errors, parameters, paging), catalog (the sample objects, effective statuses),
query (insights parameters), actions (action types, aliases, windows, costs), breakdowns,
rendering (daily metrics from seeds, rows), insights (which ads a query covers, its rows),
reports (async report runs), faults, oauth (dialog, tokens, codes, debug_token), usage
(headers), server (WSGI app, routing, control).

Run as `python -m shared.localstack.graph --port 8092`.
"""

from shared.localstack.graph.catalog import Catalog, load_catalog
from shared.localstack.graph.faults import Faults
from shared.localstack.graph.server import LocalGraphApi

__all__ = ["Catalog", "Faults", "LocalGraphApi", "load_catalog"]
