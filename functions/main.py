"""The deployable entry points. Every Cloud Function is built from this one source bundle;
terraform sets each function's entry_point to one of these names."""

from apify_webhook import apify_webhook
from campaign_activity import campaign_activity
from campaigns_api import campaigns_api
from creator_matching import creator_matching
from creators_api import creators_api
from metrics_rollup import metrics_rollup
from org_api import org_api
from post_detection import post_detection
from scrape_ingest import scrape_ingest
from scrape_monitor import scrape_monitor
from scrape_runner import scrape_runner

__all__ = [
    "apify_webhook",
    "campaign_activity",
    "campaigns_api",
    "creator_matching",
    "creators_api",
    "metrics_rollup",
    "org_api",
    "post_detection",
    "scrape_ingest",
    "scrape_monitor",
    "scrape_runner",
]
