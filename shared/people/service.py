"""Persons: found or created by the keyed hash of their email, with anonymous visitors linked
to them.

One person per email and organization: `orgs/{org}/person_emails/{email_hash}` is claimed
with a transaction before the person is written, so two intakes naming one new email at once
agree on one person. The person (`orgs/{org}/people/{person_id}`) keeps the email encrypted
and its hash; the warehouse gets the hash only (reachops.people), and the visitor links
(reachops.person_visitors, first link wins), which the journey view joins, so a visitor's
sessions from before the link join the person's journey without rewriting any event.

A person may also carry social handles (shared/people/social.py: one person's each, mirrored
to reachops.person_social_handles), which bring the comments those handles wrote on the
organization's campaign posts into the journey.

Every write is idempotent: a repeated resolve or link changes nothing but last_seen_at, and a
person whose warehouse copy failed is mirrored again by the next resolve that names them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from pydantic import TypeAdapter, ValidationError

from shared.auth import Permission, Principal
from shared.errors import Conflict, NotFound, Unavailable, ValidationFailed
from shared.people.erasure import ErasureReport, PersonErasure
from shared.people.models import (
    Email,
    LinkedPerson,
    LinkPersonInteractions,
    Person,
    PersonCreate,
    PersonUpdate,
)
from shared.people.pii import PiiCipher
from shared.people.records import (
    PEOPLE_KEY,
    PEOPLE_TABLE,
    VISITORS_KEY,
    VISITORS_TABLE,
    email_claim_path,
    person_path,
)
from shared.people.social import HandleRegistry, stored_handles
from shared.ports import DocumentStore, Warehouse

_EMAIL = TypeAdapter(Email)
SEEN_RESOLUTION = timedelta(minutes=1)
"""last_seen_at is kept to the minute: a person resolved again within it is not rewritten."""


def _seen(current: dict[str, Any] | None, *, now: datetime, name: str | None) -> dict[str, Any]:
    if current is None:
        raise NotFound("the person was erased while being resolved", field="email")
    changed = {**current, "last_seen_at": max(current["last_seen_at"], now)}
    if name is not None and current.get("name") != name:
        changed.update(name=name, updated_at=now)
    return changed


class PeopleService:
    def __init__(
        self,
        store: DocumentStore,
        warehouse: Warehouse,
        cipher: Callable[[], PiiCipher],
        erasure: PersonErasure,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`cipher` is built on first use: only the functions that use `pii` hold its keys."""
        self._store = store
        self._warehouse = warehouse
        self._cipher = cipher
        self._erasure = erasure
        self._clock = clock
        self._handles = HandleRegistry(store, warehouse, clock)

    def resolve(
        self,
        org_id: str,
        *,
        email: str | None,
        visitor_id: str | None,
        source: str,
        name: str | None = None,
    ) -> str | None:
        """The person an email names (created when new), with the visitor linked to them; with
        only a visitor, the person it is linked to; None when neither names anyone."""
        if email is None:
            return self.person_of_visitor(org_id, visitor_id) if visitor_id else None
        try:
            address = str(_EMAIL.validate_python(email))
        except ValidationError as exc:
            raise ValidationFailed("email: is not an email address", field="email") from exc
        person_id = self._person_for(org_id, address, name)
        if visitor_id:
            self._link(org_id, visitor_id, person_id, source)
        return person_id

    def link(self, principal: Principal, request: LinkPersonInteractions) -> LinkedPerson:
        """A visitor already linked to someone else stays theirs: a 409 naming visitor_id."""
        principal.require(Permission.WRITE_CAMPAIGNS)
        org_id = principal.org_id
        before = self.person_of_visitor(org_id, request.visitor_id)
        if before is not None:
            claim = self._store.get(
                email_claim_path(org_id, self._cipher().email_hash(request.email))
            )
            if claim is None or claim["person_id"] != before:
                raise Conflict(
                    f"visitor {request.visitor_id} is linked to another person",
                    field="visitor_id",
                )
        person_id = self._person_for(org_id, str(request.email), request.name)
        self._link(org_id, request.visitor_id, person_id, request.source)
        return LinkedPerson(
            person_id=person_id, visitor_id=request.visitor_id, linked=before is None
        )

    def create(self, principal: Principal, request: PersonCreate) -> tuple[bool, Person]:
        """(whether the email named nobody before, the person). Sending it again changes
        nothing; handles given are added to the person's, a handle another person holds is a
        409 naming social_handles."""
        principal.require(Permission.WRITE_CAMPAIGNS)
        org_id = principal.org_id
        known = self._store.get(email_claim_path(org_id, self._cipher().email_hash(request.email)))
        for handle in request.social_handles or ():
            self._handles.check_free(org_id, known["person_id"] if known else None, handle)
        person_id = self._person_for(org_id, str(request.email), request.name)
        if request.social_handles:
            data = self._store.get(person_path(org_id, person_id)) or {}
            had = stored_handles(data)
            added = [h for h in request.social_handles if h not in had]
            self._handles.assign(org_id, person_id, had + added)
        return known is None, self.get(principal, person_id)

    def update(self, principal: Principal, person_id: str, request: PersonUpdate) -> Person:
        """The fields sent replace the person's (PersonUpdate); a repeat changes nothing."""
        principal.require(Permission.WRITE_CAMPAIGNS)
        org_id = principal.org_id
        path = person_path(org_id, person_id)
        if self._store.get(path) is None:
            raise NotFound(f"person {person_id} not found", field="path.person_id")
        if "name" in request.model_fields_set:
            now = self._clock()

            def rename(current: dict[str, Any] | None) -> dict[str, Any]:
                if current is None:
                    raise NotFound(f"person {person_id} not found", field="path.person_id")
                if current.get("name") == request.name:
                    return current
                return {**current, "name": request.name, "updated_at": now}

            self._store.update_atomically(path, rename)
        if request.social_handles is not None:
            self._handles.assign(org_id, person_id, request.social_handles)
        return self.get(principal, person_id)

    def get(self, principal: Principal, person_id: str) -> Person:
        principal.require(Permission.READ)
        data = self._store.get(person_path(principal.org_id, person_id))
        if data is None:
            raise NotFound(f"person {person_id} not found", field="path.person_id")
        encrypted = data.get("email_encrypted")
        readable = principal.can(Permission.MANAGE_SETTINGS)  # the one rule (models.py)
        visitors = self.visitors_of(principal.org_id, person_id)
        return Person(
            person_id=person_id,
            email=self._cipher().decrypt(encrypted) if encrypted and readable else None,
            email_hidden=bool(encrypted) and not readable,
            name=data.get("name"),
            visitor_ids=visitors,
            social_handles=stored_handles(data),
            created_at=data["created_at"],
            updated_at=data["updated_at"],
            first_seen_at=data["first_seen_at"],
            last_seen_at=data["last_seen_at"],
        )

    def erase(self, principal: Principal, person_id: str) -> ErasureReport:
        """Everything that names the person, everywhere (shared/people/erasure.py); a repeat,
        or an id that names nobody, erases nothing and succeeds."""
        principal.require(Permission.MANAGE_SETTINGS)
        return self._erasure.erase(principal.org_id, person_id)

    def person_of_visitor(self, org_id: str, visitor_id: str) -> str | None:
        rows = self._warehouse.run(
            "queries/person_of_visitor.sql", {"org_id": org_id, "visitor_id": visitor_id}
        )
        return str(rows[0]["person_id"]) if rows else None

    def visitors_of(self, org_id: str, person_id: str) -> list[str]:
        rows = self._warehouse.run(
            "queries/person_visitor_ids.sql", {"org_id": org_id, "person_id": person_id}
        )
        return [str(row["visitor_id"]) for row in rows]

    def _person_for(self, org_id: str, email: str, name: str | None) -> str:
        """Reads first and writes only what is missing (create-if-absent, no transaction on
        the hot path), so many intakes naming one email at once contend on nothing."""
        cipher = self._cipher()
        email_hash = cipher.email_hash(email)
        claim_path = email_claim_path(org_id, email_hash)
        claim = self._store.get(claim_path)
        if claim is None:
            self._store.create(claim_path, {"person_id": secrets.token_hex(8)})
            claim = self._store.get(claim_path)  # ours, or the one that won the race
            if claim is None:
                raise Unavailable("the person was erased while being resolved; send it again")
        person_id = str(claim["person_id"])
        path = person_path(org_id, person_id)
        now = self._clock()
        data = self._store.get(path)
        if data is None:
            fresh: dict[str, Any] = {
                "person_id": person_id,
                "email_encrypted": cipher.encrypt(email),
                "email_hash": email_hash,
                "name": name,
                "created_at": now,
                "updated_at": now,
                "first_seen_at": now,
                "last_seen_at": now,
                "mirrored": False,
            }
            if self._store.create(path, fresh):
                self._mirror(org_id, fresh)
                return person_id
            data = self._store.get(path) or fresh
        stale = now - data["last_seen_at"] >= SEEN_RESOLUTION
        if stale or (name is not None and data.get("name") != name):
            data = self._store.update_atomically(path, partial(_seen, now=now, name=name))
        if not data.get("mirrored") and stale:
            self._mirror(org_id, data)  # its creator's mirror failed
        return person_id

    def _mirror(self, org_id: str, data: dict[str, Any]) -> None:
        row = {
            "org_id": org_id,
            "person_id": data["person_id"],
            "email_hash": data["email_hash"],
            "created_at": data["created_at"],
            "updated_at": data["updated_at"],
        }
        try:
            self._warehouse.merge_rows(PEOPLE_TABLE, [row], PEOPLE_KEY, update_existing=True)
        except Exception as exc:
            raise Unavailable(
                f"person {data['person_id']} is saved but its warehouse copy was not written; "
                "send the request again"
            ) from exc

        def mark(current: dict[str, Any] | None) -> dict[str, Any]:
            if current is None:
                raise NotFound(f"person {data['person_id']} was erased meanwhile")
            return {**current, "mirrored": True}

        self._store.update_atomically(person_path(org_id, str(data["person_id"])), mark)

    def _link(self, org_id: str, visitor_id: str, person_id: str, source: str) -> None:
        """First link wins (append-only MERGE): a visitor already someone's stays theirs."""
        row = {
            "org_id": org_id,
            "visitor_id": visitor_id,
            "person_id": person_id,
            "linked_at": self._clock(),
            "link_source": source,
        }
        try:
            self._warehouse.merge_rows(VISITORS_TABLE, [row], VISITORS_KEY, update_existing=False)
        except Exception as exc:
            raise Unavailable(
                f"visitor {visitor_id} was not linked to person {person_id}; send it again"
            ) from exc
