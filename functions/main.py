"""The deployable entry points. Every Cloud Function is built from this one source bundle;
terraform sets each function's entry_point to one of these names."""

import gc

import functions_framework
from ad_accounts_api import ad_accounts_api
from ad_token_check import ad_token_check
from alert_feed import alert_feed
from apify_webhook import apify_webhook
from attribution_api import attribution_api
from attribution_resolve import attribution_resolve
from campaign_activity import campaign_activity
from campaigns_api import campaigns_api
from comment_sentiment import comment_sentiment
from conversions_api import conversions_api
from creator_matching import creator_matching
from creators_api import creators_api
from customers_api import customers_api
from dashboard_api import dashboard_api
from experiment_assign import experiment_assign
from experiments_api import experiments_api
from experiments_hourly import experiments_hourly
from feedback_api import feedback_api
from forecasts_api import forecasts_api
from forecasts_weekly import forecasts_weekly
from goals_api import goals_api
from insights_schedule import insights_schedule
from insights_sync import insights_sync
from lead_fetch import lead_fetch
from meta_leads_webhook import meta_leads_webhook
from meta_oauth_callback import meta_oauth_callback
from metrics_rollup import metrics_rollup
from org_api import org_api
from org_purge import org_purge
from outbox_relay import outbox_relay
from people_api import people_api
from post_detection import post_detection
from scores_api import scores_api
from scores_daily import scores_daily
from scores_weekly import scores_weekly
from scrape_ingest import scrape_ingest
from scrape_monitor import scrape_monitor
from scrape_runner import scrape_runner
from segments_api import segments_api
from segments_daily import segments_daily
from sentiment_api import sentiment_api
from sentiment_batch import sentiment_batch
from sentiment_bulk import sentiment_bulk
from sentiment_events import sentiment_events
from token_vault import token_vault
from track_api import track_api

from shared.http.routing import unroutable_path

__all__ = [
    "ad_accounts_api",
    "ad_token_check",
    "alert_feed",
    "apify_webhook",
    "attribution_api",
    "attribution_resolve",
    "campaign_activity",
    "campaigns_api",
    "comment_sentiment",
    "conversions_api",
    "creator_matching",
    "creators_api",
    "customers_api",
    "dashboard_api",
    "experiment_assign",
    "experiments_api",
    "experiments_hourly",
    "feedback_api",
    "forecasts_api",
    "forecasts_weekly",
    "goals_api",
    "insights_schedule",
    "insights_sync",
    "lead_fetch",
    "meta_leads_webhook",
    "meta_oauth_callback",
    "metrics_rollup",
    "org_api",
    "org_purge",
    "outbox_relay",
    "people_api",
    "post_detection",
    "scores_api",
    "scores_daily",
    "scores_weekly",
    "scrape_ingest",
    "scrape_monitor",
    "scrape_runner",
    "segments_api",
    "segments_daily",
    "sentiment_api",
    "sentiment_batch",
    "sentiment_bulk",
    "sentiment_events",
    "token_vault",
    "track_api",
]

# A path functions-framework cannot route (a newline in an id) is a JSON 404 like any other.
functions_framework.errorhandler(404)(unroutable_path)

# Everything imported so far lives as long as the instance: move it out of the collector's
# generations, so a full collection under load no longer walks every module and pydantic
# model (it was the tracking intake's p99: ~185 ms pauses; see scripts/bench/track_intake.py).
gc.freeze()
