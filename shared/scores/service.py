"""Scores as records: calculating a type for a period (on request, or from the scheduled
jobs for every organization) and reading the current scores back, filtered, paged, ranked.

Engagement and NPS are daily, CLV daily on request, churn risk weekly (period keys:
shared/scores/models.py). A rerun of a period replaces its rows, so the jobs are idempotent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.auth import Permission, Principal
from shared.model_base import to_document
from shared.orgs.deletion import OrgDeleted
from shared.pagination import Page, decode_cursor, encode_cursor
from shared.ports import DocumentStore, Warehouse
from shared.scores import churn, engagement
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
ACTIVITY_SQL = "queries/scores_churn_activity.sql"
SENTIMENT_SQL = "queries/scores_person_sentiment.sql"
SENTIMENT_DAYS = 180
"""Churn risk reads the sentiment of the person's feedback of the past 180 days."""


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
        p_alive: dict[str, float] = {}
        if not clv.people.empty:
            p_alive = dict(zip(clv.people["person_id"], clv.people["p_alive"], strict=True))
        today = at.date()
        window = timedelta(days=churn.TREND_WINDOW_DAYS)
        activity = self._warehouse.run(
            ACTIVITY_SQL,
            {
                "org_id": org_id,
                "as_of": at,
                "recent_from": today - window + timedelta(days=1),
                "prior_from": today - 2 * window + timedelta(days=1),
            },
        )
        sentiment = {
            str(row["person_id"]): float(row["mean_score"])
            for row in self._warehouse.run(
                SENTIMENT_SQL,
                {
                    "org_id": org_id,
                    "from_date": today - timedelta(days=SENTIMENT_DAYS - 1),
                    "to_date": today,
                    "person_id": None,
                },
            )
        }
        scores = []
        for row in activity:
            person_id = str(row["person_id"])
            last: datetime = row["last_event_at"]
            inputs = churn.ChurnInputs(
                p_alive=float(p_alive[person_id]) if person_id in p_alive else None,
                days_since_last_event=max((at - last).total_seconds() / 86400, 0.0),
                recent_events=int(row["recent_events"]),
                prior_events=int(row["prior_events"]),
                mean_sentiment=sentiment.get(person_id),
            )
            risk = churn.churn_risk(inputs)
            if risk is not None:
                breakdown = {"components": risk.components, "reasons": risk.reasons}
                scores.append(PersonScore(person_id, risk.value, breakdown))
        diagnostics: dict[str, Any] = {
            "weights": churn.WEIGHTS,
            "clv_fit": clv.diagnostics.get("reason", "fitted"),
            "persons_with_sentiment": len(sentiment),
        }
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
