"""Pub/Sub entry point: the campaigns whose metrics are stale are rolled up in one run."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from shared.bootstrap import services
from shared.events import DomainEvent, handle_pubsub


def _rollup(event: DomainEvent) -> None:
    services().metrics.on_metrics_stale(event)


@functions_framework.cloud_event
def metrics_rollup(cloud_event: CloudEvent) -> None:
    handle_pubsub(cloud_event.data, _rollup)
