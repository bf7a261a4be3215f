"""The OAuth `state` that ties Meta's redirect back to the organization and key that asked.

It carries the organization, the key, the redirect URI, a nonce and an expiry, signed with
HMAC-SHA256; the nonce is stored when issued and consumed on use, so a state works once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from shared.errors import Unauthenticated

STATE_LIFETIME = timedelta(minutes=15)


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
    if not hmac.compare_digest(expected, signature):
        raise invalid
    try:
        state = OAuthState(**json.loads(base64.urlsafe_b64decode(payload.encode())))
    except (ValueError, TypeError) as exc:
        raise invalid from exc
    if datetime.fromisoformat(state.expires_at) < (now or datetime.now(UTC)):
        raise Unauthenticated("the OAuth state has expired; connect again", field="query.state")
    return state
