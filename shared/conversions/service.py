"""Server-side conversions and the conversion records people read.

A conversion sent to POST /v1/conversions goes through the tracking intake (TrackIntake.record)
like a browser's event, with the server-side window (SERVER_MAX_AGE) and source 'api': a resend
of its event_id is stored once, and a purchase claims its order_id once (the same order with
another value or currency is refused). Reads are SQL over reachops.conversions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from shared.auth import Permission, Principal
from shared.campaigns.service import CampaignService
from shared.conversions.models import (
    DEFAULT_LIST_DAYS,
    KEPT_DAYS,
    MAX_SESSION_VIEWS,
    SERVER_WINDOW,
    Conversion,
    ConversionCreate,
    ConversionDetail,
    ConversionQuery,
    PageView,
    SessionView,
)
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.pagination import Page, decode_cursor, encode_cursor
from shared.ports import Warehouse
from shared.tracking.events import Rejection, check_event, event_row
from shared.tracking.intake import TrackIntake
from shared.tracking.sites import SiteService

PAGE_SQL = "queries/conversions_page.sql"
BY_ID_SQL = "queries/conversion_by_id.sql"
SESSION_SQL = "queries/conversion_session.sql"
UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "utm_id")
CLICK_IDS = ("fbclid", "gclid", "ttclid")


class ConversionService:
    def __init__(
        self,
        *,
        warehouse: Warehouse,
        intake: TrackIntake,
        sites: SiteService,
        campaigns: CampaignService,
        default_page_size: int,
        max_page_size: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        journey: Callable[[str, str, datetime], dict[str, Any]] | None = None,
    ) -> None:
        self._journey = journey  # shared/attribution: (org_id, conversion_id) -> touch path
        self._warehouse = warehouse
        self._intake = intake
        self._sites = sites
        self._campaigns = campaigns
        self._default_page_size = default_page_size
        self._max_page_size = max_page_size
        self._clock = clock

    def create(self, principal: Principal, raw: dict[str, Any]) -> tuple[bool, Conversion]:
        """(created, the conversion): created is False for a resend of a stored event_id or
        of an order already recorded with the same value, which answers the stored one."""
        principal.require(Permission.WRITE_CAMPAIGNS)
        now = self._clock()
        checked = check_event(0, raw, now, SERVER_WINDOW, ConversionCreate)
        if isinstance(checked, Rejection):
            raise ValidationFailed(f"{checked.field}: {checked.reason}", field=checked.field)
        event, micros = cast(ConversionCreate, checked[0]), checked[1]
        self._check_belongs(principal, event)
        site_id = event.site_id or ""
        links = {"campaign_id": event.campaign_id}
        result = self._intake.record(
            principal.org_id,
            site_id,
            [raw],
            source="api",
            window=SERVER_WINDOW,
            model=ConversionCreate,
            links=links,
        )
        if result.rejected:
            rejection = result.rejected[0]
            error = Conflict if rejection.field == "order_id" else ValidationFailed
            raise error(f"{rejection.field}: {rejection.reason}", field=rejection.field)
        if result.accepted:
            row = event_row(
                principal.org_id, site_id, event, micros, now, source="api", links=links
            )
            return True, Conversion.from_row(row)
        stored = self._find(principal.org_id, site_id, result.duplicate_of[0])
        if stored is None:  # the id is the site's page view or exposure, not a conversion
            raise Conflict("event_id: the site already has another event with it", field="event_id")
        return False, Conversion.from_row(stored)

    def list(self, principal: Principal, query: ConversionQuery) -> Page[Conversion]:
        principal.require(Permission.READ)
        limit = min(query.limit or self._default_page_size, self._max_page_size)
        to = query.to or self._clock().date()
        start = query.from_ or to - timedelta(days=DEFAULT_LIST_DAYS - 1)
        if to < start:
            raise ValidationFailed("query.from: is after to", field="query.from")
        scope = json.dumps(
            [
                "conversions",
                principal.org_id,
                query.type,
                query.campaign_id,
                query.source,
                query.goal_id,
                start.isoformat(),
                to.isoformat(),
            ]
        )
        after = decode_cursor(query.cursor, scope) if query.cursor else [None, None]
        if len(after) != 2:
            raise ValidationFailed("query.cursor: not a cursor of this list", field="query.cursor")
        rows = self._warehouse.run(
            PAGE_SQL,
            {
                "org_id": principal.org_id,
                "from_date": start,
                "to_date": to,
                "event_type": query.type,
                "campaign_id": query.campaign_id,
                "source": query.source,
                "goal_id": query.goal_id,
                "after_at": after[0],
                "after_id": after[1],
                "limit": limit + 1,
            },
        )
        items = [Conversion.from_row(row) for row in rows[:limit]]
        cursor = None
        if len(rows) > limit:
            last = items[-1]
            cursor = encode_cursor([last.occurred_at, last.conversion_id], scope)
        return Page[Conversion](items=items, next_cursor=cursor)

    def get(self, principal: Principal, conversion_id: str) -> ConversionDetail:
        principal.require(Permission.READ)
        site_id, _, event_id = conversion_id.partition("~")
        row = self._find(principal.org_id, site_id, event_id)
        if row is None:
            raise NotFound(f"conversion {conversion_id} not found", field="path.conversion_id")
        conversion = Conversion.from_row(row)
        session, reason = self._session(principal.org_id, conversion)
        journey = (
            self._journey(principal.org_id, conversion_id, conversion.occurred_at)
            if self._journey
            else None
        )
        return ConversionDetail(
            **conversion.model_dump(), session=session, session_reason=reason, journey=journey
        )

    def _check_belongs(self, principal: Principal, event: ConversionCreate) -> None:
        """The site and the campaign it names must be the organization's own."""
        if event.site_id is not None:
            try:
                self._sites.get(principal, event.site_id)
            except NotFound as exc:
                raise ValidationFailed(
                    f"site_id: site {event.site_id} is not one of this organization's",
                    field="site_id",
                ) from exc
        if event.campaign_id is not None:
            try:
                self._campaigns.get(principal, event.campaign_id)
            except NotFound as exc:
                raise ValidationFailed(
                    f"campaign_id: campaign {event.campaign_id} is not one of this organization's",
                    field="campaign_id",
                ) from exc

    def _find(self, org_id: str, site_id: str, event_id: str) -> dict[str, Any] | None:
        rows = self._warehouse.run(
            BY_ID_SQL,
            {
                "org_id": org_id,
                "site_id": site_id,
                "conversion_id": f"{site_id}~{event_id}",
                "since_date": self._clock().date() - timedelta(days=KEPT_DAYS),
            },
        )
        return {**rows[0], "event_id": event_id} if rows else None

    def _session(
        self, org_id: str, conversion: Conversion
    ) -> tuple[SessionView | None, str | None]:
        if conversion.site_id is None or conversion.session_id is None:
            return None, "the conversion names no site and session"
        day: date = conversion.occurred_at.date()
        rows = self._warehouse.run(
            SESSION_SQL,
            {
                "org_id": org_id,
                "site_id": conversion.site_id,
                "session_id": conversion.session_id,
                "day": day,
                "limit": MAX_SESSION_VIEWS,
            },
        )
        if not rows:
            return None, "no page view of this session was tracked"
        views = [
            PageView(
                event_id=row["event_id"],
                occurred_at=_utc(row["occurred_at"]),
                url=row["url"],
                referrer=row["referrer"],
                utm={name: row[name] for name in UTM},
                click_ids={name: row[name] for name in CLICK_IDS},
            )
            for row in rows
        ]
        session = SessionView(
            session_id=conversion.session_id,
            landing_url=views[0].url,
            referrer=views[0].referrer,
            page_views=views,
        )
        return session, None


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
