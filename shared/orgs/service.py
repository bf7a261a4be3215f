"""Organizations and API keys: the tenancy every other record is scoped by."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from shared.auth import API_KEYS, Permission, Principal, Role, issue_key
from shared.errors import Forbidden, NotFound
from shared.orgs.deletion import OrgDeletion, Tombstones, tombstone_path
from shared.orgs.models import ApiKeyCreate, ApiKeyView, IssuedApiKey, Organization
from shared.ports import WRITE_BATCH_LIMIT, DocumentStore

BOOTSTRAP_ACTOR = "bootstrap"


def org_path(org_id: str) -> str:
    return f"orgs/{org_id}"


class OrgService:
    def __init__(self, store: DocumentStore, tombstones: Tombstones) -> None:
        self._store = store
        self._tombstones = tombstones

    def create_org(self, name: str) -> tuple[Organization, IssuedApiKey]:
        """Bootstrap (CLI/operator only): a new organization and its first OWNER key."""
        org = Organization(org_id=secrets.token_hex(8), name=name, created_at=datetime.now(UTC))
        self._store.set(org_path(org.org_id), org.model_dump())
        key = self._issue(org.org_id, Role.OWNER, "owner (bootstrap)", BOOTSTRAP_ACTOR)
        return org, key

    def create_key(self, principal: Principal, request: ApiKeyCreate) -> IssuedApiKey:
        principal.require(Permission.MANAGE_KEYS)
        if not principal.may_grant(request.role):
            raise Forbidden(
                f"a {principal.role} key cannot create a {request.role} key", field="role"
            )
        return self._issue(principal.org_id, request.role, request.name, principal.key_id)

    def create_key_for_org(self, org_id: str, role: Role, name: str) -> IssuedApiKey:
        """Operator path (CLI): the organization must exist, and not be deleted."""
        self._tombstones.refuse_if_deleted(org_id)
        if self._store.get(org_path(org_id)) is None:
            raise NotFound(f"organization {org_id} not found", field="org")
        return self._issue(org_id, role, name, BOOTSTRAP_ACTOR)

    def list_keys(self, principal: Principal) -> list[ApiKeyView]:
        principal.require(Permission.MANAGE_KEYS)
        documents = self._store.query(
            API_KEYS,
            where=[("org_id", "==", principal.org_id), ("revoked", "==", False)],
            order_by=[("created_at", "asc")],
        )
        return [ApiKeyView.model_validate(d.data) for d in documents]

    def revoke_key(self, principal: Principal, key_id: str) -> None:
        principal.require(Permission.MANAGE_KEYS)
        record = self._store.get(f"{API_KEYS}/{key_id}")
        if record is None or record["org_id"] != principal.org_id or record["revoked"]:
            raise NotFound(f"API key {key_id} not found", field="key_id")
        if not principal.may_grant(Role(record["role"])):
            raise Forbidden(f"a {principal.role} key cannot revoke a {record['role']} key")
        self._store.set(f"{API_KEYS}/{key_id}", {**record, "revoked": True})

    def get_org(self, principal: Principal) -> Organization:
        principal.require(Permission.READ)
        data = self._store.get(org_path(principal.org_id))
        if data is None:
            raise NotFound("organization not found")
        return Organization.model_validate(data)

    def delete_org(self, principal: Principal) -> OrgDeletion:
        """Revokes every key of the organization, writes its tombstone and removes the
        organization's own document (so the scheduled passes over all organizations skip it);
        the scheduled purge (shared/orgs/purge.py) deletes the rest.

        The tombstone is written with the last batch of revocations, which holds the caller's
        own key: if a batch fails before it, the caller can still ask again.
        """
        principal.require(Permission.DELETE_ORG)
        keys = self._store.query(
            API_KEYS, where=[("org_id", "==", principal.org_id), ("revoked", "==", False)]
        )
        keys.sort(key=lambda document: document.id == principal.key_id)
        revocations = [
            (f"{API_KEYS}/{document.id}", {**document.data, "revoked": True}) for document in keys
        ]
        deletion = OrgDeletion(
            org_id=principal.org_id,
            requested_at=datetime.now(UTC),
            requested_by=principal.key_id,
            keys_revoked=len(revocations),
        )
        last = WRITE_BATCH_LIMIT - 2  # the last batch also writes the tombstone, deletes the org
        head, tail = revocations[:-last], revocations[-last:]
        for start in range(0, len(head), WRITE_BATCH_LIMIT):
            self._store.write_atomically(dict(head[start : start + WRITE_BATCH_LIMIT]))
        tombstone = {tombstone_path(principal.org_id): deletion.model_dump(mode="python")}
        self._store.write_atomically(
            {**tombstone, **dict(tail)}, deletes=[org_path(principal.org_id)]
        )
        self._tombstones.mark_deleted(principal.org_id)
        return deletion

    def _issue(self, org_id: str, role: Role, name: str, created_by: str) -> IssuedApiKey:
        issued = issue_key(org_id, role, name, created_by)
        record = {**issued.record, "created_at": datetime.now(UTC)}
        self._store.set(f"{API_KEYS}/{issued.key_id}", record)
        return IssuedApiKey(
            api_key=issued.api_key, **ApiKeyView.model_validate(record).model_dump()
        )
