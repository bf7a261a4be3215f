"""The campaign activity timeline, written from events: once per event, however often delivered.

The entry's document id is the event id, so a redelivered event finds its entry already there;
the warehouse copy is a MERGE on the event id for the same reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.campaigns.service import activity_collection
from shared.events import DomainEvent
from shared.ports import DocumentStore, Warehouse

RECORD_EVENT_SQL = "queries/record_campaign_event.sql"

_VERBS = {
    "campaign.created": "created the campaign",
    "campaign.updated": "changed the campaign",
    "campaign.activated": "activated the campaign",
    "campaign.paused": "paused the campaign",
    "campaign.resumed": "resumed the campaign",
    "campaign.completed": "completed the campaign",
}


def summarize(event: DomainEvent) -> str:
    who = f"{event.actor.kind} {event.actor.id}"
    if event.actor.role:
        who += f" ({event.actor.role})"
    what = _VERBS.get(event.type, event.type)
    changed = event.data.get("changed")
    if changed:
        what += ": " + ", ".join(changed)
    return f"{who} {what}"


def activity_entry(event: DomainEvent) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "type": event.type,
        "actor": event.actor.model_dump(),
        "occurred_at": event.occurred_at,
        "summary": summarize(event),
        "data": event.model_dump(mode="json")["data"],
    }


def record_campaign_event(store: DocumentStore, warehouse: Warehouse, event: DomainEvent) -> bool:
    """Record the event on the timeline and in the warehouse; False when it was already there."""
    path = f"{activity_collection(event.org_id, event.subject_id)}/{event.event_id}"
    created = store.create(path, activity_entry(event))
    warehouse.run(
        RECORD_EVENT_SQL,
        {
            "event_id": event.event_id,
            "event_type": event.type,
            "org_id": event.org_id,
            "campaign_id": event.subject_id,
            "actor_kind": event.actor.kind,
            "actor_id": event.actor.id,
            "actor_role": event.actor.role,
            "occurred_at": event.occurred_at,
            "data_json": event.model_dump_json(include={"data"}),
            "recorded_at": datetime.now(UTC),
        },
    )
    return created
