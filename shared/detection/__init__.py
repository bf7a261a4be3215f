"""Campaign-content detection: which social posts belong to which creator campaign."""

from shared.detection.detector import (
    COLUMNS,
    W_DISCLOSURE,
    W_OPTIONAL_HASHTAG,
    W_PAID_PARTNERSHIP,
    W_REQUIRED_HASHTAGS,
    W_REQUIRED_MENTIONS,
    W_TRACKING_LINK,
    detect,
    detect_one,
    fold,
    load_disclosure_markers,
)
from shared.detection.models import CampaignRule, DisclosureMarker, Match, PostText

__all__ = [
    "COLUMNS",
    "W_DISCLOSURE",
    "W_OPTIONAL_HASHTAG",
    "W_PAID_PARTNERSHIP",
    "W_REQUIRED_HASHTAGS",
    "W_REQUIRED_MENTIONS",
    "W_TRACKING_LINK",
    "CampaignRule",
    "DisclosureMarker",
    "Match",
    "PostText",
    "detect",
    "detect_one",
    "fold",
    "load_disclosure_markers",
]
