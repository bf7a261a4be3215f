"""Pub/Sub entry point: every campaign event onto the campaign's activity timeline."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from shared.bootstrap import services
from shared.campaigns.activity import record_campaign_event
from shared.events import DomainEvent, handle_pubsub


def _record(event: DomainEvent) -> None:
    app = services()
    record_campaign_event(app.store, app.warehouse, event)


@functions_framework.cloud_event
def campaign_activity(cloud_event: CloudEvent) -> None:
    handle_pubsub(cloud_event.data, _record)
