"""Scoring sources now, and reading the results back.

`score_sources` is what every path ends in: each text is hashed, the cache (content hash and
model) answers what it can, the engine scores the rest (each distinct text once), and the
results are MERGEd into reachops.sentiment_scores keyed by source. A refused text is a failed
row with the engine's reason; a transient failure stores nothing (the source stays unscored,
and the bulk run picks it up). An exhausted credit or spend limit pauses the engine (pause.py)
and answers 503.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.auth import Permission, Principal
from shared.errors import NotFound, Unavailable, ValidationFailed
from shared.events import DomainEvent
from shared.pagination import Page, decode_cursor, encode_cursor
from shared.ports import (
    DocumentStore,
    SentimentEngine,
    SentimentResult,
    SentimentSpendExhausted,
    SentimentUnavailable,
    Warehouse,
)
from shared.sentiment.cache import ScoreCache, content_hash
from shared.sentiment.models import (
    DEFAULT_RANGE_DAYS,
    MAX_RANGE_DAYS,
    AnalyzeRequest,
    SentimentFigures,
    SentimentListQuery,
    SentimentRangeQuery,
    SentimentRecord,
    SentimentSource,
    SentimentStats,
    SentimentTrendQuery,
    SentimentTrends,
    SourceType,
    source_text,
)
from shared.sentiment.pause import EnginePause
from shared.sentiment.stats import by_source, figures, periods, week_start

TABLE = "sentiment_scores"
KEYS = ("org_id", "source_type", "source_id")
TEXTS_SQL = "queries/sentiment_source_texts.sql"
PAGE_SQL = "queries/sentiment_page.sql"
DAILY_SQL = "queries/sentiment_daily.sql"
EVENT_SOURCES: dict[str, tuple[SourceType, str]] = {
    "feedback.created": ("feedback", "feedback_id"),
    "form_response.created": ("form_response", "response_id"),
}


def events_collection(org_id: str) -> str:
    """The events already scored (their ids), so a redelivery is a no-op."""
    return f"orgs/{org_id}/sentiment_events"


class SentimentService:
    def __init__(
        self,
        *,
        store: DocumentStore,
        warehouse: Warehouse,
        engine: SentimentEngine,
        pause: EnginePause,
        default_page_size: int,
        max_page_size: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._engine = engine
        self._pause = pause
        self._cache = ScoreCache(store)
        self._default_page_size = default_page_size
        self._max_page_size = max_page_size
        self._clock = clock

    @property
    def engine(self) -> SentimentEngine:
        return self._engine

    def require_running(self) -> None:
        paused = self._pause.current()
        if paused is not None:
            raise Unavailable(f"sentiment scoring is paused: {paused.get('reason')}")

    def cached(
        self, org_id: str, items: Sequence[SentimentSource]
    ) -> tuple[list[SentimentRecord], list[SentimentSource]]:
        """Store what the cache answers; returns those records and the sources it did not."""
        hashes = {item: content_hash(item.text) for item in items}
        hits = self._cache.get_many(org_id, self._engine.model, hashes.values())
        now = self._clock()
        found = [
            SentimentRecord.of(item, hashes[item], hits[hashes[item]], now)
            for item in items
            if hashes[item] in hits
        ]
        self._save(org_id, found)
        return found, [item for item in items if hashes[item] not in hits]

    def score_sources(self, org_id: str, items: Sequence[SentimentSource]) -> list[SentimentRecord]:
        """Score `items` now (cached texts are not scored again) and store the results."""
        self.require_running()
        records, missing = self.cached(org_id, items)
        fresh: dict[str, SentimentResult] = {}
        try:
            for item in missing:
                digest = content_hash(item.text)
                if digest not in fresh:
                    fresh[digest] = self._engine.score(item.text.strip())
                    self._cache.put(org_id, self._engine.model, digest, fresh[digest])
        except SentimentSpendExhausted as exc:
            self.pause_for(org_id, str(exc))
            raise Unavailable(f"sentiment scoring is paused: {exc}") from None
        except SentimentUnavailable as exc:
            raise Unavailable(str(exc)) from None
        finally:
            now = self._clock()
            scored = [
                SentimentRecord.of(item, d, fresh[d], now)
                for item in missing
                if (d := content_hash(item.text)) in fresh
            ]
            self._save(org_id, scored)
        return records + scored

    def store_results(
        self,
        org_id: str,
        model: str,
        results: Sequence[tuple[SourceType, str, str, SentimentResult]],
    ) -> list[SentimentRecord]:
        """Cache and store results that came back from a batch asked of `model`: each is
        (source_type, source_id, content hash of the text sent, result)."""
        now = self._clock()
        records = []
        for source_type, source_id, digest, result in results:
            self._cache.put(org_id, model, digest, result)
            source = SentimentSource(source_type, source_id, "")
            records.append(SentimentRecord.of(source, digest, result, now))
        self._save(org_id, records)
        return records

    def pause_for(self, org_id: str, reason: str) -> None:
        """The engine said the credit or spend limit is exhausted (while `org_id`'s work ran)."""
        self._pause.pause(org_id, self._engine.engine, reason)

    def _save(self, org_id: str, records: Sequence[SentimentRecord]) -> None:
        if records:
            rows = [record.row(org_id) for record in records]
            self._warehouse.merge_rows(TABLE, rows, KEYS, update_existing=True)

    def sources(
        self, org_id: str, source_type: SourceType, source_ids: Sequence[str]
    ) -> list[SentimentSource]:
        """The named sources that have text to score (reachops.sentiment_sources)."""
        rows = self._warehouse.run(
            TEXTS_SQL,
            {"org_id": org_id, "source_type": source_type, "source_ids": list(source_ids)},
        )
        found = [
            SentimentSource(source_type, str(row["source_id"]), source_text(row)) for row in rows
        ]
        return [source for source in found if source.text.strip()]

    def analyze(self, principal: Principal, request: AnalyzeRequest) -> SentimentRecord:
        principal.require(Permission.WRITE_CAMPAIGNS)
        found = self.sources(principal.org_id, request.source_type, [request.source_id])
        if not found:
            raise NotFound(
                f"{request.source_type} {request.source_id} not found (or it has no text)",
                field="source_id",
            )
        return self.score_sources(principal.org_id, found)[0]

    def score_event(self, event: DomainEvent) -> bool:
        """Score the feedback or form response an intake event names, once per event; False
        when there was nothing to do (a redelivery, another event type, no text) or the engine
        is paused (the source stays unscored for the bulk run after the pause)."""
        kind = EVENT_SOURCES.get(event.type)
        marker = f"{events_collection(event.org_id)}/{event.event_id}"
        if kind is None or self._store.get(marker) is not None:
            return False
        if self._pause.current() is not None:  # acknowledged: the bulk run scores it later
            return False
        source_type, id_field = kind
        source_id = event.data.get(id_field) or event.subject_id
        found = self.sources(event.org_id, source_type, [str(source_id)])
        if found:
            self.score_sources(event.org_id, found)
        self._store.create(marker, {"scored_at": self._clock(), "sources": len(found)})
        return bool(found)

    def list(self, principal: Principal, query: SentimentListQuery) -> Page[SentimentRecord]:
        principal.require(Permission.READ)
        limit = min(query.limit or self._default_page_size, self._max_page_size)
        scope = json.dumps(["sentiment", principal.org_id, query.source_type, query.label])
        after = decode_cursor(query.cursor, scope) if query.cursor else [None, None, None]
        if len(after) != 3:
            raise ValidationFailed("query.cursor: not a cursor of this list", field="query.cursor")
        rows = self._warehouse.run(
            PAGE_SQL,
            {
                "org_id": principal.org_id,
                "source_type": query.source_type,
                "label": query.label,
                "after_at": after[0],
                "after_type": after[1],
                "after_id": after[2],
                "limit": limit + 1,
            },
        )
        items = [SentimentRecord.from_row(row) for row in rows[:limit]]
        cursor = None
        if len(rows) > limit:
            last = items[-1]
            cursor = encode_cursor([last.occurred_at, last.source_type, last.source_id], scope)
        return Page[SentimentRecord](items=items, next_cursor=cursor)

    def _daily(
        self, principal: Principal, query: SentimentRangeQuery
    ) -> tuple[date, date, builtins.list[dict[str, Any]]]:
        principal.require(Permission.READ)
        until = query.to or self._clock().date()
        since = query.from_ or until - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if until < since:
            raise ValidationFailed("query.from: is after to", field="query.from")
        if (until - since).days >= MAX_RANGE_DAYS:
            raise ValidationFailed(
                f"query.from: the range is over {MAX_RANGE_DAYS} days", field="query.from"
            )
        rows = self._warehouse.run(
            DAILY_SQL, {"org_id": principal.org_id, "from_date": since, "to_date": until}
        )
        if query.source_type is not None:
            rows = [r for r in rows if r["source_type"] == query.source_type]
        for row in rows:
            if isinstance(row["day"], datetime):
                row["day"] = row["day"].date()
        return since, until, rows

    def stats(self, principal: Principal, query: SentimentRangeQuery) -> SentimentStats:
        since, until, rows = self._daily(principal, query)
        return SentimentStats(
            since=since,
            until=until,
            total=figures(rows, SentimentFigures),
            by_source=by_source(rows),
            by_day=periods(rows, lambda day: day),
        )

    def trends(self, principal: Principal, query: SentimentTrendQuery) -> SentimentTrends:
        since, until, rows = self._daily(principal, query)
        period_of: Callable[[date], date] = (
            week_start if query.granularity == "week" else (lambda day: day)
        )
        return SentimentTrends(
            since=since,
            until=until,
            granularity=query.granularity,
            periods=periods(rows, period_of),
        )
