"""Pub/Sub entry point: a raised alert lands on the organization's alert feed, once."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from shared.bootstrap import services
from shared.events import DomainEvent, handle_pubsub


def _record(event: DomainEvent) -> None:
    services().spend_alerts.record(event)


@functions_framework.cloud_event
def alert_feed(cloud_event: CloudEvent) -> None:
    handle_pubsub(cloud_event.data, _record)
