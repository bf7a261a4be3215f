"""Conversion goals: kept in Firestore (`orgs/{org}/goals/{goal_id}`, the source of truth) and
mirrored to the warehouse on every change, where one view evaluates every goal over every
tracked event (bigquery_sql/views/goal_conversions.sql). Nothing is computed per goal in
Python, so a goal created today counts history as soon as it is written.

Deleting a goal is soft: the document stays (with `deleted_at`, for the record of who had what)
but the API answers 404 for it (a repeated DELETE is a 204), and its mirror row is marked
deleted, so it stops matching and its rows leave goal_conversions, history included. The events
themselves are untouched (track_events, conversions); a new goal with the same definition
counts them again.

A write is saved in Firestore first, then mirrored. When the mirror fails the reply is a 503
saying so; any PATCH of the goal (even `{}`), or a repeated DELETE, writes the mirror again,
and replays are no-ops.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.auth import Permission, Principal
from shared.errors import NotFound, Unavailable, ValidationFailed
from shared.goals.mirror import (
    CONDITIONS_KEY,
    CONDITIONS_TABLE,
    GOALS_KEY,
    GOALS_TABLE,
    condition_rows,
    goal_row,
)
from shared.goals.models import (
    DEFAULT_RANGE_DAYS,
    MAX_RANGE_DAYS,
    ConversionGoal,
    ConversionGoalDetail,
    CurrencyValue,
    EventValue,
    FixedValue,
    GoalCreate,
    GoalListQuery,
    GoalMatches,
    GoalMatchQuery,
    GoalUpdate,
    StoredValue,
    check_event_name,
)
from shared.model_base import to_document
from shared.pagination import Page, fetch_page
from shared.ports import DocumentStore, Warehouse
from shared.tracking.events import to_micros
from shared.tracking.sites import SiteService


def goals_collection(org_id: str) -> str:
    return f"orgs/{org_id}/goals"


def stored_value(rule: EventValue | FixedValue) -> StoredValue:
    if isinstance(rule, EventValue):
        return StoredValue(type="event", value_micros=None, currency=None)
    try:
        micros = to_micros(rule.amount, rule.currency)
    except ValueError as exc:
        field, _, reason = str(exc).partition(": ")
        name = "value.amount" if field == "value" else f"value.{field}"
        raise ValidationFailed(f"{name}: {reason}", field=name) from exc
    return StoredValue(type="fixed", value_micros=micros, currency=rule.currency)


class GoalService:
    def __init__(
        self,
        store: DocumentStore,
        warehouse: Warehouse,
        sites: SiteService,
        max_page_size: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._sites = sites
        self._max_page_size = max_page_size
        self._clock = clock

    def create(self, principal: Principal, request: GoalCreate) -> ConversionGoal:
        principal.require(Permission.MANAGE_SETTINGS)
        self._check_site(principal, request.site_id)
        now = self._clock()
        goal = ConversionGoal(
            goal_id=secrets.token_hex(8),
            name=request.name,
            site_id=request.site_id,
            event_type=request.event_type,
            event_name=request.event_name,
            conditions=request.conditions,
            value=stored_value(request.value),
            revision=1,
            created_at=now,
            created_by=principal.key_id,
            updated_at=now,
        )
        document = {**to_document(goal), "deleted": False, "deleted_at": None}
        self._store.set(self._path(principal.org_id, goal.goal_id), document)
        self._mirror(principal.org_id, goal, None)
        return goal

    def list(self, principal: Principal, query: GoalListQuery) -> Page[ConversionGoal]:
        principal.require(Permission.READ)
        limit = min(query.limit or self._max_page_size, self._max_page_size)
        documents, next_cursor = fetch_page(
            self._store,
            goals_collection(principal.org_id),
            where=[("deleted", "==", False)],
            order_by=[("created_at", "desc"), ("goal_id", "desc")],
            cursor=query.cursor,
            limit=limit,
        )
        return Page[ConversionGoal](
            items=[ConversionGoal.model_validate(d.data) for d in documents],
            next_cursor=next_cursor,
        )

    def get(
        self, principal: Principal, goal_id: str, query: GoalMatchQuery
    ) -> ConversionGoalDetail:
        """The goal and what it matched from `from` to `to` (UTC days, both included)."""
        principal.require(Permission.READ)
        data = self._store.get(self._path(principal.org_id, goal_id))
        if data is None or data.get("deleted"):
            raise NotFound(f"goal {goal_id} not found", field="path.goal_id")
        goal = ConversionGoal.model_validate(data)
        since, until = self._range(query)
        rows = self._warehouse.run(
            "queries/goal_matches.sql",
            {"org_id": principal.org_id, "goal_id": goal_id, "from_date": since, "to_date": until},
        )
        matches = GoalMatches(
            since=since,
            until=until,
            conversions=sum(int(row["conversions"]) for row in rows),
            value=[
                CurrencyValue(currency=str(row["currency"]), value_micros=int(row["value_micros"]))
                for row in rows
                if row["currency"] is not None and row["value_micros"] is not None
            ],
            without_value=sum(int(row["conversions"]) for row in rows if row["currency"] is None),
        )
        return ConversionGoalDetail(**goal.model_dump(), matches=matches)

    def update(self, principal: Principal, goal_id: str, patch: GoalUpdate) -> ConversionGoal:
        principal.require(Permission.MANAGE_SETTINGS)
        sent = patch.model_fields_set
        if "site_id" in sent:
            self._check_site(principal, patch.site_id)
        changes: dict[str, Any] = {
            name: getattr(patch, name)
            for name in ("name", "site_id", "event_type", "event_name")
            if name in sent
        }
        if patch.conditions is not None:
            changes["conditions"] = [c.model_dump() for c in patch.conditions]
        if patch.value is not None:
            changes["value"] = stored_value(patch.value).model_dump()
        now = self._clock()

        def change(current: dict[str, Any] | None) -> dict[str, Any]:
            if current is None or current.get("deleted"):
                raise NotFound(f"goal {goal_id} not found", field="path.goal_id")
            merged = {**current, **changes}
            if "event_type" in changes and "event_name" not in changes:
                merged["event_name"] = (
                    current["event_name"] if changes["event_type"] == "custom" else None
                )
            try:
                check_event_name(merged["event_type"], merged["event_name"])
            except ValueError as exc:
                raise ValidationFailed(str(exc), field="event_name") from exc
            if any(merged[name] != current[name] for name in changes):
                merged["revision"] = int(current["revision"]) + 1
                merged["updated_at"] = now
            return merged

        data = self._store.update_atomically(self._path(principal.org_id, goal_id), change)
        goal = ConversionGoal.model_validate(data)
        self._mirror(principal.org_id, goal, None)
        return goal

    def delete(self, principal: Principal, goal_id: str) -> None:
        """Idempotent: deleting a deleted goal writes its mirror again (the retry after a 503)."""
        principal.require(Permission.MANAGE_SETTINGS)
        now = self._clock()

        def change(current: dict[str, Any] | None) -> dict[str, Any]:
            if current is None:
                raise NotFound(f"goal {goal_id} not found", field="path.goal_id")
            if current.get("deleted"):
                return current
            return {**current, "deleted": True, "deleted_at": now, "deleted_by": principal.key_id}

        data = self._store.update_atomically(self._path(principal.org_id, goal_id), change)
        goal = ConversionGoal.model_validate(data)
        self._mirror(principal.org_id, goal, data["deleted_at"], retry="send the DELETE again")

    def _mirror(
        self,
        org_id: str,
        goal: ConversionGoal,
        deleted_at: datetime | None,
        retry: str = "send any PATCH of it (even {}) to write it again",
    ) -> None:
        """The goal's current revision into the warehouse: conditions first, then the row that
        names the revision (both idempotent MERGEs)."""
        try:
            self._warehouse.merge_rows(
                CONDITIONS_TABLE,
                condition_rows(org_id, goal),
                CONDITIONS_KEY,
                update_existing=False,
            )
            self._warehouse.merge_rows(
                GOALS_TABLE, [goal_row(org_id, goal, deleted_at)], GOALS_KEY, update_existing=True
            )
        except Exception as exc:
            raise Unavailable(
                f"goal {goal.goal_id} is saved but its warehouse copy was not written; {retry}"
            ) from exc

    def _range(self, query: GoalMatchQuery) -> tuple[date, date]:
        today = self._clock().date()
        until = query.to or today
        since = query.from_ or until - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if until < since:
            raise ValidationFailed("query.to: is before from", field="query.to")
        if (until - since).days + 1 > MAX_RANGE_DAYS:
            raise ValidationFailed(
                f"query.from: the range spans more than {MAX_RANGE_DAYS} days", field="query.from"
            )
        return since, until

    def _check_site(self, principal: Principal, site_id: str | None) -> None:
        if site_id is None:
            return
        try:
            self._sites.get(principal, site_id)
        except NotFound as exc:
            raise ValidationFailed(
                f"site {site_id} does not exist in this organization", field="site_id"
            ) from exc

    def _path(self, org_id: str, goal_id: str) -> str:
        return f"{goals_collection(org_id)}/{goal_id}"
