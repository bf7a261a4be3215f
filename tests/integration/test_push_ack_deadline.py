"""Push subscriptions on the real Pub/Sub emulator, wired by the local stack from the topology
exactly as terraform wires production: a handler that runs longer than a short deadline (a
long ingest) is not redelivered while it still runs, because its subscription's ack deadline is
its timeout. The first test shows the emulator does redeliver a push that outlives its deadline."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from google.cloud.pubsub import PublisherClient, SubscriberClient

from shared.localstack.identities import LocalIdentities
from shared.localstack.pubsub_wiring import wire_pubsub
from shared.localstack.stack import StackInfo
from shared.topology import FunctionSpec, TopicSpec, Topology, load_topology

pytestmark = pytest.mark.integration


class SlowHandler:
    """A push endpoint that works for `seconds` before answering, recording each delivery."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deliveries: list[str] = []
        handler = self

        class Endpoint(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                handler.deliveries.append(body["message"]["messageId"])
                time.sleep(handler.seconds)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: object) -> None: ...

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def slow_endpoint() -> Iterator[type[SlowHandler]]:
    made: list[SlowHandler] = []

    class Tracked(SlowHandler):
        def __init__(self, seconds: float) -> None:
            super().__init__(seconds)
            made.append(self)

    yield Tracked
    for endpoint in made:
        endpoint.server.shutdown()
        endpoint.server.server_close()


def one_handler(spec: FunctionSpec, timeout_seconds: int) -> tuple[Topology, str]:
    """The topology with only this handler, on a fresh topic (the stack's own stay untouched)."""
    topic = f"slow-{secrets.token_hex(4)}"
    handler = spec.model_copy(update={"timeout_seconds": timeout_seconds, "subscribes": (topic,)})
    topology = load_topology().model_copy(
        update={
            "functions": {"slow_handler": handler},
            "topics": {topic: TopicSpec(event_type=topic)},
        }
    )
    return topology, topic


def deliveries_of_one_message(
    local_stack: StackInfo, endpoint: SlowHandler, topology: Topology, topic: str, wait: float
) -> list[str]:
    identities = LocalIdentities("test-key", local_stack.project_id)
    names = wire_pubsub(local_stack.project_id, endpoint.url, topology, identities)
    publisher = PublisherClient()
    publisher.publish(publisher.topic_path(local_stack.project_id, topic), b"{}").result()
    time.sleep(wait)
    subscriber = SubscriberClient()
    for name in names:
        subscriber.delete_subscription(
            subscription=subscriber.subscription_path(local_stack.project_id, name)
        )
    subscriber.close()
    return endpoint.deliveries


def test_a_push_that_outlives_its_ack_deadline_is_redelivered(
    local_stack: StackInfo, slow_endpoint: type[SlowHandler]
) -> None:
    spec = load_topology().functions["scrape_ingest"]
    topology, topic = one_handler(spec, timeout_seconds=10)
    endpoint = slow_endpoint(seconds=16)
    deliveries = deliveries_of_one_message(local_stack, endpoint, topology, topic, wait=22)
    assert len(deliveries) >= 2


def test_a_handler_running_past_a_short_deadline_is_delivered_once_within_its_timeout(
    local_stack: StackInfo, slow_endpoint: type[SlowHandler]
) -> None:
    """The same 16 s of work as above, wired with a 25 s timeout: its subscription's deadline
    is those 25 s, so it is delivered once. (The real ingest runs up to its own timeout, 540 s,
    under a deadline of as many seconds; waiting that out here would add nothing.)"""
    spec = load_topology().functions["scrape_ingest"]
    topology, topic = one_handler(spec, timeout_seconds=25)
    assert topology.ack_deadline_seconds("slow_handler") == 25
    endpoint = slow_endpoint(seconds=16)
    deliveries = deliveries_of_one_message(local_stack, endpoint, topology, topic, wait=24)
    assert len(deliveries) == 1
