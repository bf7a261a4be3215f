"""Public intake: a site key's batch of events, checked one by one and landed once each.

A beacon's request never reads the warehouse (a BigQuery query per page view would cost more
than the write and seconds of latency). The rows are appended with no key check, the same way on
both warehouses (`appender`: the BigQuery Storage Write API in production,
shared/adapters/bigquery_write.py, exactly once per stream offset; locally a log on disk that
is loaded into DuckDB, shared/adapters/duckdb_appender.py), so a resend from another request
is stored again, and every reader counts events through the view
reachops.track_events_unique (one row per event): a resent event is counted once.
A receipt's `duplicates` are therefore what is known without a read: an event_id repeated
within the batch, and a purchase whose order_id another event already claimed. A purchase
counts once per order_id: its first event claims the order in Firestore (a create, so two
racing requests cannot both win; purchases are few, so this is one cheap write for them
only); a later event for the order with the same value and currency is a duplicate, with a
different one it is rejected, and the claiming event itself resent with the same value is
written again (its first write may have failed), stored once through the view.

Server-side intake (POST /v1/conversions, the Meta lead webhook: any source but the browser's)
does read the event ids the site already stores, once per request: its caller answers a resend
with the stored conversion (200, not 201) and counts a redelivered lead as nothing new, and it
comes at a backend's or Meta's pace, not a beacon's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.errors import Forbidden, Unauthenticated
from shared.model_base import ApiModel
from shared.ports import DocumentStore, RowAppender, Warehouse
from shared.tracking.events import (
    BROWSER_WINDOW,
    MAX_EVENTS,
    Rejection,
    Source,
    TrackEvent,
    Window,
    check_event,
    event_row,
)
from shared.tracking.limits import IntakeLimits
from shared.tracking.sites import Site, SiteService, sites_collection

TABLE = "track_events"
KEYS = ("org_id", "site_id", "event_id", "occurred_at")  # occurred_at: the partition column
SEEN_SQL = "queries/track_events_seen.sql"
MAX_BODY_BYTES = 256 * 1024
OrderClaim = Literal["new", "duplicate", "conflict"]


class TrackBatch(ApiModel):
    """Each event is checked on its own (shared/tracking/events.py), so one bad event does not
    sink its batch; here only the envelope is."""

    site_key: str | None = Field(
        default=None, max_length=100, description="else the X-Site-Key header or ?site_key="
    )
    events: list[Any] = Field(
        min_length=1,
        max_length=MAX_EVENTS,
        json_schema_extra={"items": {"$ref": "#/components/schemas/TrackEvent"}},
    )


class RejectedEvent(BaseModel):
    index: int = Field(ge=0, lt=MAX_EVENTS, description="the event's position in the batch")
    field: str = Field(description="the event's field at fault (`event` for the whole event)")
    reason: str


class TrackReceipt(BaseModel):
    accepted: int = Field(
        ge=0,
        le=MAX_EVENTS,
        description="taken and stored (an event resent from the browser is taken again and "
        "still stored once)",
    )
    duplicates: int = Field(
        ge=0,
        le=MAX_EVENTS,
        description="no-ops: an event_id repeated in the batch, or an order_id another event "
        "already holds with the same value",
    )
    rejected: list[RejectedEvent] = Field(max_length=MAX_EVENTS)


@dataclass
class IntakeResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    duplicate_of: dict[int, str] = field(default_factory=dict)
    """Per duplicate's index, the event id stored for it (its own, or the one that claimed
    its order first)."""

    def receipt(self) -> TrackReceipt:
        rejected = [
            RejectedEvent(index=r.index, field=r.field, reason=r.reason) for r in self.rejected
        ]
        return TrackReceipt(accepted=self.accepted, duplicates=self.duplicates, rejected=rejected)


def order_path(org_id: str, site_id: str, order_id: str) -> str:
    """A site's orders; a server-side conversion sent without a site (site_id '') claims its
    order among the organization's own, which no site shares."""
    digest = hashlib.sha256(order_id.encode()).hexdigest()[:40]
    if not site_id:
        return f"orgs/{org_id}/orders/{digest}"
    return f"{sites_collection(org_id)}/{site_id}/orders/{digest}"


class TrackIntake:
    def __init__(
        self,
        store: DocumentStore,
        warehouse: Warehouse,
        sites: SiteService,
        limits: IntakeLimits,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        appender: RowAppender | None = None,
    ) -> None:
        """`appender` lands the rows (Services.track_events_appender); a caller with only a
        warehouse (a test's) has them MERGEd on KEYS instead, which also skips stored keys."""
        self._store = store
        self._warehouse = warehouse
        self._sites = sites
        self._limits = limits
        self._clock = clock
        self._write: Callable[[Sequence[Mapping[str, Any]]], None] = (
            appender.append
            if appender is not None
            else lambda rows: warehouse.merge_rows(TABLE, rows, KEYS, update_existing=False)
        )

    def admit(self, site_key: str | None, origin: str | None) -> tuple[str, Site]:
        """The site a request may write for. Says no more than needed: any unknown, malformed
        or deleted key is the same 401; an origin the site does not allow is a 403."""
        if not site_key:
            raise Unauthenticated("send the site key", field="header.X-Site-Key")
        found = self._sites.by_key(site_key)
        if found is None:
            raise Unauthenticated("invalid site key", field="header.X-Site-Key")
        if origin is not None and origin not in found[1].allowed_origins:
            raise Forbidden("this origin may not send events for the site", field="header.Origin")
        return found

    def charge_client(self, client_ip: str) -> None:
        self._limits.charge_client(client_ip)

    def receive(
        self, batch: TrackBatch, site_key: str | None, origin: str | None
    ) -> tuple[str, IntakeResult]:
        """(org_id, outcome) of a batch; the key (header, query or body) is charged per event
        before it is looked up, so guessing keys costs the guesser's own budget."""
        key = site_key or batch.site_key
        if key:
            self._limits.charge_site_key(key, len(batch.events))
        org_id, site = self.admit(key, origin)
        return org_id, self.record(org_id, site.site_id, batch.events)

    def record(
        self,
        org_id: str,
        site_id: str,
        events: Sequence[Any],
        *,
        source: Source = "browser",
        window: Window = BROWSER_WINDOW,
        model: type[TrackEvent] = TrackEvent,
        links: Mapping[str, str | None] | None = None,
    ) -> IntakeResult:
        """Check each event (as `model`, within `window`), drop repeats (within the batch; for
        a server-side source also those the site already stores), claim purchases' orders,
        and write the rest in one append (production's shares its round trip with concurrent
        requests: shared/adapters/group_commit.py), each row marked with its `source` and
        `links` (the explicit attribution a server-side conversion carries)."""
        now = self._clock()
        result = IntakeResult()
        checked: list[tuple[int, TrackEvent, int | None]] = []
        for index, raw in enumerate(events):
            outcome = check_event(index, raw, now, window, model)
            if isinstance(outcome, Rejection):
                result.rejected.append(outcome)
            else:
                checked.append((index, *outcome))
        stored: set[str] = set()
        if source != "browser":
            ids = [e.event_id for _, e, _ in checked]
            since = now - window.max_age - window.max_future
            stored = self._stored_ids(org_id, site_id, ids, since)
        rows: dict[str, dict[str, Any]] = {}
        for index, event, micros in checked:
            if event.event_id in stored or event.event_id in rows:
                result.duplicates += 1
                result.duplicate_of[index] = event.event_id
                continue
            if event.type == "purchase":
                claim, holder = self._claim_order(org_id, site_id, event, micros)
                if claim == "duplicate":
                    result.duplicates += 1
                    result.duplicate_of[index] = holder
                    continue
                if claim == "conflict":
                    result.rejected.append(
                        Rejection(
                            index,
                            "order_id",
                            "this order was already recorded with a different value or currency",
                        )
                    )
                    continue
            rows[event.event_id] = event_row(
                org_id, site_id, event, micros, now, source=source, links=links
            )
        self._write(list(rows.values()))
        result.accepted = len(rows)
        result.rejected.sort(key=lambda r: r.index)
        return result

    def _stored_ids(
        self, org_id: str, site_id: str, event_ids: list[str], since: datetime
    ) -> set[str]:
        """Server-side sources only (module docstring): one warehouse query per request."""
        if not event_ids:
            return set()
        params = {
            "org_id": org_id,
            "site_id": site_id,
            "event_ids": sorted(set(event_ids)),
            "since_date": since.date(),
        }
        return {str(row["event_id"]) for row in self._warehouse.run(SEEN_SQL, params)}

    def _claim_order(
        self, org_id: str, site_id: str, event: TrackEvent, micros: int | None
    ) -> tuple[OrderClaim, str]:
        """The claim's outcome and the event id that holds the order."""
        assert event.order_id is not None  # a purchase requires it (events.TrackEvent)
        path = order_path(org_id, site_id, event.order_id)
        claim = {
            "org_id": org_id,
            "order_id": event.order_id,
            "event_id": event.event_id,
            "value_micros": micros,
            "currency": event.currency,
        }
        if self._store.create(path, claim):
            return "new", event.event_id
        held = self._store.get(path) or claim
        holder = str(held["event_id"])
        if held["value_micros"] != micros or held["currency"] != event.currency:
            return "conflict", holder
        if holder == event.event_id:
            return "new", holder  # resent, or its write failed: write again (stored once)
        return "duplicate", holder
