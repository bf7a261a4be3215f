"""Feedback intake: each record is written once to Firestore with its `feedback.created` event
in its outbox (shared/outbox.py), mirrored to the warehouse (reachops.feedback), then its event
is published. Firestore holds the truth and answers the lists; the warehouse copy is what NPS,
journeys and scores read.

A client that names its record (`feedback_id`) may send the request again: the same content
answers the stored record (200), other content is a 409 on the id. A retry also writes the
warehouse copy again, so a 503 after the Firestore write (the mirror failed) is recovered by
resending; the event waits in the outbox for the flush or the scheduled relay either way.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from shared.auth import Permission, Principal
from shared.errors import Conflict, NotFound, Unavailable, ValidationFailed
from shared.events import Actor, DomainEvent
from shared.feedback.models import Feedback, FeedbackCreate, FeedbackListQuery, rating_0_10
from shared.outbox import Outbox, with_events
from shared.pagination import Page, fetch_page
from shared.ports import DocumentStore, FilterOp, Warehouse

FEEDBACK_TABLE = "feedback"
FEEDBACK_KEY = ("org_id", "feedback_id", "created_at")
"""(org_id, feedback_id) names a row; created_at, fixed at intake, is the partition column."""
FEEDBACK_CREATED = "feedback.created"


def feedback_collection(org_id: str) -> str:
    return f"orgs/{org_id}/feedback"


class People(Protocol):
    """What intake needs of shared/people (PeopleService): find or create the person an email
    names (by its keyed hash) and link the visitor, and whether a person_id is the org's."""

    def resolve(
        self, org_id: str, *, email: str | None, visitor_id: str | None, source: str
    ) -> str | None: ...

    def get(self, principal: Principal, person_id: str) -> object: ...


@dataclass(frozen=True)
class RecordKind:
    """One kind of record RecordIntake writes: where it is kept and what names it, the fields a
    resend must repeat, and its event."""

    collection: Callable[[str], str]
    id_field: str
    same: tuple[str, ...]
    event_type: str


FEEDBACK = RecordKind(
    collection=feedback_collection,
    id_field="feedback_id",
    same=("rating", "scale", "text", "channel", "person_id", "visitor_id"),
    event_type=FEEDBACK_CREATED,
)


class RecordIntake:
    """Writes a record once with its event, mirrors it, publishes the event: what feedback and
    form responses share."""

    def __init__(
        self,
        store: DocumentStore,
        warehouse: Warehouse,
        outbox: Outbox,
        people: People,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.warehouse = warehouse
        self._outbox = outbox
        self._people = people
        self.clock = clock

    def person(
        self,
        principal: Principal,
        *,
        person_id: str | None,
        email: str | None,
        visitor_id: str | None,
        source: str,
        email_field: str = "email",
    ) -> str | None:
        """The person the record names: a person_id of this organization (else 404), or the
        one an email or a linked visitor resolves to; None when it names none."""
        if person_id is not None:
            try:
                self._people.get(principal, person_id)
            except NotFound as exc:
                raise NotFound(
                    f"person_id: person {person_id} not found", field="person_id"
                ) from exc
            return person_id
        if email is None and visitor_id is None:
            return None
        try:
            return self._people.resolve(
                principal.org_id, email=email, visitor_id=visitor_id, source=source
            )
        except ValueError as exc:
            raise ValidationFailed(f"{email_field}: {exc}", field=email_field) from exc

    def store_once(
        self,
        principal: Principal,
        kind: RecordKind,
        document: Mapping[str, Any],
        mirror: Callable[[str, Mapping[str, Any]], None],
    ) -> tuple[bool, dict[str, Any]]:
        """(created, the stored document). A document already stored under its id is returned
        when the `kind.same` fields agree with `document` (a resend), else a 409 naming the id
        field; `mirror(org_id, stored document)` writes its warehouse row (an idempotent
        MERGE)."""
        org_id, id_field, event_type = principal.org_id, kind.id_field, kind.event_type
        record_id = str(document[id_field])
        path = f"{kind.collection(org_id)}/{record_id}"
        event = DomainEvent(
            # a client-chosen id may repeat in another organization or record kind
            event_id=f"{org_id}.{event_type}.{record_id}",
            type=event_type,
            org_id=org_id,
            subject_id=record_id,
            actor=Actor(kind="api_key", id=principal.key_id, role=principal.role.value),
            data={
                "org_id": org_id,
                id_field: record_id,
                "person_id": document["person_id"],
            },
        )
        created = self.store.create(path, {**document, **with_events(None, [event])})
        stored = document if created else self.store.get(path)
        if stored is None:  # created and deleted in between (the person was erased)
            raise Conflict(f"{id_field}: {record_id} was just erased", field=id_field)
        if not created and any(stored.get(name) != document[name] for name in kind.same):
            raise Conflict(
                f"{id_field}: {record_id} is already stored with other content", field=id_field
            )
        try:
            mirror(org_id, stored)
        except Exception as exc:
            raise Unavailable(
                f"{id_field} {record_id} is saved but its warehouse copy was not written; "
                f"send the same request (with {id_field}) again"
            ) from exc
        self._outbox.flush(path)
        return created, dict(stored)


class FeedbackService:
    def __init__(self, intake: RecordIntake, max_page_size: int) -> None:
        self._intake = intake
        self._max_page_size = max_page_size

    def create(self, principal: Principal, request: FeedbackCreate) -> tuple[bool, Feedback]:
        """(created, the feedback): created is False for a resend of a stored feedback_id."""
        principal.require(Permission.WRITE_CAMPAIGNS)
        person_id = self._intake.person(
            principal,
            person_id=request.person_id,
            email=request.email,
            visitor_id=request.visitor_id,
            source="feedback",
        )
        feedback = Feedback(
            feedback_id=request.feedback_id or secrets.token_hex(8),
            rating=request.rating,
            scale=request.scale,
            rating_0_10=rating_0_10(request.rating, request.scale),
            text=request.text,
            channel=request.channel,
            person_id=person_id,
            visitor_id=request.visitor_id,
            created_at=self._intake.clock(),
            created_by=principal.key_id,
        )
        created, stored = self._intake.store_once(
            principal, FEEDBACK, feedback.model_dump(), self._mirror
        )
        return created, Feedback.model_validate(stored)

    def _mirror(self, org_id: str, data: Mapping[str, Any]) -> None:
        row = feedback_row(org_id, data)
        self._intake.warehouse.merge_rows(
            FEEDBACK_TABLE, [row], FEEDBACK_KEY, update_existing=False
        )

    def list(self, principal: Principal, query: FeedbackListQuery) -> Page[Feedback]:
        """Newest first, optionally of one channel."""
        principal.require(Permission.READ)
        where: list[tuple[str, FilterOp, Any]] = []
        if query.channel is not None:
            where.append(("channel", "==", query.channel))
        documents, next_cursor = fetch_page(
            self._intake.store,
            feedback_collection(principal.org_id),
            where=where,
            order_by=[("created_at", "desc"), ("feedback_id", "desc")],
            cursor=query.cursor,
            limit=min(query.limit or self._max_page_size, self._max_page_size),
        )
        return Page[Feedback](
            items=[Feedback.model_validate(d.data) for d in documents], next_cursor=next_cursor
        )


FEEDBACK_COLUMNS = (
    "feedback_id", "person_id", "visitor_id", "rating", "scale", "rating_0_10", "text",
    "channel", "created_at",
)  # fmt: skip


def feedback_row(org_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """A stored feedback document as its reachops.feedback row."""
    return {"org_id": org_id, **{name: data[name] for name in FEEDBACK_COLUMNS}}
