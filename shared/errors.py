"""One error hierarchy; each error knows its HTTP status and renders the same JSON body.

Body: {"error": {"code", "message", "field", ...details}}. `field` names the offending input
(a dotted path for nested body fields, `query.<name>` or `path.<name>` for parameters) or null.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ValidationError


class ReachOpsError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal"

    def __init__(
        self, message: str, *, field: str | None = None, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or []

    def to_body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        if self.details:
            error["details"] = self.details
        return {"error": error}


class BadRequest(ReachOpsError):
    status = 400
    code = "bad_request"


class InvalidJson(BadRequest):
    code = "invalid_json"


class ValidationFailed(ReachOpsError):
    status = 422
    code = "validation_failed"

    @classmethod
    def from_pydantic(cls, exc: ValidationError, prefix: str = "") -> ValidationFailed:
        """Every problem pydantic found, the first one named in `field`."""
        problems = [
            {
                "field": prefix + _field_path(error["loc"]),
                "message": error["msg"],
            }
            for error in exc.errors()
        ]
        first = (
            problems[0] if problems else {"field": prefix.rstrip(".") or None, "message": str(exc)}
        )
        return cls(
            f"{first['field'] or 'body'}: {first['message']}",
            field=first["field"] or None,
            details=problems,
        )


class NotReady(ReachOpsError):
    """Activation refused: `details` lists every readiness check that failed."""

    status = 422
    code = "not_ready"


class Unauthenticated(ReachOpsError):
    status = 401
    code = "unauthenticated"


class Forbidden(ReachOpsError):
    status = 403
    code = "forbidden"


class NotFound(ReachOpsError):
    status = 404
    code = "not_found"


class MethodNotAllowed(ReachOpsError):
    status = 405
    code = "method_not_allowed"


class Conflict(ReachOpsError):
    status = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class PayloadTooLarge(ReachOpsError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ReachOpsError):
    status = 415
    code = "unsupported_media_type"


class RateLimited(ReachOpsError):
    """The key spent its per-minute quota (shared/http/limits.py); the reply's Retry-After
    says when its window ends."""

    status = 429
    code = "rate_limited"

    def __init__(
        self, message: str, *, retry_after: int, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message, details=details)
        self.retry_after = retry_after


class VendorRefused(ReachOpsError):
    """An outside system (Meta) refused or failed what we asked on the caller's behalf; its
    message has been scrubbed of credentials (shared/adapters/redaction.py)."""

    status = 502
    code = "meta_refused"


class Unavailable(ReachOpsError):
    """A dependency failed; the caller may retry (Pub/Sub and Cloud Tasks do)."""

    status = 503
    code = "unavailable"


def _field_path(loc: tuple[int | str, ...]) -> str:
    """The input's path, without pydantic's internal steps (`[key]`, `literal[...]`, union
    members), so `field` names what the caller sent."""
    parts: list[str] = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or "(" in part):
            break
        parts.append(str(part))
    return ".".join(parts)
