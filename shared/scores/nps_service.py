"""NPS over reachops.feedback: the score of a period with its margin, the trend, the change
between two periods and NPS by segment (shared/insights/nps.py does the arithmetic), and the
daily per-person NPS scores with the organization's snapshot.

Feedback is stored with its scale ('nps_0_10' or 'stars_1_5'). Mixed scales are pooled on 0-10
with nps.py's mapping; a 1-5 answer's mapped value is rounded down to a whole rating first
(7.5 -> 7), which keeps its category, since the cut-offs (7 and 9) are whole numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from math import floor
from typing import Any

from shared.auth import Permission, Principal
from shared.errors import ValidationFailed
from shared.insights.nps import PASSIVE_MIN, PROMOTER_MIN, Scale, nps, nps_change, to_nps_scale
from shared.ports import DocumentStore, Warehouse
from shared.scores.models import ScoreRun, period_of
from shared.scores.nps_models import (
    DEFAULT_RANGE_DAYS,
    MAX_RANGE_DAYS,
    NpsComparison,
    NpsFigures,
    NpsPeriod,
    NpsQuery,
    NpsReport,
    NpsSegment,
)
from shared.scores.records import PersonScore, store_run

COUNTS_SQL = "queries/scores_nps_counts.sql"
SEGMENTS_SQL = "queries/scores_nps_segments.sql"
PEOPLE_SQL = "queries/scores_nps_people.sql"
SCALES: dict[str, Scale] = {"nps_0_10": "0-10", "stars_1_5": "1-5"}
PERSON_WINDOW_DAYS = 365
"""A person's NPS score is their latest rating of the past year."""
SNAPSHOT_DAYS = 30
"""The daily snapshot is the NPS of the 30 days to the run's day."""


def on_nps_scale(rating: float, scale: str) -> float:
    """A stored rating on 0-10 (nps.py's mapping for 1-5)."""
    return to_nps_scale(rating, SCALES[scale])


def category(rating_0_10: float) -> str:
    if rating_0_10 >= PROMOTER_MIN:
        return "promoter"
    return "passive" if rating_0_10 >= PASSIVE_MIN else "detractor"


def pooled(rows: Sequence[Mapping[str, Any]]) -> list[float]:
    """(scale, rating, answers) counts as whole 0-10 ratings with unchanged categories."""
    ratings: list[float] = []
    for row in rows:
        mapped = float(floor(on_nps_scale(float(row["rating"]), str(row["scale"]))))
        ratings.extend([mapped] * int(row["answers"]))
    return ratings


def bucket(day: date, interval: str) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


class NpsService:
    def __init__(
        self,
        store: DocumentStore,
        warehouse: Warehouse,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._clock = clock

    def report(self, principal: Principal, query: NpsQuery) -> NpsReport:
        principal.require(Permission.READ)
        org_id = principal.org_id
        until = query.to or self._clock().date()
        since = query.from_ or until - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        self._check_range(since, until, "from")
        rows = self._counts(org_id, since, until, query.segment_id)
        result = nps(pooled(rows))
        trend = None
        if query.interval is not None:
            buckets: dict[date, list[Mapping[str, Any]]] = {}
            for row in rows:
                buckets.setdefault(bucket(row["day"], query.interval), []).append(row)
            trend = [
                NpsPeriod(**vars(nps(pooled(members))), period_start=start)
                for start, members in sorted(buckets.items())
            ]
        comparison = None
        if query.compare_from is not None and query.compare_to is not None:
            self._check_range(query.compare_from, query.compare_to, "compare_from")
            before = nps(
                pooled(self._counts(org_id, query.compare_from, query.compare_to, query.segment_id))
            )
            change = nps_change(before, result)
            comparison = NpsComparison.of(query.compare_from, query.compare_to, change)
        segments = None
        if query.by_segment:
            by_segment: dict[str, list[Mapping[str, Any]]] = {}
            params = {"org_id": org_id, "from_date": since, "to_date": until}
            for row in self._warehouse.run(SEGMENTS_SQL, params):
                by_segment.setdefault(str(row["segment_id"]), []).append(row)
            segments = [
                NpsSegment(**vars(nps(pooled(members))), segment_id=segment_id)
                for segment_id, members in sorted(by_segment.items())
            ]
        return NpsReport(
            **NpsFigures.of(result).model_dump(),
            since=since,
            until=until,
            segment_id=query.segment_id,
            trend=trend,
            comparison=comparison,
            segments=segments,
        )

    def calculate(self, org_id: str, at: datetime | None = None) -> ScoreRun:
        """The day's per-person NPS scores (latest rating of the past year) and the
        organization's snapshot (the past 30 days' NPS) in the run's diagnostics."""
        now = at or self._clock()
        today = now.date()
        params = {
            "org_id": org_id,
            "from_date": today - timedelta(days=PERSON_WINDOW_DAYS - 1),
            "to_date": today,
        }
        scores = []
        for row in self._warehouse.run(PEOPLE_SQL, params):
            value = on_nps_scale(float(row["rating"]), str(row["scale"]))
            breakdown = {
                "category": category(value),
                "rating": int(row["rating"]),
                "scale": row["scale"],
                "feedback_id": row["feedback_id"],
                "rated_at": row["created_at"],
            }
            scores.append(PersonScore(str(row["person_id"]), value, breakdown))
        since = today - timedelta(days=SNAPSHOT_DAYS - 1)
        snapshot = nps(pooled(self._counts(org_id, since, today, None)))
        diagnostics = {"snapshot": {"since": since, "until": today, **vars(snapshot)}}
        period = period_of("nps", now)
        return store_run(
            self._store,
            self._warehouse,
            org_id,
            "nps",
            period=period,
            computed_at=now,
            scores=scores,
            diagnostics=diagnostics,
        )

    def _counts(
        self, org_id: str, since: date, until: date, segment_id: str | None
    ) -> list[dict[str, Any]]:
        params = {"org_id": org_id, "from_date": since, "to_date": until, "segment_id": segment_id}
        return self._warehouse.run(COUNTS_SQL, params)

    @staticmethod
    def _check_range(since: date, until: date, name: str) -> None:
        if until < since:
            raise ValidationFailed(
                f"query.{name}: is after the period's end", field=f"query.{name}"
            )
        if (until - since).days + 1 > MAX_RANGE_DAYS:
            raise ValidationFailed(
                f"query.{name}: the period spans more than {MAX_RANGE_DAYS} days",
                field=f"query.{name}",
            )
