"""The OAuth state ties Meta's redirect to the organization, key and browser that asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.adaccounts.oauth import (
    OAuthState,
    cookie_name,
    decode_state,
    encode_state,
    same_digest,
    state_digest,
    state_nonce,
)
from shared.errors import Unauthenticated

NOW = datetime(2026, 11, 21, 6, tzinfo=UTC)
STATE = OAuthState(
    "org1", "key1", "https://x.example/cb", "n1", (NOW + timedelta(minutes=5)).isoformat()
)


def test_a_state_round_trips_under_its_secret() -> None:
    assert decode_state("s3cret", encode_state("s3cret", STATE), NOW) == STATE


@given(st.text(min_size=1, max_size=40).filter(lambda s: s != "s3cret"))
def test_another_secret_cannot_read_it(other: str) -> None:
    with pytest.raises(Unauthenticated):
        decode_state(other, encode_state("s3cret", STATE), NOW)


def test_a_tampered_payload_is_refused() -> None:
    payload, signature = encode_state("s3cret", STATE).split(".")
    forged = encode_state("s3cret", OAuthState("org2", "k", "u", "n", STATE.expires_at))
    with pytest.raises(Unauthenticated):
        decode_state("s3cret", f"{forged.split('.')[0]}.{signature}", NOW)
    with pytest.raises(Unauthenticated):
        decode_state("s3cret", payload, NOW)


def test_an_expired_state_is_refused_and_no_secret_means_no_state() -> None:
    text = encode_state("s3cret", STATE)
    with pytest.raises(Unauthenticated, match="expired"):
        decode_state("s3cret", text, NOW + timedelta(minutes=6))
    with pytest.raises(Unauthenticated):
        decode_state("", text, NOW)


def test_the_browser_binding_is_the_states_digest_compared_exactly() -> None:
    text = encode_state("s3cret", STATE)
    assert same_digest(state_digest(text), text)
    assert not same_digest(state_digest(text + "x"), text)
    assert not same_digest(None, text)
    assert not same_digest("", text)


def test_a_state_names_its_nonce_and_garbage_names_none() -> None:
    assert state_nonce(encode_state("s3cret", STATE)) == "n1"
    for garbage in ("", "x.y", "e30.sig", "not base64!"):
        with pytest.raises(Unauthenticated):
            state_nonce(garbage)


def test_the_cookie_is_host_prefixed_wherever_the_callback_is_https() -> None:
    assert cookie_name("https://europe-west1-p.cloudfunctions.net/meta_oauth_callback") == (
        "__Host-reachops_meta_oauth"
    )
    assert not cookie_name("http://127.0.0.1:8080/fn/meta_oauth_callback").startswith("__Host-")
