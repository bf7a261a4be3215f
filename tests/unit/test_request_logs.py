"""Every API request writes one Cloud Logging line with who, which route, status and latency,
and never a credential: not the API key, not a `?access_token=`, not a webhook signature, not
a webhook URL sent in the body.

The function runs in-process (functions-framework's test client) against the emulators, so
the line checked is the one the deployed function would print.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import functions_framework
import pytest
from flask.testing import FlaskClient

from shared.bootstrap import Services
from shared.http.api import FORWARDED_AUTHORIZATION

MAIN = Path(__file__).resolve().parents[2] / "functions" / "main.py"
ACCESS_TOKEN = "EAAG-access-token-that-must-not-be-logged"
SIGNATURE = "sha256=5f1c0ffee5eed5f00dba5eba11deadbeef"
WEBHOOK_URL = "https://hooks.example.com/services/T0001/B0001/webhook-secret-path"
LATENCY = re.compile(r"\d+\.\d{3}s")


@pytest.fixture
def org_api() -> FlaskClient:
    app = functions_framework.create_app("org_api", str(MAIN))  # type: ignore[no-untyped-call]
    client: FlaskClient = app.test_client()
    return client


def request_lines(text: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return [line for line in lines if "httpRequest" in line]


def test_a_request_logs_its_org_key_route_status_and_latency_and_no_secret(
    app_services: Services,
    org_api: FlaskClient,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    org, owner = app_services.orgs.create_org("Agency One")
    caplog.set_level(logging.DEBUG)

    response = org_api.post(
        f"/v1/brands?access_token={ACCESS_TOKEN}",
        json={"name": "Acme", "website": WEBHOOK_URL},
        headers={
            FORWARDED_AUTHORIZATION: f"Bearer {owner.api_key}",
            "X-Apify-Webhook-Signature": SIGNATURE,
        },
    )

    assert response.status_code == 201
    captured = capsys.readouterr()
    (line,) = request_lines(captured.out)
    assert line["severity"] == "INFO"
    assert line["httpRequest"]["requestMethod"] == "POST"
    assert line["httpRequest"]["requestUrl"] == "/v1/brands"
    assert line["httpRequest"]["status"] == 201
    assert LATENCY.fullmatch(line["httpRequest"]["latency"])
    assert (line["org_id"], line["key_id"], line["route"]) == (
        org.org_id,
        owner.key_id,
        "/v1/brands",
    )
    everything = captured.out + captured.err + caplog.text
    secret = owner.api_key.removeprefix(f"ro_{owner.key_id}_")
    assert secret != owner.api_key
    for leaked in (owner.api_key, secret, ACCESS_TOKEN, SIGNATURE, WEBHOOK_URL, "webhook-secret"):
        assert leaked not in everything


def test_the_route_is_the_template_and_an_unknown_caller_logs_no_org(
    app_services: Services, org_api: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dashboard groups by route: the id stays in requestUrl, never in the route field."""
    org, owner = app_services.orgs.create_org("Agency One")
    key = {FORWARDED_AUTHORIZATION: f"Bearer {owner.api_key}"}

    missing = org_api.get("/v1/brands/brand-that-is-not-there", headers=key)
    impossible = org_api.get("/v1/brands/caf%C3%A9", headers=key)
    anonymous = org_api.get("/v1/brands")

    assert (missing.status_code, impossible.status_code, anonymous.status_code) == (404, 404, 401)
    found, cannot_exist, refused = request_lines(capsys.readouterr().out)
    assert cannot_exist["route"] == "/v1/brands/{brand_id}"
    assert found["route"] == "/v1/brands/{brand_id}"
    assert found["httpRequest"]["requestUrl"] == "/v1/brands/brand-that-is-not-there"
    assert (found["severity"], found["org_id"]) == ("WARNING", org.org_id)
    assert refused["route"] == "/v1/brands"
    assert (refused["org_id"], refused["key_id"], refused["httpRequest"]["status"]) == (
        None,
        None,
        401,
    )
