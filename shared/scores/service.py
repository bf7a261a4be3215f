"""Scores as records: calculating a type for a period (on request, or from the scheduled
jobs for every organization) and reading the current scores back, filtered, paged, ranked.

Engagement and NPS are daily, CLV daily on request, churn risk weekly (period keys:
shared/scores/models.py). A rerun of a period replaces its rows, so the jobs are idempotent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from shared.auth import Permission, Principal
from shared.model_base import to_document
from shared.orgs.deletion import OrgDeleted
from shared.pagination import Page, decode_cursor, encode_cursor
from shared.ports import DocumentStore, Warehouse
from shared.scores import engagement
from shared.scores.churn_run import churn_scores
from shared.scores.clv_service import ClvService
from shared.scores.models import (
    SCORE_TYPES,
    CustomerScore,
    EngagementSettings,
    Leaderboard,
    LeaderboardQuery,
    PersonScores,
    RankedScore,
    ScoreRun,
    ScoreType,
    period_end,
    period_of,
)
from shared.scores.nps_service import NpsService
from shared.scores.records import PersonScore, store_run

PAGE_SQL = "queries/scores_page.sql"


def settings_path(org_id: str) -> str:
    return f"orgs/{org_id}/settings/engagement_scores"


class ScoreService:
    def __init__(
        self,
        store: DocumentStore,
        warehouse: Warehouse,
        *,
        default_page_size: int,
        max_page_size: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._default_page_size = default_page_size
        self._max_page_size = max_page_size
        self._clock = clock
        self.nps = NpsService(store, warehouse, clock)
        self.clv = ClvService(store, warehouse, clock)

    def calculate(self, principal: Principal, score_type: ScoreType) -> ScoreRun:
        principal.require(Permission.WRITE_CAMPAIGNS)
        return self.calculate_for(principal.org_id, score_type, self._clock())

    def calculate_for(self, org_id: str, score_type: ScoreType, at: datetime) -> ScoreRun:
        if score_type == "nps":
            return self.nps.calculate(org_id, at)
        if score_type == "clv":
            return self.clv.calculate(org_id, at)
        if score_type == "engagement":
            return self._engagement(org_id, at)
        return self._churn(org_id, at)

    def calculate_all(self, score_types: tuple[ScoreType, ...]) -> dict[str, int]:
        """Every organization's scores of the types for the current period (the scheduled
        jobs), each as of the end of its period (`period_end`), so a rerun in the period gives
        the same figures; an organization deleted meanwhile is skipped. Returns persons scored
        per type."""
        now = self._clock()
        scored: dict[str, int] = dict.fromkeys(score_types, 0)
        for org in self._store.query("orgs"):
            for score_type in score_types:
                at = period_end(score_type, now)
                try:
                    scored[score_type] += self.calculate_for(org.id, score_type, at).persons_scored
                except OrgDeleted:
                    break
        return scored

    def engagement_settings(self, principal: Principal) -> EngagementSettings:
        principal.require(Permission.READ)
        weights, half_life = engagement.effective(self._settings(principal.org_id))
        return EngagementSettings.model_validate(
            {"weights": weights, "half_life_days": half_life}, strict=False
        )

    def set_engagement_settings(
        self, principal: Principal, settings: EngagementSettings
    ) -> EngagementSettings:
        principal.require(Permission.MANAGE_SETTINGS)
        self._store.set(settings_path(principal.org_id), to_document(settings))
        return self.engagement_settings(principal)

    def page(
        self,
        principal: Principal,
        *,
        score_type: ScoreType | None,
        min_value: float | None = None,
        max_value: float | None = None,
        person_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[CustomerScore]:
        principal.require(Permission.READ)
        size = min(limit or self._default_page_size, self._max_page_size)
        scope = json.dumps(
            ["scores", principal.org_id, score_type, min_value, max_value, person_id]
        )
        after = decode_cursor(cursor, scope) if cursor else [None, None, None]
        rows = self._warehouse.run(
            PAGE_SQL,
            {
                "org_id": principal.org_id,
                "score_type": score_type,
                "person_id": person_id,
                "min_value": min_value,
                "max_value": max_value,
                "after_value": after[0],
                "after_type": after[1],
                "after_person": after[2],
                "limit": size + 1,
            },
        )
        items = [CustomerScore.from_row(row) for row in rows[:size]]
        next_cursor = None
        if len(rows) > size:
            last = items[-1]
            next_cursor = encode_cursor([last.value, last.score_type, last.person_id], scope)
        return Page[CustomerScore](items=items, next_cursor=next_cursor)

    def of_person(self, principal: Principal, person_id: str) -> PersonScores:
        """The person's current score of each type (none yet: an empty list)."""
        page = self.page(principal, score_type=None, person_id=person_id, limit=len(SCORE_TYPES))
        return PersonScores(items=sorted(page.items, key=lambda s: s.score_type))

    def leaderboard(self, principal: Principal, query: LeaderboardQuery) -> Leaderboard:
        page = self.page(principal, score_type=query.type, limit=query.limit)
        ranked = [
            RankedScore(**score.model_dump(), rank=rank)
            for rank, score in enumerate(page.items, start=1)
        ]
        return Leaderboard(score_type=query.type, items=ranked)

    def _settings(self, org_id: str) -> EngagementSettings | None:
        data = self._store.get(settings_path(org_id))
        return None if data is None else EngagementSettings.model_validate(data, strict=False)

    def _engagement(self, org_id: str, at: datetime) -> ScoreRun:
        weights, half_life = engagement.effective(self._settings(org_id))
        rows = self._warehouse.run(
            engagement.SQL, engagement.query_params(org_id, at, weights, half_life)
        )
        scores = engagement.person_scores(rows, weights, half_life)
        diagnostics = {"weights": weights, "half_life_days": half_life}
        return self._store_run(org_id, "engagement", at, scores, diagnostics)

    def _churn(self, org_id: str, at: datetime) -> ScoreRun:
        clv = self.clv.compute(org_id, at)
        scores, diagnostics = churn_scores(self._warehouse, clv, org_id, at)
        return self._store_run(org_id, "churn_risk", at, scores, diagnostics)

    def _store_run(
        self,
        org_id: str,
        score_type: ScoreType,
        at: datetime,
        scores: list[PersonScore],
        diagnostics: dict[str, Any],
    ) -> ScoreRun:
        return store_run(
            self._store,
            self._warehouse,
            org_id,
            score_type,
            period=period_of(score_type, at),
            computed_at=at,
            scores=scores,
            diagnostics=diagnostics,
        )
