"""The OAuth `state` that ties Meta's redirect back to the organization, the key and the
browser that asked.

It carries the organization, the key, the redirect URI, a nonce and an expiry, signed with
HMAC-SHA256; the nonce is stored when issued (with the state's digest) and consumed on use, so
a state works once. The redirect URI itself is the configured one or one on the allow-list.

The browser: the authorize URL ReachOps hands out goes through the public callback's `start`
endpoint, which sets a cookie holding the state's digest and redirects to Meta's dialog; the
callback takes a code only from the browser that carries the matching cookie (constant-time
compare), so a code and state sent to someone else's browser (login CSRF) connect nothing.
The cookie is `__Host-` prefixed (Secure, Path=/, no Domain) wherever the callback is https;
a plain-http local stack cannot keep a Secure cookie, so it gets the same cookie unprefixed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from shared.errors import Unauthenticated, ValidationFailed

STATE_LIFETIME = timedelta(minutes=15)
COOKIE = "reachops_meta_oauth"
SECURE_COOKIE = "__Host-" + COOKIE


@dataclass(frozen=True)
class OAuthState:
    org_id: str
    key_id: str
    redirect_uri: str
    nonce: str
    expires_at: str


def encode_state(secret: str, state: OAuthState) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(asdict(state)).encode()).decode()
    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{signature}"


def decode_state(secret: str, text: str, now: datetime | None = None) -> OAuthState:
    invalid = Unauthenticated("the OAuth state is not one ReachOps issued", field="query.state")
    if not secret:
        raise invalid
    payload, _, signature = text.partition(".")
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    # Compared as bytes: compare_digest refuses text that is not ASCII (a forged state may be).
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "surrogateescape")):
        raise invalid
    try:
        state = OAuthState(**json.loads(base64.urlsafe_b64decode(payload.encode())))
    except (ValueError, TypeError) as exc:
        raise invalid from exc
    if datetime.fromisoformat(state.expires_at) < (now or datetime.now(UTC)):
        raise Unauthenticated("the OAuth state has expired; connect again", field="query.state")
    return state


def state_digest(text: str) -> str:
    """What the cookie and the issued-state record hold: the state's SHA-256, hex."""
    return hashlib.sha256(text.encode()).hexdigest()


def state_nonce(text: str) -> str:
    """The nonce a state names, read without its signature (to find its record, which then
    has to match the state's digest exactly)."""
    try:
        nonce = json.loads(base64.urlsafe_b64decode(text.partition(".")[0].encode()))["nonce"]
    except (ValueError, TypeError, KeyError) as exc:
        raise Unauthenticated(
            "the OAuth state is not one ReachOps issued", field="query.state"
        ) from exc
    if not isinstance(nonce, str) or not nonce.isalnum():
        raise Unauthenticated("the OAuth state is not one ReachOps issued", field="query.state")
    return nonce


def same_digest(expected: str | None, text: str) -> bool:
    """Whether `expected` (a stored digest or the browser's cookie) is `text`'s digest, in
    constant time."""
    sent = str(expected).encode("utf-8", "surrogateescape")
    return bool(expected) and hmac.compare_digest(sent, state_digest(text).encode())


def cookie_name(callback_url: str) -> str:
    """`__Host-` wherever the callback is https (browsers keep it only Secure, Path=/, with no
    Domain); the unprefixed name on a plain-http local stack."""
    return SECURE_COOKIE if callback_url.startswith("https://") else COOKIE


def allowed_redirect(requested: str | None, configured: str, allowlist: Sequence[str]) -> str:
    """The redirect_uri to send Meta: the configured one, or the caller's if it is listed.

    An unlisted redirect_uri would let anyone who can start a connection have Meta deliver the
    authorization code to a page of their choosing; Meta checks its own list too, but ours is
    the one that names the field in a 422.
    """
    if requested is None:
        if not configured:
            raise ValidationFailed("no redirect_uri given or configured", field="redirect_uri")
        return configured
    allowed = {_normalized(uri) for uri in (configured, *allowlist) if uri}
    if _normalized(requested) not in allowed:
        raise ValidationFailed(
            "redirect_uri is not one of the configured redirect URIs", field="redirect_uri"
        )
    return requested


def _normalized(uri: str) -> str:
    """Scheme and host are case-insensitive; an empty path is "/" (pydantic's HttpUrl form)."""
    parts = urlsplit(uri)
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )
