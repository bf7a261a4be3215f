"""The customer as one record: identity (from shared/people), journey summary, current scores,
segments, sentiment and value (GET /v1/customers/{id}/profile), and every touchpoint in one
timeline (GET /v1/customers/{id}/interactions), both read from the warehouse.

The identity is shared/people's, with its one rule for emails: decrypted only for ADMIN and
OWNER keys, `email: null` with `email_hidden: true` for the others.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from pydantic import BaseModel

from shared.auth import Permission, Principal
from shared.errors import ValidationFailed
from shared.pagination import Page, decode_cursor, encode_cursor
from shared.ports import Warehouse
from shared.scores.customer_models import (
    CustomerProfile,
    Interaction,
    InteractionQuery,
    JourneySummary,
    SegmentMembership,
    SentimentSummary,
    ValueSummary,
)
from shared.scores.models import CustomerScore
from shared.scores.service import ScoreService

INTERACTIONS_SQL = "queries/customer_interactions.sql"
SUMMARY_SQL = "queries/customer_journey_summary.sql"
SEGMENTS_SQL = "queries/customer_segments.sql"
SENTIMENT_SQL = "queries/scores_person_sentiment.sql"
HISTORY_DAYS = 730
"""The profile and the timeline cover the past two years unless asked otherwise."""


class PersonDirectory(Protocol):
    """shared/people's PeopleService as this module uses it (NotFound for an unknown id)."""

    def get(self, principal: Principal, person_id: str) -> BaseModel: ...


class CustomerService:
    def __init__(
        self,
        warehouse: Warehouse,
        scores: ScoreService,
        people: Callable[[], PersonDirectory],
        *,
        default_page_size: int,
        max_page_size: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._warehouse = warehouse
        self._scores = scores
        self._people = people
        self._default_page_size = default_page_size
        self._max_page_size = max_page_size
        self._clock = clock

    def profile(self, principal: Principal, person_id: str) -> CustomerProfile:
        principal.require(Permission.READ)
        identity = self._people().get(principal, person_id).model_dump(mode="json")
        today = self._clock().date()
        params = {
            "org_id": principal.org_id,
            "person_id": person_id,
            "from_date": today - timedelta(days=HISTORY_DAYS - 1),
            "to_date": today,
        }
        summary = self._warehouse.run(SUMMARY_SQL, params)
        scores = self._scores.of_person(principal, person_id).items
        segments = self._warehouse.run(SEGMENTS_SQL, params)
        sentiment = self._warehouse.run(SENTIMENT_SQL, params)
        return CustomerProfile(
            person_id=person_id,
            identity=identity,
            journey=JourneySummary.of(summary),
            scores=scores,
            segments=[SegmentMembership.model_validate(row) for row in segments],
            sentiment=SentimentSummary.of(sentiment[0] if sentiment else None),
            value=ValueSummary.of(summary, clv_of(scores)),
        )

    def interactions(
        self, principal: Principal, person_id: str, query: InteractionQuery
    ) -> Page[Interaction]:
        principal.require(Permission.READ)
        self._people().get(principal, person_id)
        until = query.to or self._clock().date()
        since = query.from_ or until - timedelta(days=HISTORY_DAYS - 1)
        if until < since:
            raise ValidationFailed("query.from: is after to", field="query.from")
        limit = min(query.limit or self._default_page_size, self._max_page_size)
        scope = json.dumps(
            ["interactions", principal.org_id, person_id, since.isoformat(), until.isoformat()]
        )
        after = decode_cursor(query.cursor, scope) if query.cursor else [None, None, None]
        rows = self._warehouse.run(
            INTERACTIONS_SQL,
            {
                "org_id": principal.org_id,
                "person_id": person_id,
                "from_date": since,
                "to_date": until,
                "after_at": after[0],
                "after_event": after[1],
                "after_source": after[2],
                "limit": limit + 1,
            },
        )
        items = [Interaction.model_validate(row) for row in rows[:limit]]
        cursor = None
        if len(rows) > limit:
            last = items[-1]
            cursor = encode_cursor([last.occurred_at, last.event, last.source_id or ""], scope)
        return Page[Interaction](items=items, next_cursor=cursor)


def clv_of(scores: list[CustomerScore]) -> CustomerScore | None:
    return next((s for s in scores if s.score_type == "clv"), None)
