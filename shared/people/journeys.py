"""Journeys read from the warehouse: one person's touchpoints, the most common paths (n-grams
of stages or events) and where journeys stop. All of it is SQL over reachops.journey_events
(bigquery_sql/queries/), bounded by a range of days and a row limit; nothing is computed per
person in Python.

A journey is a person's touchpoints, their linked visitors' included, or an anonymous
visitor's. An empty range answers empty lists with the reason, never made-up shares.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from shared.auth import Permission, Principal
from shared.errors import ValidationFailed
from shared.people.journey_map import journey_map
from shared.people.models import (
    DEFAULT_RANGE_DAYS,
    MAX_JOURNEY_EVENTS,
    MAX_RANGE_DAYS,
    DropoffQuery,
    Journey,
    JourneyDropoff,
    JourneyEvent,
    JourneyPaths,
    JourneyQuery,
    PathCount,
    PathsQuery,
    StageDropoff,
)
from shared.people.service import PeopleService
from shared.ports import Warehouse

PATH_SEPARATOR = " > "  # bigquery_sql/queries/journey_paths.sql joins steps with it
NO_JOURNEYS = "no journey in the range has a step"


class JourneyService:
    def __init__(
        self,
        warehouse: Warehouse,
        people: PeopleService,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._warehouse = warehouse
        self._people = people
        self._clock = clock

    def journey(self, principal: Principal, person_id: str, query: JourneyQuery) -> Journey:
        self._people.get(principal, person_id)  # 404 for a person not of this organization
        since, until = self._range(query.from_, query.to)
        rows = self._warehouse.run(
            "queries/person_journey.sql",
            {
                "org_id": principal.org_id,
                "person_id": person_id,
                "from_date": since,
                "to_date": until,
                "max_events": MAX_JOURNEY_EVENTS + 1,
            },
        )
        events = [JourneyEvent.model_validate(row) for row in rows[:MAX_JOURNEY_EVENTS]]
        return Journey(
            person_id=person_id,
            since=since,
            until=until,
            events=events[::-1],
            truncated=len(rows) > MAX_JOURNEY_EVENTS,
        )

    def paths(self, principal: Principal, query: PathsQuery) -> JourneyPaths:
        principal.require(Permission.READ)
        since, until = self._range(query.from_, query.to)
        rows = self._warehouse.run(
            "queries/journey_paths.sql",
            {
                "org_id": principal.org_id,
                "from_date": since,
                "to_date": until,
                "level": query.level,
                "n": query.n,
                "max_paths": query.limit,
            },
        )
        total = int(rows[0]["total"]) if rows else 0
        return JourneyPaths(
            since=since,
            until=until,
            level=query.level,
            n=query.n,
            journeys=total,
            paths=[
                PathCount(
                    path=str(row["path"]).split(PATH_SEPARATOR),
                    journeys=int(row["journeys"]),
                    occurrences=int(row["occurrences"]),
                    share=int(row["journeys"]) / total,
                )
                for row in rows
            ],
            reason=None if rows else f"no journey in the range has {query.n} steps",
        )

    def dropoff(self, principal: Principal, query: DropoffQuery) -> JourneyDropoff:
        """Per stage in funnel order: journeys that reached it (their furthest stage is it or
        a later one), those that ended there, and the share that went on (none for the last
        stage, which has no later one)."""
        principal.require(Permission.READ)
        since, until = self._range(query.from_, query.to)
        rows = self._warehouse.run(
            "queries/journey_dropoff.sql",
            {"org_id": principal.org_id, "from_date": since, "to_date": until},
        )
        stages = journey_map().stages
        ended = dict.fromkeys(stages, 0)
        last_events: dict[str, int] = {}
        for row in rows:
            ended[stages[int(row["stage_rank"]) - 1]] += int(row["journeys"])
            last_events[str(row["last_event"])] = last_events.get(str(row["last_event"]), 0) + int(
                row["journeys"]
            )
        result = []
        for index, stage in enumerate(stages):
            reached = sum(ended[later] for later in stages[index:])
            result.append(
                StageDropoff(
                    stage=stage,
                    reached=reached,
                    ended_here=ended[stage],
                    continued_rate=(
                        (reached - ended[stage]) / reached
                        if reached and index + 1 < len(stages)
                        else None
                    ),
                )
            )
        journeys = sum(ended.values())
        return JourneyDropoff(
            since=since,
            until=until,
            journeys=journeys,
            stages=result,
            last_events=dict(sorted(last_events.items())),
            reason=None if journeys else NO_JOURNEYS,
        )

    def _range(self, from_: date | None, to: date | None) -> tuple[date, date]:
        until = to or self._clock().date()
        since = from_ or until - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if until < since:
            raise ValidationFailed("query.to: is before from", field="query.to")
        if (until - since).days + 1 > MAX_RANGE_DAYS:
            raise ValidationFailed(
                f"query.from: the range spans more than {MAX_RANGE_DAYS} days", field="query.from"
            )
        return since, until
