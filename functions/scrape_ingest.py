"""Pub/Sub entry point: a finished Apify run is ingested (or retried, or failed)."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from shared.bootstrap import services
from shared.events import DomainEvent, handle_pubsub


def _ingest(event: DomainEvent) -> None:
    services().scrape_ingest.handle(event)


@functions_framework.cloud_event
def scrape_ingest(cloud_event: CloudEvent) -> None:
    handle_pubsub(cloud_event.data, _ingest)
