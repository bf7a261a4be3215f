"""Fixtures of the Apify stand-in's wire tests, a pytest plugin (test modules load it with
`pytest_plugins`): the stand-in served over HTTP, a webhook receiver, and the real apify-client
and ApifyScraper pointed at the stand-in, each test starting from a reset stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from apify_client import ApifyClient

from shared.adapters.apify_scraper import ApifyScraper
from shared.localstack.apify import LocalApifyServer
from tests.integration.apify_wire_helpers import RETRIES, WebhookReceiver, serving


@pytest.fixture(scope="module")
def apify_url() -> Iterator[str]:
    app = LocalApifyServer(run_delay_seconds=0.1, webhook_retry_delays=(0.02, 0.02, 0.02))
    with serving(app) as url:
        yield url
    app.close()


@pytest.fixture(scope="module")
def receiver_and_url() -> Iterator[tuple[WebhookReceiver, str]]:
    receiver = WebhookReceiver()
    with serving(receiver) as url:
        yield receiver, url + "/hooks/apify"


@pytest.fixture
def receiver(receiver_and_url: tuple[WebhookReceiver, str]) -> WebhookReceiver:
    receiver_and_url[0].deliveries.clear()
    receiver_and_url[0].fail_next = 0
    return receiver_and_url[0]


@pytest.fixture
def hook_url(receiver_and_url: tuple[WebhookReceiver, str]) -> str:
    return receiver_and_url[1]


@pytest.fixture
def control(apify_url: str) -> Iterator[httpx.Client]:
    """The stand-in's control endpoints, from a clean state."""
    with httpx.Client(base_url=apify_url + "/_control", timeout=5) as http:
        http.post("/reset").raise_for_status()
        yield http


@pytest.fixture
def client(apify_url: str, control: httpx.Client) -> ApifyClient:
    return ApifyClient(
        token="local",
        api_url=apify_url,
        max_retries=RETRIES,
        min_delay_between_retries=timedelta(milliseconds=5),
    )


@pytest.fixture
def scraper(client: ApifyClient) -> ApifyScraper:
    return ApifyScraper(client, page_size=5)  # small pages, so paging is exercised
