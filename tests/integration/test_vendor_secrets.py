"""The Meta app secret, OAuth codes and tokens never reach an error's text, a log record or a
traceback, even when Meta's edge answers an HTML 5xx page that quotes the request; and the
code exchange sends them in a POST body, never in a URL."""

from __future__ import annotations

import logging
import secrets
import traceback

import httpx
import pytest

from shared.adapters.meta_ads import MetaAds
from shared.adapters.redaction import REDACTED, redact
from shared.ports import AdsError, AdsUnavailable
from tests.integration.graph_standin_fixtures import (
    APP_ID,
    APP_SECRET,
    clock,
    control,
    graph_url,
)

__all__ = ["clock", "control", "graph_url"]
REDIRECT_URI = "https://app.reachops.example/oauth/meta/callback"


def meta_ads(url: str) -> MetaAds:
    return MetaAds(APP_ID, APP_SECRET, graph_url=url, max_retries=1, backoff_seconds=0)


def leaked(text: str, *secrets: str) -> list[str]:
    return [secret for secret in secrets if secret in text]


def failure_text(error: BaseException, caplog: pytest.LogCaptureFixture) -> str:
    shown = "".join(traceback.format_exception(error))
    # werkzeug logs the stand-in's side of the wire: Meta's logs, not ours
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    return f"{error}\n{shown}\n{logged}"


def test_the_code_exchange_sends_the_secret_and_code_in_post_bodies(
    graph_url: str, control: httpx.Client
) -> None:
    code = control.post("/codes", json={"redirect_uri": REDIRECT_URI}).json()["code"]
    issued = meta_ads(graph_url).exchange_code(code, REDIRECT_URI)
    assert issued.access_token
    exchanges = [c for c in control.get("/calls").json()["calls"] if "oauth" in c["path"]]
    assert [c["method"] for c in exchanges] == ["POST", "POST"]
    for call in exchanges:
        assert not {"client_secret", "code", "fb_exchange_token"} & set(call["in_url"])


@pytest.mark.parametrize("echoes", [True, False])
def test_an_html_5xx_on_the_exchange_leaks_neither_secret_nor_code(
    graph_url: str, control: httpx.Client, caplog: pytest.LogCaptureFixture, echoes: bool
) -> None:
    code = control.post("/codes", json={"redirect_uri": REDIRECT_URI}).json()["code"]
    control.post(
        "/faults",
        json={"gateway_error_next": 5, "gateway_status": 502, "gateway_echoes_request": echoes},
    ).raise_for_status()
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AdsUnavailable) as failed:
        meta_ads(graph_url).exchange_code(code, REDIRECT_URI)
    text = failure_text(failed.value, caplog)
    assert "502" in str(failed.value)
    assert leaked(text, APP_SECRET, code) == []
    assert failed.value.__cause__ is None
    assert failed.value.__suppress_context__


def test_a_graph_error_on_the_exchange_leaks_neither_secret_nor_code(
    graph_url: str, control: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    code = "AQ" + secrets.token_urlsafe(24)  # never issued (a traceback quotes source lines)
    with pytest.raises(AdsError) as failed:
        meta_ads(graph_url).exchange_code(code, REDIRECT_URI)
    text = failure_text(failed.value, caplog)
    assert "36009" in str(failed.value)  # Meta's code stays for whoever debugs it
    assert leaked(text, APP_SECRET, code) == []


def test_debug_token_failures_leak_neither_the_app_token_nor_the_input_token(
    graph_url: str, control: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    control.post(
        "/faults", json={"gateway_error_next": 5, "gateway_echoes_request": True}
    ).raise_for_status()
    caplog.set_level(logging.DEBUG)
    token = "sample-token-" + secrets.token_urlsafe(24)
    with pytest.raises(AdsUnavailable) as failed:
        meta_ads(graph_url).debug_token(token)
    assert leaked(failure_text(failed.value, caplog), APP_SECRET, token) == []


@pytest.mark.parametrize(
    "text",
    [
        "https://graph.facebook.com/v26.0/oauth/access_token?client_id=1&client_secret=S3CR&code=AQx",
        "{'access_token': 'S3CR', 'appsecret_proof': 'S3CR'}",
        'params {"input_token": "S3CR", "access_token": "100000000000042|S3CR"}',
        "Authorization: Bearer S3CR",
        "https://api.apify.com/v2/acts/x/runs?token=S3CR",
    ],
)
def test_redact_scrubs_every_credential_shape(text: str) -> None:
    cleaned = redact(text)
    assert "S3CR" not in cleaned
    assert "AQx" not in cleaned
    assert REDACTED in cleaned


def test_redact_keeps_what_debugging_needs() -> None:
    text = "OAuth code exchange: Graph error 100/36009 (HTTP 400): error_code=190"
    assert redact(text) == text
