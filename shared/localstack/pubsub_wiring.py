"""Topics, dead-letter topics and push subscriptions on the emulator, from the topology,
wired exactly as terraform wires production (push to the function's URL, as the push identity:
the emulator cannot mint OIDC tokens, so the endpoint carries a local one; identities.py)."""

from __future__ import annotations

import contextlib

from google.api_core.exceptions import AlreadyExists
from google.cloud.pubsub import PublisherClient, SubscriberClient
from google.protobuf import duration_pb2

from shared.localstack.identities import LocalIdentities
from shared.topology import DEAD_LETTER_SUFFIX, Topology, subscription_name


def wire_pubsub(
    project_id: str, functions_base_url: str, topology: Topology, identities: LocalIdentities
) -> list[str]:
    """Create what is missing; returns the subscription names."""
    publisher = PublisherClient()
    subscriber = SubscriberClient()
    defaults = topology.subscription_defaults
    for topic in topology.topics:
        for name in (topic, topic + DEAD_LETTER_SUFFIX):
            try:
                publisher.create_topic(name=publisher.topic_path(project_id, name))
            except AlreadyExists:
                continue
    created = []
    for function_name, topic in topology.subscriptions():
        name = subscription_name(function_name, topic)
        request = {
            "name": subscriber.subscription_path(project_id, name),
            "topic": publisher.topic_path(project_id, topic),
            "push_config": {
                "push_endpoint": identities.push_endpoint(
                    f"{functions_base_url}/{function_name}", function_name
                )
            },
            "ack_deadline_seconds": topology.ack_deadline_seconds(function_name),
            "retry_policy": {
                "minimum_backoff": duration_pb2.Duration(
                    seconds=defaults.min_retry_backoff_seconds
                ),
                "maximum_backoff": duration_pb2.Duration(
                    seconds=defaults.max_retry_backoff_seconds
                ),
            },
            "dead_letter_policy": {
                "dead_letter_topic": publisher.topic_path(project_id, topic + DEAD_LETTER_SUFFIX),
                "max_delivery_attempts": defaults.max_delivery_attempts,
            },
        }
        with contextlib.suppress(AlreadyExists):
            subscriber.create_subscription(request=request)
        created.append(name)
    subscriber.close()
    return created
