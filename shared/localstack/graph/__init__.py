"""A local stand-in for the Meta Graph API (Marketing API), speaking the wire format
facebook-business 26.x uses: form or query parameters in, JSON out, errors as
`{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`.

API, under any version prefix (`/v21.0/...`; `access_token` in the query or the body):
  GET  /dialog/oauth                the login dialog (www.facebook.com's), approved at once by
                                    the sample user: 302 to redirect_uri?code=...&state=...
  GET  /oauth/access_token          client_id, client_secret, redirect_uri, code -> a short-lived
                                    user token; grant_type=fb_exchange_token, fb_exchange_token
                                    -> a long-lived one ({access_token, token_type, expires_in})
  GET  /me, /me/adaccounts          the sample user and the ad accounts it can read
  GET  /{node}                      an ad account, campaign, ad set, ad or business (`fields`);
                                    an async report run: each read advances its async_status
                                    (Job Not Started -> Job Started -> Job Running -> Job Completed)
  GET  /act_{id}/campaigns|adsets|ads, /{campaign}/adsets|ads, /{adset}/ads
  POST /{account|campaign|adset|ad}/insights    start an async report: {"report_run_id"}
  GET  /{account|campaign|adset|ad}/insights    the same rows, synchronously
  GET  /{report_run_id}/insights                a completed report's rows
Insights take fields, level, time_range ({"since", "until"}) or date_preset, time_increment
(1..90 or all_days), action_attribution_windows and use_account_attribution_setting. Edges page
with `limit` (default 25) and `after`; a page that is not the last has `paging.next` (a full URL)
and `paging.cursors.after`, which is what the SDK's Cursor follows. Every Graph response carries
x-business-use-case-usage, x-ad-account-usage and x-fb-ads-insights-throttle.

Tokens: those this server issued (short-lived ones expire after 2 hours of server clock,
long-lived ones after 60 days) and any token starting "sample-token". Codes: those the dialog
or POST /_control/codes minted (single use, 10 minutes, bound to their redirect_uri) and any
code starting "sample-code". Any non-empty client_id and client_secret are accepted unless the
server is given its app's (`--app-id`, `--app-secret`); then they must match, and an
`appsecret_proof`, when sent, must be HMAC-SHA256(app secret, token).

Data: graph_samples/ad_accounts.json (labelled sample data) holds one agency business, two ad
accounts (EUR and USD), their campaigns, ad sets and ads, and each ad's seeds. Daily rows are
rendered deterministically from the seeds, for up to 60 days before the server started and every
day since until yesterday (dates in the account's timezone, by the injectable server clock); rows
above ad level are the sums of their ads (reach is de-duplicated, as Meta's is). Meta restates
recent days: the last 3 days before today depend on a restatement counter, which
POST /_control/restate bumps (or every new query, with the `auto_restate` fault).

Control (not part of Graph's API):
  POST /_control/faults   {"throttle_next": n, "throttle_code": 4|17|613|80000..80014,
                           "regain_minutes": n, "server_error_next": n, "server_error_code": 1|2,
                           "fail_reports_next": n, "deny_dialog_next": n, "expire_tokens": bool,
                           "usage_pct": number, "auto_restate": bool}
                          (all optional; merged into the current)
  GET  /_control/faults   the current faults
  POST /_control/codes    {"redirect_uri": optional} -> {"code"}
  POST /_control/restate  -> {"restatement": n}
  GET  /_control/calls    {"calls": [{method, path, params, status}]}, every Graph call, in order
  POST /_control/reset    forget calls, reports, tokens, codes, faults and restatements

Modules: wire (errors, parameters, paging), catalog (the sample objects), query (insights
parameters), rendering (daily metrics from seeds, rows, actions), reports (insights rows, async
report runs), faults, oauth (dialog, tokens, codes), usage (headers), server (WSGI app, routing,
control).

Run as `python -m shared.localstack.graph --port 8092`.
"""

from shared.localstack.graph.catalog import Catalog, load_catalog
from shared.localstack.graph.faults import Faults
from shared.localstack.graph.server import LocalGraphApi

__all__ = ["Catalog", "Faults", "LocalGraphApi", "load_catalog"]
