"""What every part of the stand-in shares: Apify's error body, deterministic ids and its
timestamp format."""

from __future__ import annotations

import hashlib
import json
import secrets
import string
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Response

LOCAL_USER_ID = "LocalApifyUser001"
APIFY_ID = string.ascii_letters + string.digits
IG_SHORTCODE = string.ascii_letters + string.digits + "-_"


class ApiError(Exception):
    """An answer in Apify's error format, `{"error": {"type", "message"}}`."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status, self.type, self.message = status, error_type, message

    def response(self) -> Response:
        return json_response(self.status, {"error": {"type": self.type, "message": self.message}})


def invalid_input(message: str) -> ApiError:
    return ApiError(400, "invalid-input", f"Input is not valid: {message}")


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, mimetype="application/json", headers=dict(headers or {})
    )


def digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:16], "big")


def digits(length: int, *parts: str) -> str:
    """A deterministic decimal id of `length` digits (no leading zero) for `parts`."""
    low = 10 ** (length - 1)
    return str(low + digest(*parts) % (9 * low))


def chars(alphabet: str, length: int, *parts: str) -> str:
    """A deterministic id of `length` characters of `alphabet` for `parts`."""
    number, out = digest(*parts), []
    for _ in range(length):
        number, index = divmod(number, len(alphabet))
        out.append(alphabet[index])
    return "".join(out)


def new_id() -> str:
    """A fresh random Apify-style id (runs, datasets, webhooks)."""
    return "".join(secrets.choice(APIFY_ID) for _ in range(17))


def iso(moment: datetime) -> str:
    """Apify's timestamps: UTC, milliseconds, a Z suffix."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
