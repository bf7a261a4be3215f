"""Pub/Sub entry point: newly ingested posts are checked against their creators' campaigns."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from shared.bootstrap import services
from shared.events import DomainEvent, handle_pubsub


def _detect(event: DomainEvent) -> None:
    services().post_matching.on_posts_ingested(event)


@functions_framework.cloud_event
def post_detection(cloud_event: CloudEvent) -> None:
    handle_pubsub(cloud_event.data, _detect)
