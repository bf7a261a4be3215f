"""A local stand-in for the Apify API v2, speaking the wire format apify-client 3.x uses.

API (Bearer token or `?token=`; any non-empty token unless one is configured). apify-client
3.x says /v2/actors/...; the older /v2/acts/... spelling is served too:
  POST /v2/actors/{actor}/runs        start a run: body = run input (JSON, maybe gzip-encoded);
                                      query webhooks (base64 JSON), timeout, memory, maxItems,
                                      maxTotalChargeUsd, waitForFinish (seconds, at most 60)
  GET  /v2/actors/{actor}             the actor, with its pricingInfos history
  GET  /v2/actor-runs/{run}           the run; honours waitForFinish. Its cost fields:
                                      usageTotalUsd, usage + usageUsd (pay-per-usage runs),
                                      pricingInfo (the record in force when the run started),
                                      chargedEventCounts (pay-per-event runs)
  POST /v2/actor-runs/{run}/abort
  GET  /v2/datasets/{dataset}/items   offset, limit, desc, clean, skipEmpty, skipHidden, fields,
                                      omit; X-Apify-Pagination-* headers
  GET  /v2/actor-runs/{run}/dataset/items
  GET  /v2/actor-runs/{run}/log       plain text (also /v2/logs/{run})
`{actor}` is `user~name`, `user/name` URL-encoded, or the actor id. Errors have Apify's body
`{"error": {"type", "message"}}`.

Actors and the inputs they take (`actors.ACTORS`):
  apify/instagram-scraper          directUrls: profile URLs and post URLs (/p/{shortCode}/,
                                   /reel/{shortCode}/), mixed; resultsLimit (per profile),
                                   onlyPostsNewerThan
  apify/instagram-profile-scraper  usernames
  clockworks/tiktok-scraper        profiles and/or postURLs (/@user/video/{id});
                                   resultsPerPage, oldestPostDateUnified
  streamers/youtube-scraper        startUrls: channel URLs (/@handle) and video URLs
                                   (watch?v={id}, shorts/{id}), mixed; maxResults (videos),
                                   maxResultsShorts and maxResultStreams, each on its own (an
                                   absent limit scrapes none of that kind, except maxResults,
                                   which is unlimited when absent)
  apify/instagram-scraper          resultsType "comments": directUrls of posts; resultsLimit
                                   (comments per post)
  clockworks/tiktok-comments-scraper  postURLs; commentsPerPost (labelled sample comments in
                                   comments.py: positive, negative, toxic, emoji-only...)

Runs go READY -> RUNNING -> SUCCEEDED (or the injected FAILED / TIMED-OUT) in a background
thread after `run_delay_seconds`, then each ad-hoc webhook whose eventTypes match gets Apify's
default payload ({userId, createdAt, eventType, eventData: {actorId, actorRunId}, resource: the
run}) or its rendered payloadTemplate. A non-2xx answer is retried a few times with short
backoff (the real service retries for about 32 hours). A TIMED-OUT run keeps half its items, a
FAILED or ABORTED one none.

Every requested account is rendered from the labelled sample files in apify_samples/
(`rendering`): ids are deterministic per (account, item index), each post has a fixed publish
time and counts that grow with its age on the server's clock (`growth`), and a post URL returns
the same item the profile scrape renders for that post. The samples carry the awkward variants
the actors emit: Instagram's no_items error item for a missing or private profile (the profile
scraper keeps a private profile's counts; it, TikTok and YouTube push nothing for a missing
account), not-found items for unknown or deleted post URLs, Instagram collab posts (owned by
the brand, the creator in coauthorProducers), pinned posts, carousels, reels, hidden likes
(-1), isSponsored apart from paidPartnership; TikTok isAd and isSponsored, pinned videos and
slideshows; YouTube Shorts, streams and items without channelUsername. Date filters leak one
older post, as the real actors are known to, so callers must filter too. Prices are
illustrative (`pricing`).

Control (not part of Apify's API):
  POST /_control/faults    {"rate_limit_next": n, "server_error_next": n, "fail_next_runs": n,
                            "timeout_next_runs": n, "duplicate_webhooks": bool,
                            "malformed_items_per_run": n}   (all optional; merged)
  GET  /_control/faults    the current faults
  POST /_control/profiles  {"missing": [handle], "private": [handle], "renamed": {old: new},
                            "deleted": [post URL, shortCode or video id]}   (merged); handles
                            starting with missing_ or private_ are missing or private anyway
  GET  /_control/profiles  the current account control
  GET  /_control/runs      {"runs": [{id, actId, actor, input, status, startedAt,
                            webhookDispatches}]}
  POST /_control/clock     {"offset_hours": n}: run the server's clock n hours ahead (0 puts
                           it back), so a test sees the next pass measure older, grown posts;
                           GET tells the server's time and offset
  POST /_control/reset     forget runs, datasets, faults, account control and the accounts
                           scraped so far (posts of other accounts are then unknown by URL)

Run as `python -m shared.localstack.apify --port 8091`.
"""

from shared.localstack.apify.actors import ACTORS, ActorSpec
from shared.localstack.apify.catalog import World
from shared.localstack.apify.pricing import EVENT_PRICE_HISTORY
from shared.localstack.apify.rendering import render_items
from shared.localstack.apify.runs import Faults
from shared.localstack.apify.server import LocalApifyServer

__all__ = [
    "ACTORS",
    "EVENT_PRICE_HISTORY",
    "ActorSpec",
    "Faults",
    "LocalApifyServer",
    "World",
    "render_items",
]
