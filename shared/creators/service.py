"""Creators: create, change, search, and record what scraping verified."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from shared.auth import Permission, Principal
from shared.campaigns.models import Platform
from shared.creators.models import (
    Creator,
    CreatorCreate,
    CreatorListQuery,
    CreatorUpdate,
    CreatorView,
    SocialProfile,
    SocialProfileInput,
)
from shared.creators.search import (
    INDEX_ORDER,
    best_matching_profile,
    index_entry,
    index_filters,
)
from shared.errors import NotFound
from shared.model_base import to_document
from shared.pagination import Page, cursor_scope, decode_cursor, encode_cursor
from shared.ports import Document, DocumentStore


def creators_collection(org_id: str) -> str:
    return f"orgs/{org_id}/creators"


def profile_index_collection(org_id: str) -> str:
    return f"orgs/{org_id}/creator_profiles"


def _index_path(org_id: str, creator_id: str, platform: str) -> str:
    return f"{profile_index_collection(org_id)}/{creator_id}__{platform}"


def _merge_profiles(
    stored: list[SocialProfile], sent: list[SocialProfileInput]
) -> list[SocialProfile]:
    by_platform = {p.platform: p for p in stored}
    for change in sent:
        current = by_platform.get(change.platform)
        verified = (
            current.model_dump(
                include={"verified_followers", "verified_engagement_rate", "verified_at"}
            )
            if current and current.username == change.username
            else {}
        )
        by_platform[change.platform] = SocialProfile(**change.model_dump(), **verified)
    return list(by_platform.values())


class CreatorService:
    def __init__(self, store: DocumentStore, max_page_size: int) -> None:
        self._store = store
        self._max_page_size = max_page_size

    def create(self, principal: Principal, request: CreatorCreate) -> CreatorView:
        principal.require(Permission.WRITE_CAMPAIGNS)
        now = datetime.now(UTC)
        creator = Creator(
            creator_id=secrets.token_hex(8),
            name=request.name,
            profiles=[SocialProfile(**p.model_dump()) for p in request.profiles],
            niches=request.niches,
            location=request.location,
            status=request.status,
            created_at=now,
            updated_at=now,
        )
        self._save(principal.org_id, creator, previous=None)
        return CreatorView.of(creator)

    def get(self, principal: Principal, creator_id: str) -> CreatorView:
        principal.require(Permission.READ)
        return CreatorView.of(self.load(principal.org_id, creator_id))

    def load(self, org_id: str, creator_id: str) -> Creator:
        data = self._store.get(f"{creators_collection(org_id)}/{creator_id}")
        if data is None:
            raise NotFound(f"creator {creator_id} not found", field="creator_id")
        return Creator.model_validate(data)

    def update(self, principal: Principal, creator_id: str, patch: CreatorUpdate) -> CreatorView:
        principal.require(Permission.WRITE_CAMPAIGNS)
        current = self.load(principal.org_id, creator_id)
        changes: dict[str, Any] = patch.model_dump(include=patch.model_fields_set - {"profiles"})
        if patch.profiles is not None:
            changes["profiles"] = _merge_profiles(current.profiles, patch.profiles)
        updated = current.model_copy(update={**changes, "updated_at": datetime.now(UTC)})
        self._save(principal.org_id, Creator.model_validate(updated.model_dump()), current)
        return CreatorView.of(updated)

    def record_verified(
        self,
        *,
        org_id: str,
        creator_id: str,
        platform: Platform,
        followers: int | None,
        engagement_rate: float | None,
        measured_at: datetime,
    ) -> None:
        """What a profile scrape measured; a later measurement never yields to an older one."""
        current = self.load(org_id, creator_id)
        profile = current.profile(platform)
        if profile is None or (profile.verified_at and profile.verified_at >= measured_at):
            return
        verified = profile.model_copy(
            update={
                "verified_followers": followers
                if followers is not None
                else profile.verified_followers,
                "verified_engagement_rate": engagement_rate,
                "verified_at": measured_at,
            }
        )
        profiles = [verified if p.platform == platform else p for p in current.profiles]
        self._save(org_id, current.model_copy(update={"profiles": profiles}), current)

    def list(self, principal: Principal, query: CreatorListQuery) -> Page[CreatorView]:
        principal.require(Permission.READ)
        limit = min(query.limit or self._max_page_size, self._max_page_size)
        index = profile_index_collection(principal.org_id)
        scope = cursor_scope(index, index_filters(query), INDEX_ORDER)
        position = decode_cursor(query.cursor, scope) if query.cursor else None
        found: list[CreatorView] = []
        while True:
            hits = self._hits(principal.org_id, query, position, limit)
            for hit in hits:
                position = [hit.data[field] for field, _ in INDEX_ORDER]
                creator = self.load(principal.org_id, hit.data["creator_id"])
                best = best_matching_profile(creator, query)
                if best is not None and best.platform.value == hit.data["platform"]:
                    found.append(CreatorView.of(creator))
                if len(found) == limit:
                    more = bool(self._hits(principal.org_id, query, position, 1))
                    cursor = encode_cursor(position, scope) if more else None
                    return Page[CreatorView](items=found, next_cursor=cursor)
            if len(hits) < limit:
                return Page[CreatorView](items=found, next_cursor=None)

    def _hits(
        self, org_id: str, query: CreatorListQuery, position: Sequence[Any] | None, limit: int
    ) -> Sequence[Document]:
        return self._store.query(
            profile_index_collection(org_id),
            where=index_filters(query),
            order_by=INDEX_ORDER,
            start_after=position,
            limit=limit,
        )

    def _save(self, org_id: str, creator: Creator, previous: Creator | None) -> None:
        sets = {f"{creators_collection(org_id)}/{creator.creator_id}": to_document(creator)}
        for profile in creator.profiles:
            path = _index_path(org_id, creator.creator_id, profile.platform.value)
            sets[path] = index_entry(creator, profile)
        kept = {p.platform for p in creator.profiles}
        removed = [
            p.platform.value
            for p in (previous.profiles if previous else [])
            if p.platform not in kept
        ]
        deletes = [_index_path(org_id, creator.creator_id, platform) for platform in removed]
        self._store.write_atomically(sets, deletes)
