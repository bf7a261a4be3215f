"""Creator community health: the sentiment of the comments of a creator's campaign posts, for
the creator's reply and for campaign metrics.

Counts come from reachops.creator_community_health (shares recomputed over summed counts, so
days and campaigns weigh by their comments, not equally). Nothing is invented: with no comment,
nothing scored or no toxicity reported, the figure is null and `unknown` says why. The trend is
the creator's own (last 30 days against the 30 before, in the view's SQL); a campaign's total
spans creators and has none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import Field

from shared.auth import Permission, Principal
from shared.creators.models import CreatorView
from shared.metrics.models import CommunityHealth, CommunityTrend
from shared.ports import Warehouse

SQL = "queries/community_health.sql"
NO_COMMENTS = "no comment of a campaign post has been collected yet"
NOT_SCORED = "no comment has been scored yet"
NO_TOXICITY = "the sentiment engine reports no toxicity for these comments"
NO_TREND_WINDOW = "nothing was scored in one of the two 30-day windows"
CAMPAIGN_TREND = "a trend is per creator: see each allocation's community_health"
_TREND_FIELDS = tuple(CommunityTrend.model_fields)


class CreatorDetail(CreatorView):
    """A creator as GET /v1/creators/{id} answers: its profiles and its community health."""

    community_health: CommunityHealth = Field(
        description="the sentiment of the comments of the creator's campaign posts"
    )


def _int(row: Mapping[str, Any], key: str) -> int:
    return int(row.get(key) or 0)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def health(rows: Sequence[Mapping[str, Any]], *, per_creator: bool) -> CommunityHealth:
    """The figures of these per-creator rows together; the trend only for one creator."""
    comments = sum(_int(r, "comments") for r in rows)
    scored = sum(_int(r, "scored") for r in rows)
    toxicity_scored = sum(_int(r, "toxicity_scored") for r in rows)
    toxicity_sum = sum(float(r.get("toxicity_sum") or 0.0) for r in rows)
    unknown: dict[str, str] = {}
    missing = NOT_SCORED if comments else NO_COMMENTS
    if not scored:
        unknown.update(positive_share=missing, negative_share=missing)
    if not toxicity_scored:
        unknown["mean_toxicity"] = NO_TOXICITY if scored else missing
    trend = None
    if not per_creator:
        unknown["trend"] = CAMPAIGN_TREND
    elif len(rows) == 1:
        trend = CommunityTrend(**{name: rows[0].get(name) for name in _TREND_FIELDS})
        if trend.positive_share_change is None:
            unknown["trend.positive_share_change"] = NO_TREND_WINDOW
    else:
        unknown["trend"] = NO_COMMENTS
    return CommunityHealth(
        comments=comments,
        scored=scored,
        positive_share=_share(sum(_int(r, "positive_comments") for r in rows), scored),
        negative_share=_share(sum(_int(r, "negative_comments") for r in rows), scored),
        mean_toxicity=toxicity_sum / toxicity_scored if toxicity_scored else None,
        toxicity_scored=toxicity_scored,
        trend=trend,
        unknown=unknown,
    )


class CommunityHealthService:
    def __init__(self, warehouse: Warehouse) -> None:
        self._warehouse = warehouse

    def creator(self, principal: Principal, creator_id: str) -> CommunityHealth:
        """The creator's, across all campaigns."""
        principal.require(Permission.READ)
        rows = self._warehouse.run(
            SQL, {"org_id": principal.org_id, "creator_id": creator_id, "campaign_id": ""}
        )
        return health(rows, per_creator=True)

    def campaign(
        self, org_id: str, campaign_id: str
    ) -> tuple[CommunityHealth, dict[str, CommunityHealth]]:
        """The campaign's (all its creators together) and each creator's within it."""
        rows = self._warehouse.run(
            SQL, {"org_id": org_id, "creator_id": "", "campaign_id": campaign_id}
        )
        by_creator = {str(r["creator_id"]): health([r], per_creator=True) for r in rows}
        return health(rows, per_creator=False), by_creator
