"""An allocation's tracking code: the `utm_content` value its creator's links carry, so the
sessions they bring (and the conversions after them) count for the allocation
(shared/attribution/resolution.py reads it back)."""

from __future__ import annotations

import hashlib

TRACKING_CODE_PREFIX = "ro-"
TRACKING_MEDIUM = "influencer"


def tracking_code(campaign_id: str, allocation_id: str) -> str:
    """An allocation's tracking code (its `utm_content`): derived from the campaign and allocation
    ids (allocation ids repeat across campaigns), so it never needs storing and never changes."""
    digest = hashlib.sha256(f"{campaign_id}/{allocation_id}".encode()).hexdigest()
    return f"{TRACKING_CODE_PREFIX}{digest[:12]}"


def tracking_query(campaign_id: str, allocation_id: str) -> str:
    """The query string a creator appends to the brand's URL for this allocation."""
    code = tracking_code(campaign_id, allocation_id)
    return (
        f"utm_source=reachops&utm_medium={TRACKING_MEDIUM}"
        f"&utm_campaign={campaign_id}&utm_content={code}"
    )
