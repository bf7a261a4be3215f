"""Pub/Sub entry point: a comments run's comments are scored through the sentiment service."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from shared.bootstrap import services
from shared.events import DomainEvent, handle_pubsub


def _score(event: DomainEvent) -> None:
    services().comment_sentiment.handle(event)


@functions_framework.cloud_event
def comment_sentiment(cloud_event: CloudEvent) -> None:
    handle_pubsub(cloud_event.data, _score)
