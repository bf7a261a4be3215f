"""EventBus on Pub/Sub (the emulator locally: the client honours PUBSUB_EMULATOR_HOST)."""

from __future__ import annotations

from google.api_core.exceptions import GoogleAPICallError
from google.cloud.pubsub import PublisherClient

from shared.errors import Unavailable
from shared.events import DomainEvent
from shared.topology import Topology

PUBLISH_TIMEOUT_SECONDS = 30


class PubSubEventBus:
    def __init__(self, publisher: PublisherClient, project_id: str, topology: Topology):
        self._publisher = publisher
        self._project_id = project_id
        self._topology = topology

    def publish(self, event: DomainEvent) -> None:
        topic = self._publisher.topic_path(
            self._project_id, self._topology.topic_for_event(event.type)
        )
        future = self._publisher.publish(
            topic, event.model_dump_json().encode(), **event.attributes()
        )
        try:
            future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
        except (GoogleAPICallError, TimeoutError) as exc:
            raise Unavailable(f"could not publish {event.type}: {exc}") from exc
