"""API keys, principals, roles and what each role may do.

A key reads `ro_<key_id>_<secret>`. Only a SHA-256 of the secret is stored (the secret is 256
random bits, so a fast hash is enough); the key id finds the record without scanning.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.errors import Forbidden, Unauthenticated
from shared.ports import DocumentStore

KEY_PREFIX = "ro"
API_KEYS = "api_keys"
SITE_KEYS = "site_keys"  # publishable site keys: sha256 -> {org_id, site_id} (shared/tracking)
_KEY_ID = re.compile(r"[0-9a-f]{16}")


class Role(StrEnum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"
    VIEWER = "VIEWER"


class Permission(StrEnum):
    READ = "read"
    WRITE_CAMPAIGNS = "write_campaigns"
    MANAGE_BRANDS = "manage_brands"
    MANAGE_KEYS = "manage_keys"
    MANAGE_SETTINGS = "manage_settings"
    DELETE_ORG = "delete_org"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.MEMBER: frozenset({Permission.READ, Permission.WRITE_CAMPAIGNS}),
    Role.ADMIN: frozenset(
        {
            Permission.READ,
            Permission.WRITE_CAMPAIGNS,
            Permission.MANAGE_BRANDS,
            Permission.MANAGE_KEYS,
            Permission.MANAGE_SETTINGS,
        }
    ),
    Role.OWNER: frozenset(Permission),
}

ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


@dataclass(frozen=True)
class Principal:
    """The caller: which organization it acts for, through which key, with which role."""

    org_id: str
    key_id: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise Forbidden(f"role {self.role} may not {permission.value.replace('_', ' ')}")

    def may_grant(self, role: Role) -> bool:
        """No key can mint a key stronger than itself."""
        return ROLE_RANK[role] <= ROLE_RANK[self.role]


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    api_key: str
    record: dict[str, Any]


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_key(org_id: str, role: Role, name: str, created_by: str) -> IssuedKey:
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    record = {
        "key_id": key_id,
        "org_id": org_id,
        "role": role.value,
        "name": name,
        "secret_sha256": _hash_secret(secret),
        "created_by": created_by,
        "revoked": False,
    }
    return IssuedKey(key_id=key_id, api_key=f"{KEY_PREFIX}_{key_id}_{secret}", record=record)


def authenticate(store: DocumentStore, authorization: str | None) -> Principal:
    if not authorization:
        raise Unauthenticated("missing Authorization header", field="header.Authorization")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("use 'Authorization: Bearer <api key>'", field="header.Authorization")
    prefix, _, rest = token.strip().partition("_")
    key_id, _, secret = rest.partition("_")
    well_formed = prefix == KEY_PREFIX and _KEY_ID.fullmatch(key_id) is not None
    record = store.get(f"{API_KEYS}/{key_id}") if well_formed else None
    if (
        record is None
        or record.get("revoked")
        or not hmac.compare_digest(record["secret_sha256"], _hash_secret(secret))
    ):
        raise Unauthenticated("invalid or revoked API key", field="header.Authorization")
    return Principal(org_id=record["org_id"], key_id=key_id, role=Role(record["role"]))
