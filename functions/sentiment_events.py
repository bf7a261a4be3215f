"""Pub/Sub entry point: score each new feedback and form response (once per event)."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from shared.bootstrap import services
from shared.events import DomainEvent, handle_pubsub


def _score(event: DomainEvent) -> None:
    services().sentiment.score_event(event)


@functions_framework.cloud_event
def sentiment_events(cloud_event: CloudEvent) -> None:
    handle_pubsub(cloud_event.data, _score)
