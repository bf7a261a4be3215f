"""Injectable faults and Anthropic's error bodies: {"type": "error", "error": {"type",
"message"}, "request_id"} with the status each type comes with."""

from __future__ import annotations

import json
from dataclasses import dataclass

from werkzeug.wrappers import Response

CREDIT_TOO_LOW = (
    "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing "
    "to upgrade or purchase credits."
)
RATE_LIMITED = (
    "This request would exceed the rate limit for your organization of 50 requests per "
    "minute. For details, refer to: https://docs.claude.com/en/api/rate-limits."
)


@dataclass
class Faults:
    """Each `*_next` counts down one per API request; `credit_exhausted` holds until reset.
    `errored_next` / `expired_next` count batch requests whose result line is errored
    (api_error) / expired instead of succeeded."""

    rate_limit_next: int = 0
    server_error_next: int = 0
    overloaded_next: int = 0
    credit_exhausted: bool = False
    errored_next: int = 0
    expired_next: int = 0
    retry_after_seconds: float = 1.0


class ApiError(Exception):
    def __init__(self, status: int, kind: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message
        self.retry_after = retry_after

    def response(self, request_id: str) -> Response:
        body = {"type": "error", "error": {"type": self.kind, "message": self.message}}
        reply = Response(
            json.dumps({**body, "request_id": request_id}),
            status=self.status,
            mimetype="application/json",
        )
        reply.headers["request-id"] = request_id
        if self.retry_after is not None:
            reply.headers["retry-after"] = f"{self.retry_after:g}"
        return reply


def injected(faults: Faults) -> ApiError | None:
    """The fault this request meets (counting it down), if any."""
    if faults.credit_exhausted:
        return ApiError(400, "invalid_request_error", CREDIT_TOO_LOW)
    if faults.rate_limit_next > 0:
        faults.rate_limit_next -= 1
        return ApiError(429, "rate_limit_error", RATE_LIMITED, faults.retry_after_seconds)
    if faults.overloaded_next > 0:
        faults.overloaded_next -= 1
        return ApiError(529, "overloaded_error", "Overloaded")
    if faults.server_error_next > 0:
        faults.server_error_next -= 1
        return ApiError(500, "api_error", "Internal server error")
    return None
