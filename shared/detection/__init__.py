"""Campaign-content detection: which social posts belong to which creator campaign, and
whether each is disclosed as paid content."""

from shared.detection.batch import COLUMNS, PAID_LABEL
from shared.detection.detector import (
    W_DISCLOSURE,
    W_OPTIONAL_HASHTAG,
    W_PAID_PARTNERSHIP,
    W_REQUIRED_HASHTAGS,
    W_REQUIRED_MENTIONS,
    W_TRACKING_LINK,
    detect,
    detect_one,
)
from shared.detection.links import MAX_LINK_PATTERN_LENGTH, checked_link_pattern
from shared.detection.models import (
    CampaignRule,
    DisclosureMarker,
    Match,
    PostText,
    TimeZoneName,
)
from shared.detection.text import fold, load_disclosure_markers

__all__ = [
    "COLUMNS",
    "MAX_LINK_PATTERN_LENGTH",
    "PAID_LABEL",
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
    "TimeZoneName",
    "checked_link_pattern",
    "detect",
    "detect_one",
    "fold",
    "load_disclosure_markers",
]
