"""Which creators fit a campaign, in what order, and how the budget splits: pure functions.

Eligible: an active creator with a profile on one of the campaign's platforms, in the
campaign's tier and location when those are set, whose follower count is known. Ranked
verified first, then by effective engagement rate (unknown last), then followers; a creator is
allocated once per campaign, on its best-ranked platform.

Budget: split **equally** across the creators wanted. An equal fee is what creators in one tier
expect to be offered, it does not reward a creator for a declared (unverified) engagement
rate, and it keeps a decline simple: the freed fee passes unchanged to the next creator.
The split is exact in minor units: the remainder goes one unit each to the first allocations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Candidate:
    creator_id: str
    platform: str
    username: str
    followers: int
    engagement_rate: float | None
    verified: bool
    tier: str | None
    location: str | None


def candidate_from_index(entry: dict[str, Any]) -> Candidate | None:
    """A profile-index entry as a candidate; None when its follower count is unknown."""
    if entry.get("followers") is None or entry.get("status") != "active":
        return None
    return Candidate(
        creator_id=entry["creator_id"],
        platform=entry["platform"],
        username=entry["username"],
        followers=entry["followers"],
        engagement_rate=entry.get("engagement_rate"),
        verified=bool(entry.get("verified")),
        tier=entry.get("tier"),
        location=entry.get("location"),
    )


def _rank_key(candidate: Candidate) -> tuple[int, float, int, str, str]:
    rate = candidate.engagement_rate
    return (
        0 if candidate.verified else 1,
        -rate if rate is not None else math.inf,
        -candidate.followers,
        candidate.creator_id,
        candidate.platform,
    )


def rank_candidates(candidates: list[Candidate]) -> list[Candidate]:
    """Best first, each creator once (at its best platform)."""
    ranked: list[Candidate] = []
    seen: set[str] = set()
    for candidate in sorted(candidates, key=_rank_key):
        if candidate.creator_id not in seen:
            seen.add(candidate.creator_id)
            ranked.append(candidate)
    return ranked


def split_budget(budget: int, parts: int) -> list[int]:
    """`parts` fees in minor units that add up to exactly `budget`."""
    if parts < 1:
        raise ValueError("split into at least one part")
    base, remainder = divmod(budget, parts)
    return [base + (1 if index < remainder else 0) for index in range(parts)]


def reasons_for(candidate: Candidate, rank: int, eligible: int) -> list[str]:
    rate = candidate.engagement_rate
    evidence = "verified by scraping" if candidate.verified else "declared, not yet verified"
    reasons = [
        f"ranked {rank} of {eligible} eligible creators",
        f"{candidate.platform} @{candidate.username}: "
        f"{candidate.followers:,} followers ({evidence})",
        f"engagement rate {rate:.2%}" if rate is not None else "engagement rate unknown",
    ]
    if candidate.tier:
        reasons.append(f"tier {candidate.tier}")
    if candidate.location:
        reasons.append(f"located in {candidate.location}")
    return reasons
