"""Request bodies and polling shared by the end-to-end tests."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

TODAY = datetime.now(UTC).date()


def ready_campaign(brand_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "brand_id": brand_id,
        "name": "Spring launch",
        "description": "Trail shoes for spring",
        "budget": 1_000_000,
        "currency": "EUR",
        "goals": ["reach", "engagement"],
        "platforms": ["instagram", "tiktok"],
        "audience_size": "micro",
        "target_location": "DE",
        "start_date": TODAY.isoformat(),
        "end_date": (TODAY + timedelta(days=30)).isoformat(),
        "target_audience": {"age_min": 18, "age_max": 34, "languages": ["de", "en"]},
        "tracking_config": {"required_hashtags": ["#AcmeSpring"], "required_mentions": ["@acme"]},
    }
    body.update(overrides)
    return body


def create_brand(client: httpx.Client, name: str = "Acme") -> str:
    response = client.post("/brands", json={"name": name})
    assert response.status_code == 201, response.text
    brand_id: str = response.json()["brand_id"]
    return brand_id


def create_campaign(client: httpx.Client, brand_id: str, **overrides: Any) -> dict[str, Any]:
    response = client.post("/campaigns", json=ready_campaign(brand_id, **overrides))
    assert response.status_code == 201, response.text
    campaign: dict[str, Any] = response.json()
    return campaign


def wait_for_activity(
    client: httpx.Client, campaign_id: str, types: set[str], timeout: float = 30
) -> list[dict[str, Any]]:
    """Poll the timeline until every event type in `types` has arrived through Pub/Sub."""
    deadline = time.monotonic() + timeout
    items: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        response = client.get(f"/campaigns/{campaign_id}/activity")
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        if types <= {item["type"] for item in items}:
            return items
        time.sleep(0.3)
    raise AssertionError(f"timeline never showed {types}; it has {[i['type'] for i in items]}")


def to_meta_and_back(browser: httpx.Client, start_url: str) -> str:
    """The callback URL Meta's dialog sends `browser` to (not yet followed) once it opened the
    authorize URL, which left it holding the start cookie."""
    started = browser.get(start_url)
    assert started.status_code == 302, started.text
    dialog = browser.get(started.headers["Location"])
    assert dialog.status_code == 302, dialog.text
    return str(dialog.headers["Location"])


def signed(body: bytes, secret: str) -> dict[str, str]:
    """Headers of a Meta webhook delivery: X-Hub-Signature-256, HMAC-SHA256 of the raw body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}
