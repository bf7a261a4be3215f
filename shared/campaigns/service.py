"""Campaigns: create, read, change, move through their lifecycle, and publish what happened."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from shared.auth import Permission, Principal
from shared.brands.service import BrandService
from shared.campaigns.lifecycle import (
    EDITABLE_FIELDS,
    TRANSITIONS,
    Action,
    local_today,
    readiness_failures,
    transition,
)
from shared.campaigns.models import (
    ActivityEntry,
    ActivityQuery,
    Campaign,
    CampaignCreate,
    CampaignFields,
    CampaignListQuery,
    CampaignStatus,
    CampaignUpdate,
)
from shared.errors import Conflict, NotFound, NotReady, ValidationFailed
from shared.events import Actor, DomainEvent
from shared.model_base import to_document
from shared.outbox import Outbox, with_events
from shared.pagination import Page, fetch_page
from shared.ports import DocumentStore, FilterOp

CAMPAIGN_UPDATED = "campaign.updated"  # data["changed"]: the fields the patch named


def campaigns_collection(org_id: str) -> str:
    return f"orgs/{org_id}/campaigns"


def activity_collection(org_id: str, campaign_id: str) -> str:
    return f"{campaigns_collection(org_id)}/{campaign_id}/activity"


def _actor(principal: Principal) -> Actor:
    return Actor(kind="api_key", id=principal.key_id, role=principal.role.value)


def _now() -> datetime:
    return datetime.now(UTC)


class CampaignService:
    def __init__(
        self,
        store: DocumentStore,
        outbox: Outbox,
        brands: BrandService,
        max_page_size: int,
        now: Callable[[], datetime] = _now,
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._brands = brands
        self._max_page_size = max_page_size
        self._now = now

    def create(self, principal: Principal, request: CampaignCreate) -> Campaign:
        principal.require(Permission.WRITE_CAMPAIGNS)
        self._brands.get(principal, request.brand_id)
        now = datetime.now(UTC)
        campaign = Campaign(
            **request.model_dump(),
            campaign_id=secrets.token_hex(8),
            status=CampaignStatus.DRAFT,
            version=1,
            created_at=now,
            created_by=principal.key_id,
            updated_at=now,
        )
        event = self._event(principal, campaign, "campaign.created", {"status": campaign.status})
        document = {**to_document(campaign), **with_events(None, [event])}
        self._store.set(self._path(principal, campaign.campaign_id), document)
        self.flush_outbox(principal.org_id, campaign.campaign_id)
        return campaign

    def get(self, principal: Principal, campaign_id: str) -> Campaign:
        principal.require(Permission.READ)
        return self.load(principal.org_id, campaign_id)

    def load(self, org_id: str, campaign_id: str) -> Campaign:
        """For the platform's own handlers, which act for an organization, not a caller."""
        data = self._store.get(f"{campaigns_collection(org_id)}/{campaign_id}")
        if data is None:
            raise NotFound(f"campaign {campaign_id} not found", field="campaign_id")
        return Campaign.model_validate(data)

    def list(self, principal: Principal, query: CampaignListQuery) -> Page[Campaign]:
        principal.require(Permission.READ)
        where: list[tuple[str, FilterOp, Any]] = []
        if query.status:
            where.append(("status", "==", query.status.value))
        if query.brand_id:
            where.append(("brand_id", "==", query.brand_id))
        documents, next_cursor = fetch_page(
            self._store,
            campaigns_collection(principal.org_id),
            where=where,
            order_by=[("created_at", "desc"), ("campaign_id", "desc")],
            cursor=query.cursor,
            limit=min(query.limit or self._max_page_size, self._max_page_size),
        )
        items = [Campaign.model_validate(d.data) for d in documents]
        return Page[Campaign](items=items, next_cursor=next_cursor)

    def update(self, principal: Principal, campaign_id: str, patch: CampaignUpdate) -> Campaign:
        principal.require(Permission.WRITE_CAMPAIGNS)
        changes = patch.model_dump(include=patch.model_fields_set)

        def apply(current: Campaign) -> Campaign:
            editable = EDITABLE_FIELDS[current.status]
            for field in sorted(changes):
                if field not in editable:
                    raise Conflict(
                        f"{field} cannot change while the campaign is {current.status}",
                        field=field,
                    )
            merged = CampaignFields.model_validate(
                {**current.model_dump(include=set(CampaignFields.model_fields)), **changes},
                strict=False,
            )
            running = current.status != CampaignStatus.DRAFT
            today = self._today_in(merged.timezone)
            if running and merged.end_date is not None and merged.end_date < today:
                raise ValidationFailed("end_date would be in the past", field="end_date")
            return current.model_copy(update=merged.model_dump())

        return self._change(
            principal,
            campaign_id,
            apply,
            lambda _current, _changed: (CAMPAIGN_UPDATED, {"changed": sorted(changes)}),
        )

    def _today_in(self, timezone: str) -> date:
        return local_today(self._now(), timezone)

    def perform(self, principal: Principal, campaign_id: str, action: Action) -> Campaign:
        principal.require(Permission.WRITE_CAMPAIGNS)

        def apply(current: Campaign) -> Campaign:
            rule = transition(current.status, action)
            if action is Action.ACTIVATE:
                _require_ready(current, self._today_in(current.timezone))
            now = datetime.now(UTC)
            stamps: dict[str, Any] = {"status": rule.to}
            if rule.to is CampaignStatus.ACTIVE and current.activated_at is None:
                stamps["activated_at"] = now
            if rule.to is CampaignStatus.COMPLETED:
                stamps["completed_at"] = now
            return current.model_copy(update=stamps)

        return self._change(
            principal,
            campaign_id,
            apply,
            lambda current, changed: (
                TRANSITIONS[action].event_type,
                {"from": current.status, "to": changed.status},
            ),
        )

    def activity(
        self, principal: Principal, campaign_id: str, query: ActivityQuery
    ) -> Page[ActivityEntry]:
        self.get(principal, campaign_id)
        documents, next_cursor = fetch_page(
            self._store,
            activity_collection(principal.org_id, campaign_id),
            order_by=[("occurred_at", "asc"), ("event_id", "asc")],
            cursor=query.cursor,
            limit=min(query.limit or self._max_page_size, self._max_page_size),
        )
        items = [ActivityEntry.model_validate(d.data) for d in documents]
        return Page[ActivityEntry](items=items, next_cursor=next_cursor)

    def _change(
        self,
        principal: Principal,
        campaign_id: str,
        apply: Callable[[Campaign], Campaign],
        describe: Callable[[Campaign, Campaign], tuple[str, dict[str, Any]]],
    ) -> Campaign:
        """Read-change-write in one transaction; version and updated_at move with every write,
        and the change's event is written to the campaign's outbox in the same transaction."""

        def change(data: dict[str, Any] | None) -> dict[str, Any]:
            if data is None:
                raise NotFound(f"campaign {campaign_id} not found", field="campaign_id")
            current = Campaign.model_validate(data)
            try:
                changed = apply(current)
            except ValidationError as exc:
                raise ValidationFailed.from_pydantic(exc) from exc
            bumped = changed.model_copy(
                update={"version": current.version + 1, "updated_at": datetime.now(UTC)}
            )
            event_type, details = describe(current, bumped)
            event = self._event(principal, bumped, event_type, details)
            return {**to_document(bumped), **with_events(data, [event])}

        principal.require(Permission.WRITE_CAMPAIGNS)
        path = self._path(principal, campaign_id)
        campaign = Campaign.model_validate(self._store.update_atomically(path, change))
        self.flush_outbox(principal.org_id, campaign_id)
        return campaign

    def flush_outbox(self, org_id: str, campaign_id: str) -> int:
        """Publish the campaign's pending events (shared/outbox.py: a failure leaves them for
        the scheduled relay, and never fails the change)."""
        return self._outbox.flush(f"{campaigns_collection(org_id)}/{campaign_id}")

    def _event(
        self, principal: Principal, campaign: Campaign, event_type: str, data: dict[str, Any]
    ) -> DomainEvent:
        return DomainEvent(
            event_id=f"{campaign.campaign_id}.v{campaign.version}",
            type=event_type,
            org_id=principal.org_id,
            subject_id=campaign.campaign_id,
            actor=_actor(principal),
            data={"campaign_name": campaign.name, **data},
        )

    def _path(self, principal: Principal, campaign_id: str) -> str:
        return f"{campaigns_collection(principal.org_id)}/{campaign_id}"


def _require_ready(campaign: Campaign, today: date) -> None:
    failures = readiness_failures(campaign, today)
    if failures:
        raise NotReady(
            f"campaign is not ready to activate: {len(failures)} check(s) failed",
            field=failures[0].field,
            details=[vars(failure) for failure in failures],
        )
