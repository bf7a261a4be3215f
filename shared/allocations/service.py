"""Matching creators to active campaigns, and people accepting or declining them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from shared.allocations.matching import (
    Candidate,
    candidate_from_index,
    rank_candidates,
    reasons_for,
    split_budget,
)
from shared.allocations.models import Allocation, AllocationBook, AllocationStatus
from shared.auth import Permission, Principal
from shared.campaigns.models import Campaign, CampaignStatus
from shared.campaigns.service import CampaignService
from shared.creators.service import profile_index_collection
from shared.errors import Conflict, NotFound
from shared.events import Actor, DomainEvent
from shared.outbox import Outbox, with_events
from shared.ports import DocumentStore, FilterOp

METRICS_STALE = "campaign.metrics_stale"
ALLOCATION_ACCEPTED = "allocation.accepted"  # the creator's posts are checked against it again


def allocations_collection(org_id: str) -> str:
    return f"orgs/{org_id}/campaign_allocations"


def book_path(org_id: str, campaign_id: str) -> str:
    return f"{allocations_collection(org_id)}/{campaign_id}"


class AllocationService:
    def __init__(self, store: DocumentStore, campaigns: CampaignService, outbox: Outbox) -> None:
        self._store = store
        self._campaigns = campaigns
        self._outbox = outbox

    def fill(self, org_id: str, campaign_id: str) -> AllocationBook:
        """Allocate creators to every open slot of an active campaign (safe to repeat)."""
        campaign = self._campaigns.load(org_id, campaign_id)
        if campaign.status is not CampaignStatus.ACTIVE:
            return self.book(org_id, campaign_id)
        candidates = self.eligible(org_id, campaign)
        return self._change_book(
            org_id, campaign_id, lambda book: (_fill_open_slots(book, campaign, candidates), [])
        )

    def book(self, org_id: str, campaign_id: str) -> AllocationBook:
        data = self._store.get(book_path(org_id, campaign_id))
        return AllocationBook.model_validate(data or {"campaign_id": campaign_id})

    def allocations(self, principal: Principal, campaign_id: str) -> list[Allocation]:
        self._campaigns.get(principal, campaign_id)
        return self.book(principal.org_id, campaign_id).allocations

    def get(self, principal: Principal, campaign_id: str, allocation_id: str) -> Allocation:
        for allocation in self.allocations(principal, campaign_id):
            if allocation.allocation_id == allocation_id:
                return allocation
        raise NotFound(f"allocation {allocation_id} not found", field="allocation_id")

    def decide(
        self, principal: Principal, campaign_id: str, allocation_id: str, accept: bool
    ) -> Allocation:
        """Accept or decline in one transaction that also writes the decision's events to the
        book's outbox; repeating the same decision (a client's retry) changes nothing and
        answers the same, the opposite decision is a conflict."""
        principal.require(Permission.WRITE_CAMPAIGNS)
        campaign = self._campaigns.get(principal, campaign_id)
        candidates = [] if accept else self.eligible(principal.org_id, campaign)
        wanted = AllocationStatus.ACCEPTED if accept else AllocationStatus.DECLINED
        actor = Actor(id=principal.key_id, role=principal.role.value)

        def change(book: AllocationBook) -> tuple[AllocationBook, list[DomainEvent]]:
            target = next((a for a in book.allocations if a.allocation_id == allocation_id), None)
            if target is None:
                raise NotFound(f"allocation {allocation_id} not found", field="allocation_id")
            if target.status is wanted:
                return book, []
            if target.status is not AllocationStatus.PENDING:
                raise Conflict(f"allocation is already {target.status}", field="status")
            target.status = wanted
            target.decided_at = datetime.now(UTC)
            target.decided_by = principal.key_id
            events = _decision_events(principal.org_id, campaign_id, target, actor)
            if accept or campaign.status is not CampaignStatus.ACTIVE:
                return book, events
            return _fill_open_slots(book, campaign, candidates), events

        book = self._change_book(principal.org_id, campaign_id, change)
        return next(a for a in book.allocations if a.allocation_id == allocation_id)

    def eligible(self, org_id: str, campaign: Campaign) -> list[Candidate]:
        candidates: list[Candidate] = []
        for platform in campaign.platforms:
            where: list[tuple[str, FilterOp, Any]] = [
                ("platform", "==", platform.value),
                ("status", "==", "active"),
            ]
            if campaign.audience_size:
                where.append(("tier", "==", campaign.audience_size.value))
            if campaign.target_location:
                where.append(("location", "==", str(campaign.target_location)))
            for hit in self._store.query(profile_index_collection(org_id), where=where):
                candidate = candidate_from_index(hit.data)
                if candidate is not None:
                    candidates.append(candidate)
        return rank_candidates(candidates)

    def _change_book(
        self,
        org_id: str,
        campaign_id: str,
        change: Callable[[AllocationBook], tuple[AllocationBook, list[DomainEvent]]],
    ) -> AllocationBook:
        def apply(data: dict[str, Any] | None) -> dict[str, Any]:
            book = AllocationBook.model_validate(data or {"campaign_id": campaign_id})
            changed, events = change(book)
            return {**changed.model_dump(mode="json"), **with_events(data, events)}

        path = book_path(org_id, campaign_id)
        stored = self._store.update_atomically(path, apply)
        self._outbox.flush(path)
        return AllocationBook.model_validate(stored)


def _decision_events(
    org_id: str, campaign_id: str, decided: Allocation, actor: Actor
) -> list[DomainEvent]:
    """A decision makes the campaign's metrics stale; an acceptance also has the creator's
    earlier posts (ingested unchecked against this campaign) detected again."""
    events = [
        DomainEvent(
            event_id=f"{decided.allocation_id}:{decided.status.value}",
            type=METRICS_STALE,
            org_id=org_id,
            subject_id=campaign_id,
            actor=actor,
            data={"campaign_ids": [campaign_id], "allocation_id": decided.allocation_id},
        )
    ]
    if decided.status is AllocationStatus.ACCEPTED:
        events.append(
            DomainEvent(
                event_id=f"{campaign_id}.{decided.allocation_id}:accepted",
                type=ALLOCATION_ACCEPTED,
                org_id=org_id,
                subject_id=campaign_id,
                actor=actor,
                data={"allocation_id": decided.allocation_id, "creator_id": decided.creator_id},
            )
        )
    return events


def _fill_open_slots(
    book: AllocationBook, campaign: Campaign, ranked: list[Candidate]
) -> AllocationBook:
    fees = split_budget(campaign.budget, campaign.creators_wanted)
    taken = {a.slot for a in book.live()}
    open_slots = [slot for slot in range(campaign.creators_wanted) if slot not in taken]
    already = book.creator_ids()
    fresh = [c for c in ranked if c.creator_id not in already]
    now = datetime.now(UTC)
    for slot, candidate in zip(open_slots, fresh, strict=False):
        rank = ranked.index(candidate) + 1
        book.allocations.append(
            Allocation(
                allocation_id=f"{candidate.creator_id}-{candidate.platform}",
                campaign_id=campaign.campaign_id,
                creator_id=candidate.creator_id,
                platform=candidate.platform,
                username=candidate.username,
                status=AllocationStatus.PENDING,
                fee=fees[slot],
                currency=campaign.currency,
                slot=slot,
                rank=rank,
                reasons=reasons_for(candidate, rank, len(ranked)),
                followers=candidate.followers,
                engagement_rate=candidate.engagement_rate,
                verified=candidate.verified,
                created_at=now,
            )
        )
    return book
