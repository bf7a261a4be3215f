"""Scrubbing credentials out of text that wraps a vendor call: error messages, log records.

Vendor SDKs put credentials in URLs and in their exception text (facebook-business quotes a
failed call's params, requests quotes the URL with its query, urllib3 logs the URL it retries).
Every error an adapter raises for a vendor call passes its text through `redact`, and is raised
`from None`, so neither a reply, a log line nor a traceback carries the Meta app secret, an
access token or an OAuth code. `RedactingFilter` does the same for the transport's own loggers.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
SECRET_PARAMS = (
    "access_token",
    "client_secret",
    "code",
    "appsecret_proof",
    "fb_exchange_token",
    "input_token",
    "token",
    "refresh_token",
    "secret",
)
"""Query or form parameters (and JSON or dict keys) whose value is a credential."""

_PARAM = re.compile(
    r"(?i)(?<![\w-])(" + "|".join(SECRET_PARAMS) + r")(['\"]?\s*[=:]\s*['\"]?)([^&\s'\"<>#,;)}\]]+)"
)
# An app access token, "{app_id}|{app_secret}", wherever it appears.
_APP_TOKEN = re.compile(r"\b(\d{6,})\|[\w-]+")
# Apify's token travels in an Authorization header or as ?token=; Meta's start with "EAA".
_BEARER = re.compile(r"(?i)\b(bearer|authorization:\s*oauth)\s+[\w.|~+/=-]+")


def redact(text: str, *secrets: str) -> str:
    """`text` with every credential-valued parameter, app token, bearer credential and each of
    `secrets` (the values the caller knows it handled) replaced by "[redacted]"."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _APP_TOKEN.sub(lambda m: f"{m.group(1)}|{REDACTED}", text)
    return _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message through `redact` (urllib3 logs retried URLs in full)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


TRANSPORT_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "httpx", "httpcore")


def guard_transport_logs() -> None:
    """Attach one RedactingFilter to each transport logger (idempotent)."""
    for name in TRANSPORT_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in target.filters):
            target.addFilter(RedactingFilter())
