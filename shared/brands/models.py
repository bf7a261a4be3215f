"""Brands: the advertisers an organization (an agency, or the brand itself) runs campaigns for."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, HttpUrl

from shared.model_base import ApiModel, Name, PageLimit, QueryModel, Text


class BrandCreate(ApiModel):
    name: Name
    website: Annotated[HttpUrl, Field(strict=False)] | None = None
    industry: Name | None = None
    description: Text | None = None


class Brand(BaseModel):
    brand_id: str
    name: str
    website: str | None
    industry: str | None
    description: str | None
    created_at: datetime
    created_by: str


class BrandListQuery(QueryModel):
    limit: PageLimit | None = None
    cursor: str | None = None
