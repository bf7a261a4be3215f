"""Shared fixtures for the Graph API stand-in's own tests: the server on a free port with a
settable clock, its control endpoints from a clean state, the real facebook-business SDK
pointed at it, and raw HTTP for what the SDK has no call for."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from facebook_business.api import FacebookAdsApi
from facebook_business.session import FacebookSession
from werkzeug.serving import make_server

from shared.localstack.graph import LocalGraphApi

START = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)  # a Monday; same date in Berlin and New York
TODAY = START.date()
APP_ID = "100000000000042"
APP_SECRET = "standin-tests-app-secret"
TOKEN = "sample-token-standin-tests"
VERSION = "v26.0"
EU, US = "act_100000000000101", "act_100000000000202"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def serving(app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def graph_url(clock: Clock) -> Iterator[str]:
    app = LocalGraphApi(app_id=APP_ID, app_secret=APP_SECRET, clock=clock, polls_to_complete=3)
    with serving(app) as url:
        yield url


@pytest.fixture
def control(graph_url: str, clock: Clock) -> Iterator[httpx.Client]:
    """The stand-in's control endpoints, from a clean state."""
    clock.now = START
    with httpx.Client(base_url=graph_url + "/_control", timeout=5) as http:
        http.post("/reset").raise_for_status()
        yield http


@pytest.fixture
def api(graph_url: str, control: httpx.Client) -> FacebookAdsApi:
    """The SDK's API object on the stand-in (what MetaAds builds per token)."""
    session = FacebookSession(APP_ID, APP_SECRET, TOKEN)
    session.GRAPH = graph_url
    return FacebookAdsApi(session, api_version=VERSION)


@pytest.fixture
def graph(graph_url: str, control: httpx.Client) -> Iterator[httpx.Client]:
    """Raw Graph HTTP under the version prefix, with the sample token."""
    with httpx.Client(
        base_url=f"{graph_url}/{VERSION}", params={"access_token": TOKEN}, timeout=10
    ) as http:
        yield http
