"""Organizations and their API keys as the API shows them (never with a secret)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from shared.auth import Role
from shared.model_base import ApiModel, Name


class Organization(BaseModel):
    org_id: str
    name: str
    created_at: datetime


class ApiKeyCreate(ApiModel):
    role: Role
    name: Name


class ApiKeyView(BaseModel):
    key_id: str
    role: Role
    name: str
    created_by: str
    created_at: datetime


class IssuedApiKey(ApiKeyView):
    """The only reply that ever carries the secret: shown once, at creation."""

    api_key: str
