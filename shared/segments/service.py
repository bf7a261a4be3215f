"""Segments: definitions in Firestore (`orgs/{org}/segments/{segment_id}`, the source of
truth), members in the warehouse (reachops.segment_members), computed there by one SQL script
per calculation (shared/segments/members.py) and never person by person in Python.

A calculation evaluates as of one time (`computed_at`): now for `POST .../calculate`, the
start of the UTC day for the daily job, so a rerun of a day's job evaluates the same events and
writes nothing new. Deleting is soft (the API answers 404, a repeated DELETE is a 204) and
removes the members.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.auth import Permission, Principal
from shared.errors import NotFound, ValidationFailed
from shared.model_base import to_document
from shared.pagination import Page, decode_cursor, encode_cursor, fetch_page
from shared.ports import DocumentStore, Warehouse
from shared.segments.compiler import Compiled, compile_members
from shared.segments.criteria import Node, parse_criteria
from shared.segments.members import write_script
from shared.segments.models import (
    Calculation,
    MemberQuery,
    RfmScores,
    RfmSettings,
    Segment,
    SegmentCreate,
    SegmentListQuery,
    SegmentMember,
    SegmentUpdate,
)
from shared.segments.rfm import compile_rfm

MEMBERS_PAGE_SQL = "queries/segment_members_page.sql"
NOT_CALCULATED = "not calculated yet: POST .../calculate, or wait for the daily run"


def segments_collection(org_id: str) -> str:
    return f"orgs/{org_id}/segments"


def check_definition(
    kind: str, criteria: dict[str, Any] | None, rfm: RfmSettings | dict[str, Any] | None
) -> Node | None:
    """A rules segment has criteria (parsed: errors name their path) and no rfm; an rfm
    segment the opposite."""
    if kind == "rules":
        if rfm is not None:
            raise ValidationFailed("rfm: only an rfm segment has rfm settings", field="rfm")
        if criteria is None:
            raise ValidationFailed("criteria: a rules segment has criteria", field="criteria")
        return parse_criteria(criteria)
    if criteria is not None:
        raise ValidationFailed("criteria: an rfm segment has no criteria", field="criteria")
    if rfm is None:
        raise ValidationFailed("rfm: an rfm segment has rfm settings", field="rfm")
    return None


def _segment(data: dict[str, Any]) -> Segment:
    calculation = data.get("calculation")
    return Segment.model_validate(
        {
            **data,
            "criteria": json.loads(data["criteria_json"]) if data.get("criteria_json") else None,
            "calculation": calculation,
            "calculation_reason": None if calculation else NOT_CALCULATED,
        }
    )


class SegmentService:
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

    def create(self, principal: Principal, request: SegmentCreate) -> Segment:
        principal.require(Permission.WRITE_CAMPAIGNS)
        check_definition(request.kind, request.criteria, request.rfm)
        now = self._clock()
        segment_id = secrets.token_hex(8)
        document: dict[str, Any] = {
            "segment_id": segment_id,
            "name": request.name,
            "description": request.description,
            "kind": request.kind,
            "criteria_json": json.dumps(request.criteria) if request.criteria else None,
            "rfm": to_document(request.rfm) if request.rfm else None,
            "auto_update": request.auto_update,
            "active": request.active,
            "revision": 1,
            "created_at": now,
            "created_by": principal.key_id,
            "updated_at": now,
            "calculation": None,
            "deleted": False,
        }
        self._store.set(self._path(principal.org_id, segment_id), document)
        return _segment(document)

    def list(self, principal: Principal, query: SegmentListQuery) -> Page[Segment]:
        principal.require(Permission.READ)
        limit = min(query.limit or self._default_page_size, self._max_page_size)
        documents, next_cursor = fetch_page(
            self._store,
            segments_collection(principal.org_id),
            where=[("deleted", "==", False)],
            order_by=[("created_at", "desc"), ("segment_id", "desc")],
            cursor=query.cursor,
            limit=limit,
        )
        return Page[Segment](items=[_segment(d.data) for d in documents], next_cursor=next_cursor)

    def get(self, principal: Principal, segment_id: str) -> Segment:
        principal.require(Permission.READ)
        return _segment(self._live(principal.org_id, segment_id))

    def update(self, principal: Principal, segment_id: str, patch: SegmentUpdate) -> Segment:
        principal.require(Permission.WRITE_CAMPAIGNS)
        sent = patch.model_fields_set
        changes: dict[str, Any] = {
            name: getattr(patch, name)
            for name in ("name", "description", "auto_update", "active")
            if name in sent
        }
        if patch.criteria is not None:
            changes["criteria_json"] = json.dumps(patch.criteria)
        if patch.rfm is not None:
            changes["rfm"] = to_document(patch.rfm)
        now = self._clock()

        def change(current: dict[str, Any] | None) -> dict[str, Any]:
            if current is None or current.get("deleted"):
                raise NotFound(f"segment {segment_id} not found", field="path.segment_id")
            merged = {**current, **changes}
            criteria = json.loads(merged["criteria_json"]) if merged["criteria_json"] else None
            check_definition(merged["kind"], criteria, merged["rfm"])
            if any(merged[name] != current.get(name) for name in changes):
                merged["revision"] = int(current["revision"]) + 1
                merged["updated_at"] = now
            return merged

        path = self._path(principal.org_id, segment_id)
        return _segment(self._store.update_atomically(path, change))

    def delete(self, principal: Principal, segment_id: str) -> None:
        """Idempotent: a repeated DELETE removes any members left again and answers 204."""
        principal.require(Permission.WRITE_CAMPAIGNS)
        now = self._clock()

        def change(current: dict[str, Any] | None) -> dict[str, Any]:
            if current is None:
                raise NotFound(f"segment {segment_id} not found", field="path.segment_id")
            if current.get("deleted"):
                return current
            return {**current, "deleted": True, "deleted_at": now, "deleted_by": principal.key_id}

        self._store.update_atomically(self._path(principal.org_id, segment_id), change)
        self._warehouse.delete_rows(
            "segment_members", "segment_id", segment_id, org_id=principal.org_id
        )

    def calculate(self, principal: Principal, segment_id: str) -> Calculation:
        principal.require(Permission.WRITE_CAMPAIGNS)
        data = self._live(principal.org_id, segment_id)
        return self._calculate(principal.org_id, [data], self._clock())[segment_id]

    def calculate_due(self, org_id: str, day_start: datetime) -> dict[str, Calculation]:
        """The daily run for one organization: every active segment with auto_update, as of
        the start of its day (rules segments in one statement), except those calculated on
        request since then (the newer members stand)."""
        due = [
            d.data
            for d in self._store.query(
                segments_collection(org_id), where=[("deleted", "==", False)]
            )
            if d.data.get("active")
            and d.data.get("auto_update")
            and not _newer(d.data.get("calculation"), day_start)
        ]
        return self._calculate(org_id, due, day_start) if due else {}

    def calculate_daily(self) -> int:
        """The scheduled run: every organization's due segments as of today 00:00 UTC; the
        number of segments calculated."""
        now = self._clock()
        day_start = datetime(now.year, now.month, now.day, tzinfo=UTC)
        return sum(len(self.calculate_due(org.id, day_start)) for org in self._store.query("orgs"))

    def members(
        self, principal: Principal, segment_id: str, query: MemberQuery
    ) -> Page[SegmentMember]:
        principal.require(Permission.READ)
        self._live(principal.org_id, segment_id)
        limit = min(query.limit or self._default_page_size, self._max_page_size)
        scope = json.dumps(["segment_members", principal.org_id, segment_id, query.rfm_segment])
        after = decode_cursor(query.cursor, scope) if query.cursor else [None]
        if len(after) != 1:
            raise ValidationFailed("query.cursor: not a cursor of this list", field="query.cursor")
        rows = self._warehouse.run(
            MEMBERS_PAGE_SQL,
            {
                "org_id": principal.org_id,
                "segment_id": segment_id,
                "rfm_segment": query.rfm_segment,
                "after_id": after[0],
                "limit": limit + 1,
            },
        )
        items = [_member(row) for row in rows[:limit]]
        cursor = encode_cursor([items[-1].person_id], scope) if len(rows) > limit else None
        return Page[SegmentMember](items=items, next_cursor=cursor)

    def _calculate(
        self, org_id: str, segments: Sequence[dict[str, Any]], as_of: datetime
    ) -> dict[str, Calculation]:
        counts: dict[str, int] = {}
        rules = [
            (d["segment_id"], parse_criteria(json.loads(d["criteria_json"])))
            for d in segments
            if d["kind"] == "rules"
        ]
        if rules:
            source = compile_members(org_id, rules, as_of)
            counts.update(self._write(org_id, [key for key, _ in rules], source, as_of, None))
        for data in segments:
            if data["kind"] == "rfm":
                rfm = RfmSettings.model_validate(data["rfm"])
                since = as_of - timedelta(days=rfm.lookback_days)
                source = compile_rfm(org_id, rfm.currency, since, as_of, rfm.segment)
                counts.update(
                    self._write(org_id, [data["segment_id"]], source, as_of, rfm.currency)
                )
        done = {}
        for data in segments:
            calculation = Calculation(computed_at=as_of, members=counts.get(data["segment_id"], 0))
            self._record(org_id, data["segment_id"], calculation)
            done[data["segment_id"]] = calculation
        return done

    def _write(
        self,
        org_id: str,
        segment_ids: Sequence[str],
        source: Compiled,
        as_of: datetime,
        rfm_currency: str | None,
    ) -> dict[str, int]:
        script = write_script(org_id, segment_ids, source, as_of, rfm_currency=rfm_currency)
        rows = self._warehouse.run_statement(script.sql, script.params)
        return {str(row["segment_id"]): int(row["members"]) for row in rows}

    def _record(self, org_id: str, segment_id: str, calculation: Calculation) -> None:
        """Keeps the latest calculation (an older day's rerun does not replace a newer one)."""

        def change(current: dict[str, Any] | None) -> dict[str, Any]:
            if current is None:
                raise NotFound(f"segment {segment_id} not found", field="path.segment_id")
            previous = current.get("calculation")
            if previous and previous["computed_at"] > calculation.computed_at:
                return current
            return {**current, "calculation": to_document(calculation)}

        self._store.update_atomically(self._path(org_id, segment_id), change)

    def _live(self, org_id: str, segment_id: str) -> dict[str, Any]:
        data = self._store.get(self._path(org_id, segment_id))
        if data is None or data.get("deleted"):
            raise NotFound(f"segment {segment_id} not found", field="path.segment_id")
        return data

    def _path(self, org_id: str, segment_id: str) -> str:
        return f"{segments_collection(org_id)}/{segment_id}"


def _newer(calculation: dict[str, Any] | None, than: datetime) -> bool:
    return calculation is not None and _utc(calculation["computed_at"]) > than


def _member(row: dict[str, Any]) -> SegmentMember:
    rfm = None
    if row.get("rfm_segment") is not None:
        rfm = RfmScores(
            currency=row["rfm_currency"],
            last_purchase_at=_utc(row["rfm_last_purchase_at"]),
            purchases=row["rfm_purchases"],
            monetary_micros=row["rfm_monetary_micros"],
            recency=row["rfm_recency"],
            frequency=row["rfm_frequency"],
            monetary=row["rfm_monetary"],
            segment=row["rfm_segment"],
        )
    return SegmentMember(person_id=row["person_id"], computed_at=_utc(row["computed_at"]), rfm=rfm)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
