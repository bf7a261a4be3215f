"""Pub/Sub entry point: an activated campaign gets its creators allocated."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from shared.bootstrap import services
from shared.events import DomainEvent, handle_pubsub


def _allocate(event: DomainEvent) -> None:
    services().allocations.fill(event.org_id, event.subject_id)


@functions_framework.cloud_event
def creator_matching(cloud_event: CloudEvent) -> None:
    handle_pubsub(cloud_event.data, _allocate)
