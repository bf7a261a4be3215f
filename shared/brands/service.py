"""Brands, scoped to their organization."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from shared.auth import Permission, Principal
from shared.brands.models import Brand, BrandCreate, BrandListQuery
from shared.errors import NotFound
from shared.pagination import Page, fetch_page
from shared.ports import DocumentStore


def brands_collection(org_id: str) -> str:
    return f"orgs/{org_id}/brands"


class BrandService:
    def __init__(self, store: DocumentStore, max_page_size: int) -> None:
        self._store = store
        self._max_page_size = max_page_size

    def create(self, principal: Principal, request: BrandCreate) -> Brand:
        principal.require(Permission.MANAGE_BRANDS)
        brand = Brand(
            brand_id=secrets.token_hex(8),
            name=request.name,
            website=str(request.website) if request.website else None,
            industry=request.industry,
            description=request.description,
            created_at=datetime.now(UTC),
            created_by=principal.key_id,
        )
        self._store.set(
            f"{brands_collection(principal.org_id)}/{brand.brand_id}", brand.model_dump()
        )
        return brand

    def get(self, principal: Principal, brand_id: str) -> Brand:
        principal.require(Permission.READ)
        data = self._store.get(f"{brands_collection(principal.org_id)}/{brand_id}")
        if data is None:
            raise NotFound(f"brand {brand_id} not found", field="brand_id")
        return Brand.model_validate(data)

    def list(self, principal: Principal, query: BrandListQuery) -> Page[Brand]:
        principal.require(Permission.READ)
        limit = min(query.limit or self._max_page_size, self._max_page_size)
        documents, next_cursor = fetch_page(
            self._store,
            brands_collection(principal.org_id),
            order_by=[("created_at", "desc"), ("brand_id", "desc")],
            cursor=query.cursor,
            limit=limit,
        )
        brands = [Brand.model_validate(d.data) for d in documents]
        return Page[Brand](items=brands, next_cursor=next_cursor)
