"""Creator search over the profile index: one document per (creator, platform) carrying the
fields people filter on, so Firestore answers each filter combination with an index.

Results are creators, each once, at its best-ranked matching profile: ranked by effective
engagement rate (highest first, unknown last), then creator id and platform. The same filter
and ranking run in memory over a creator's own profiles to decide whether a given index hit is
that creator's best one, so a creator never appears on two pages.
"""

from __future__ import annotations

import math
from typing import Any

from shared.creators.models import Creator, CreatorListQuery, SocialProfile
from shared.ports import Direction, FilterOp

INDEX_ORDER: list[tuple[str, Direction]] = [
    ("engagement_rate", "desc"),
    ("creator_id", "asc"),
    ("platform", "asc"),
]


def index_entry(creator: Creator, profile: SocialProfile) -> dict[str, Any]:
    return {
        "creator_id": creator.creator_id,
        "platform": profile.platform.value,
        "username": profile.username,
        "followers": profile.followers,
        "engagement_rate": profile.engagement_rate,
        "verified": profile.verified,
        "tier": profile.tier.value if profile.tier else None,
        "location": creator.location,
        "niches": creator.niches,
        "status": creator.status.value,
    }


def index_filters(query: CreatorListQuery) -> list[tuple[str, FilterOp, Any]]:
    where: list[tuple[str, FilterOp, Any]] = []
    if query.platform:
        where.append(("platform", "==", query.platform.value))
    if query.tier:
        where.append(("tier", "==", query.tier.value))
    if query.location:
        where.append(("location", "==", str(query.location)))
    if query.status:
        where.append(("status", "==", query.status.value))
    if query.verified_only:
        where.append(("verified", "==", True))
    if query.niche:
        where.append(("niches", "array_contains", query.niche))
    if query.min_engagement_rate is not None:
        where.append(("engagement_rate", ">=", query.min_engagement_rate))
    return where


def profile_matches(creator: Creator, profile: SocialProfile, query: CreatorListQuery) -> bool:
    """The in-memory twin of index_filters."""
    rate = profile.engagement_rate
    return (
        (query.platform is None or profile.platform == query.platform)
        and (query.tier is None or profile.tier == query.tier)
        and (query.location is None or creator.location == str(query.location))
        and (query.status is None or creator.status == query.status)
        and (not query.verified_only or profile.verified)
        and (query.niche is None or query.niche in creator.niches)
        and (
            query.min_engagement_rate is None
            or (rate is not None and rate >= query.min_engagement_rate)
        )
    )


def rank_key(creator_id: str, profile: SocialProfile) -> tuple[float, str, str]:
    rate = profile.engagement_rate
    return (-rate if rate is not None else math.inf, creator_id, profile.platform.value)


def best_matching_profile(creator: Creator, query: CreatorListQuery) -> SocialProfile | None:
    matching = [p for p in creator.profiles if profile_matches(creator, p, query)]
    return min(matching, key=lambda p: rank_key(creator.creator_id, p), default=None)
