"""Pub/Sub entry point: posts are checked against their creators' campaigns, when ingested and
again when a campaign's tracking rules change or an allocation is accepted."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from shared.bootstrap import services
from shared.events import DomainEvent, handle_pubsub


def _detect(event: DomainEvent) -> None:
    services().post_matching.on_event(event)


@functions_framework.cloud_event
def post_detection(cloud_event: CloudEvent) -> None:
    handle_pubsub(cloud_event.data, _detect)
