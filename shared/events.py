"""Domain events: the envelope every Pub/Sub message carries, and its decoding.

`event_id` is chosen by the publisher and survives redelivery and publisher retries alike, so
handlers key their writes on it and a second delivery has no second effect.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.errors import ReachOpsError

logger = logging.getLogger(__name__)


class Actor(BaseModel):
    """Who caused the event: an API key (and its role) or the platform itself."""

    model_config = ConfigDict(frozen=True)

    kind: str = "api_key"
    id: str
    role: str | None = None


SYSTEM_ACTOR = Actor(kind="system", id="reachops")


class DomainEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    event_id: str = Field(default_factory=lambda: secrets.token_hex(12))
    type: str
    org_id: str
    subject_id: str
    actor: Actor
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    data: dict[str, Any] = Field(default_factory=dict)

    def attributes(self) -> dict[str, str]:
        return {"event_type": self.type, "event_id": self.event_id, "org_id": self.org_id}


class PoisonMessage(Exception):
    """A message that can never be handled; it is logged and acknowledged, not retried."""


def decode_pubsub_event(cloud_event_data: dict[str, Any]) -> DomainEvent:
    """Turn a Pub/Sub CloudEvent's data (Eventarc or converted raw push) into a DomainEvent."""
    try:
        raw = base64.b64decode(cloud_event_data["message"]["data"], validate=True)
        return DomainEvent.model_validate(json.loads(raw))
    except (KeyError, TypeError, binascii.Error, json.JSONDecodeError, ValidationError) as exc:
        raise PoisonMessage(f"not a ReachOps domain event: {exc}") from exc


def handle_pubsub(cloud_event_data: dict[str, Any], handler: Callable[[DomainEvent], None]) -> None:
    """Run `handler` on the message's event. A poison message is logged and acknowledged (it
    would fail forever); any other error propagates, so Pub/Sub redelivers."""
    try:
        event = decode_pubsub_event(cloud_event_data)
    except PoisonMessage:
        logger.exception("dropping a message that is not a domain event")
        return
    try:
        handler(event)
    except ReachOpsError as error:
        if error.status >= 500:
            raise
        logger.warning("event %s (%s) needs no work: %s", event.event_id, event.type, error)
