"""When Apify's API cannot be reached to confirm a run report, the webhook intake answers 503
with Retry-After (Apify retries the delivery), never a 500 with the client's raw error."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import functions_framework
import pytest

from shared.bootstrap import services
from shared.config import get_settings
from shared.localstack.stack import StackInfo
from shared.ports import ActorRun
from shared.scraping.webhook import RETRY_AFTER_SECONDS
from tests.integration.test_apify_webhook_intake import intake, report, signed

pytestmark = pytest.mark.integration
MAIN = Path(__file__).resolve().parents[2] / "functions" / "main.py"


@pytest.fixture
def apify_down(local_stack: StackInfo, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Apify's API at a port nothing listens on, with the client's retries kept short."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("REACHOPS_APIFY_API_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("REACHOPS_APIFY_MAX_RETRIES", "1")
    monkeypatch.setenv("REACHOPS_APIFY_MIN_DELAY_BETWEEN_RETRIES_SECONDS", "0.01")
    get_settings.cache_clear()
    services.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
    services.cache_clear()


def test_a_report_apify_cannot_confirm_now_is_answered_503_with_retry_after(
    local_stack: StackInfo, apify_down: None
) -> None:
    now = datetime.now(UTC)
    run = ActorRun("r1", "act1", "SUCCEEDED", "d1", now, now, None, None)
    client = functions_framework.create_app("apify_webhook", str(MAIN)).test_client()  # type: ignore[no-untyped-call]
    url = signed(local_stack).removeprefix(intake(local_stack))
    response = client.post(f"/{url}", json=report(run))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.get_json()["error"]["code"] == "unavailable"
