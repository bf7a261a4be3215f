"""The real apify-client, through ApifyScraper, against the local Apify stand-in's injected
faults: webhooks say how runs ended (and arrive again when duplicated or answered with an
error), the client's own retries absorb rate limits and server errors, and malformed items
come alongside good ones."""

from __future__ import annotations

import time

import httpx
import pytest
from apify_client import ApifyClient
from apify_client.errors import ServerError

from shared.adapters.apify_scraper import ApifyScraper
from shared.localstack.apify import LocalApifyServer
from shared.ports import ScraperError
from tests.integration.apify_wire_helpers import (
    RETRIES,
    WebhookReceiver,
    finished,
    instagram_input,
    serving,
    when,
)

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.integration.apify_wire_fixtures"]


def test_webhook_reports_success_with_the_run_as_resource(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str
) -> None:
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["trail.anna"]), hook_url
    )
    (delivery,) = receiver.for_run(started.run_id)
    body = delivery.body

    assert body["eventType"] == "ACTOR.RUN.SUCCEEDED"
    assert body["eventData"] == {"actorId": started.actor_id, "actorRunId": started.run_id}
    assert body["resource"]["id"] == started.run_id
    assert body["resource"]["status"] == "SUCCEEDED"
    assert body["resource"]["defaultDatasetId"] == started.dataset_id
    assert body["userId"]
    assert when(body["createdAt"])
    assert delivery.headers["X-Apify-Webhook-Dispatch-Id"]


def test_rate_limits_and_server_errors_are_retried_by_the_client(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str, control: httpx.Client
) -> None:
    control.post("/faults", json={"rate_limit_next": 2, "server_error_next": 1})
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["trail.anna"]), hook_url
    )
    assert len(control.get("/runs").json()["runs"]) == 1  # refused attempts started nothing
    receiver.for_run(started.run_id)

    control.post("/faults", json={"server_error_next": 1, "rate_limit_next": 1})
    run = scraper.get_run(started.run_id)
    control.post("/faults", json={"rate_limit_next": 2})
    assert run.dataset_id is not None
    assert len(list(scraper.dataset_items(run.dataset_id))) == 9  # trail.anna's 9 sample posts
    assert control.get("/faults").json()["faults"]["rate_limit_next"] == 0


def test_errors_outlasting_the_retries_propagate(
    scraper: ApifyScraper, client: ApifyClient, hook_url: str, control: httpx.Client
) -> None:
    control.post("/faults", json={"rate_limit_next": RETRIES + 1})
    with pytest.raises(ScraperError, match="rate limit") as caught:
        scraper.start_run("apify/instagram-scraper", instagram_input(["trail.anna"]), hook_url)
    assert caught.value.status == 429
    assert caught.value.__cause__ is None  # the SDK's text may quote a URL: never chained
    control.post("/faults", json={"server_error_next": RETRIES + 1})
    with pytest.raises(ServerError):
        client.actor("clockworks/tiktok-scraper").get()
    assert control.get("/runs").json()["runs"] == []


def test_failed_run_is_reported_by_its_webhook(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str, control: httpx.Client
) -> None:
    control.post("/faults", json={"fail_next_runs": 1})
    started = scraper.start_run("clockworks/tiktok-scraper", {"profiles": ["runwithmax"]}, hook_url)
    run, items = finished(scraper, receiver, started)

    (delivery,) = receiver.for_run(started.run_id)
    assert delivery.body["eventType"] == "ACTOR.RUN.FAILED"
    assert delivery.body["resource"]["status"] == "FAILED"
    assert run.status == "FAILED"
    assert run.finished_at is not None
    assert items == []


def test_timed_out_run_keeps_partial_results(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str, control: httpx.Client
) -> None:
    control.post("/faults", json={"timeout_next_runs": 1})
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["alpine_lena"]), hook_url
    )
    run, items = finished(scraper, receiver, started)

    assert receiver.for_run(started.run_id)[0].body["eventType"] == "ACTOR.RUN.TIMED_OUT"
    assert run.status == "TIMED-OUT"
    assert len(items) == 4  # half of the creator's 9 posts


def test_aborted_run_is_reported_by_its_webhook(receiver: WebhookReceiver, hook_url: str) -> None:
    slow = LocalApifyServer(run_delay_seconds=30)  # a run that cannot end before the abort
    with serving(slow) as url:
        client = ApifyClient(token="local", api_url=url, max_retries=0)
        scraper = ApifyScraper(client)
        started = scraper.start_run(
            "apify/instagram-scraper", instagram_input(["trail.anna"]), hook_url
        )
        client.run(started.run_id).abort()

        (delivery,) = receiver.for_run(started.run_id)
        assert delivery.body["eventType"] == "ACTOR.RUN.ABORTED"
        assert scraper.get_run(started.run_id).status == "ABORTED"
    slow.close()


def test_duplicate_webhooks_arrive_twice_with_one_dispatch_id(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str, control: httpx.Client
) -> None:
    control.post("/faults", json={"duplicate_webhooks": True})
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["trail.anna"]), hook_url
    )
    deliveries = receiver.for_run(started.run_id, count=2)

    assert len(deliveries) == 2
    assert deliveries[0].body == deliveries[1].body
    dispatch_ids = {d.headers["X-Apify-Webhook-Dispatch-Id"] for d in deliveries}
    assert len(dispatch_ids) == 1


def test_webhook_answered_with_an_error_is_retried(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str, control: httpx.Client
) -> None:
    receiver.fail_next = 2
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["trail.anna"]), hook_url
    )
    (delivery,) = receiver.for_run(started.run_id)

    assert delivery.body["eventType"] == "ACTOR.RUN.SUCCEEDED"
    deadline = time.monotonic() + 2  # the stand-in records the outcome once it has the answer
    while True:
        (run,) = control.get("/runs").json()["runs"]
        (dispatch,) = run["webhookDispatches"]
        if dispatch["status"] != "ACTIVE" or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert dispatch["status"] == "SUCCEEDED"
    assert dispatch["attempts"] == 3


def test_malformed_items_appear_alongside_good_ones(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str, control: httpx.Client
) -> None:
    control.post("/faults", json={"malformed_items_per_run": 3})
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["trail.anna"], resultsLimit=4), hook_url
    )
    _, items = finished(scraper, receiver, started)

    assert len(items) == 7
    good = [
        i for i in items if isinstance(i.get("id"), str) and isinstance(i.get("likesCount"), int)
    ]
    assert len(good) == 4
    assert any("id" not in i and "error" not in i for i in items)
    assert any(isinstance(i.get("likesCount"), str) for i in items)
    assert any(i.get("error") for i in items)
