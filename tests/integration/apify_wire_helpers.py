"""Helpers shared by the Apify stand-in's wire tests: serving a WSGI app, a webhook receiver,
and reading runs, items and prices through the real apify-client."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apify_client import ApifyClient
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from shared.adapters.apify_scraper import ApifyScraper
from shared.ports import ActorRun

RETRIES = 3
CREATORS = {
    "instagram": ["trail.anna", "runwithmax", "alpine_lena"],
    "tiktok": ["trail.anna", "runwithmax", "alpine_lena"],
    "youtube": ["trailanna", "runwithmax", "alpinelena"],
}


@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]
    body: dict[str, Any]


class WebhookReceiver:
    """Records webhook deliveries; answers the next `fail_next` of them with a 503."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.fail_next = 0
        self._cond = threading.Condition()

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        with self._cond:
            if self.fail_next > 0:
                self.fail_next -= 1
                status = 503
            else:
                self.deliveries.append(Delivery(dict(request.headers), json.loads(request.data)))
                status = 200
            self._cond.notify_all()
        return Response("", status=status)(environ, start_response)

    def for_run(self, run_id: str, count: int = 1, timeout: float = 5.0) -> list[Delivery]:
        def arrived() -> list[Delivery]:
            return [d for d in self.deliveries if d.body["eventData"]["actorRunId"] == run_id]

        with self._cond:
            self._cond.wait_for(lambda: len(arrived()) >= count, timeout)
            return arrived()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def finished(
    scraper: ApifyScraper, receiver: WebhookReceiver, run: ActorRun
) -> tuple[ActorRun, list[dict[str, Any]]]:
    """Wait for the run's webhook, then read the run and its items."""
    assert receiver.for_run(run.run_id), "no webhook arrived"
    done = scraper.get_run(run.run_id)
    assert done.dataset_id is not None
    return done, list(scraper.dataset_items(done.dataset_id))


def by_owner(items: list[dict[str, Any]], owner: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        value: Any = item
        for key in owner.split("."):
            value = value[key]
        grouped[value].append(item)
    return dict(grouped)


def pricing_model(client: ApifyClient, run_id: str) -> str | None:
    """The pricing model of the record the run was started under, from the raw run object."""
    run = client.run(run_id).get()
    assert run is not None
    return run.pricing_info.pricing_model if run.pricing_info is not None else None


def event_prices_in_force(client: ApifyClient, actor_id: str) -> dict[str, float]:
    """Flat per-event prices of the actor's pricing record in force now ({} if not per-event)."""
    actor = client.actor(actor_id).get()
    assert actor is not None
    now = datetime.now(UTC)
    started = [info for info in actor.pricing_infos or [] if info.started_at <= now]
    current = max(started, key=lambda info: info.started_at, default=None)
    if current is None or current.pricing_model != "PAY_PER_EVENT":
        return {}
    events = current.pricing_per_event.actor_charge_events or {}
    return {name: float(e.event_price_usd or 0) for name, e in events.items()}


def instagram_input(usernames: list[str], **extra: Any) -> dict[str, Any]:
    urls = [f"https://www.instagram.com/{u}/" for u in usernames]
    return {"directUrls": urls, "resultsType": "posts", **extra}


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
