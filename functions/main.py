"""The deployable entry points. Every Cloud Function is built from this one source bundle;
terraform sets each function's entry_point to one of these names."""

from campaign_activity import campaign_activity
from campaigns_api import campaigns_api
from creator_matching import creator_matching
from creators_api import creators_api
from org_api import org_api

__all__ = ["campaign_activity", "campaigns_api", "creator_matching", "creators_api", "org_api"]
