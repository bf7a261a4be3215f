"""The transactional outbox: a write and the events it must publish commit together.

A service writes its events into the changed document itself (`OUTBOX`, in the same
transaction as the change), then flushes them. A publish failure (Pub/Sub down, a wrong
topic) never fails the request or leaves the change without its event: the events wait in the
document, flagged `OUTBOX_PENDING`, until the next flush or the scheduled relay publishes them.
Events carry stable ids, so a flush that publishes and then crashes before clearing only
causes a duplicate that subscribers drop by id.

A write whose changed document is rewritten whole by other code paths (a scrape job's
transitions write its model, which knows no outbox) puts its event in a document of its own
instead (`event_document`, in the organization's `outbox` collection), written in the same
batch as the change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from shared.errors import Unavailable
from shared.events import DomainEvent
from shared.ports import DocumentStore, EventBus

logger = logging.getLogger(__name__)

OUTBOX = "outbox"
OUTBOX_PENDING = "outbox_pending"


def with_events(current: Mapping[str, Any] | None, events: Sequence[DomainEvent]) -> dict[str, Any]:
    """The outbox fields of a document after adding `events` to what it already holds; an
    event whose id is already waiting is not added twice (a retried write stays one event)."""
    pending = list((current or {}).get(OUTBOX, []))
    waiting = {raw["event_id"] for raw in pending}
    pending += [e.model_dump(mode="json") for e in events if e.event_id not in waiting]
    return {OUTBOX: pending, OUTBOX_PENDING: bool(pending)}


def outbox_collection(org_id: str) -> str:
    """One document per event of a write whose own document cannot hold an outbox."""
    return f"orgs/{org_id}/outbox"


def event_document(event: DomainEvent) -> tuple[str, dict[str, Any]]:
    """The path and data of `event`'s own outbox document, to write with the change."""
    return f"{outbox_collection(event.org_id)}/{event.event_id}", with_events(None, [event])


class Outbox:
    """Publishes what documents hold in their outboxes. `collections` name, per organization,
    every collection whose documents may hold an outbox (the relay looks in each)."""

    def __init__(
        self,
        store: DocumentStore,
        bus: EventBus,
        collections: Sequence[Callable[[str], str]],
    ) -> None:
        self._store = store
        self._bus = bus
        self._collections = tuple(collections)

    def flush(self, path: str) -> int:
        """Publish the document's pending events, oldest first, then clear those published.
        A failure leaves the rest for the next flush (the relay); returns how many went out."""
        pending = (self._store.get(path) or {}).get(OUTBOX, [])
        published: set[str] = set()
        try:
            for raw in pending:
                event = DomainEvent.model_validate(raw)
                self._bus.publish(event)
                published.add(event.event_id)
        except Unavailable as exc:
            logger.warning("%s: events wait in its outbox (%s)", path, exc)
        if published:

            def clear(data: dict[str, Any] | None) -> dict[str, Any]:
                current = dict(data or {})
                left = [e for e in current.get(OUTBOX, []) if e["event_id"] not in published]
                return {**current, OUTBOX: left, OUTBOX_PENDING: bool(left)}

            self._store.update_atomically(path, clear)
        return len(published)

    def relay(self) -> int:
        """The scheduled relay: publish what a crash or an outage left in any outbox."""
        flushed = 0
        for org in self._store.query("orgs"):
            for collection in self._collections:
                name = collection(org.id)
                for document in self._store.query(name, where=[(OUTBOX_PENDING, "==", True)]):
                    flushed += self.flush(f"{name}/{document.id}")
        return flushed
